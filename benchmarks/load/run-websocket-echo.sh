#!/usr/bin/env bash
# run-websocket-echo.sh: examples/websocket-echo under ws-load, with the server's CPU time per
# message, printed as a markdown table.
#
#   benchmarks/load/run-websocket-echo.sh [--rounds 1] [--connections 100] [--duration 10]
#       [--warmup 2] [--depths "1 16"] [--sizes "32 1024"] [--binary] [--tls]
#       [--server PATH] [--load PATH] [--server-cpu 0] [--load-cpu 1] [--no-build]
#
# Unless --server and --load are given (or --no-build), it first builds the two programs in the
# release preset (`cmake --preset release` if build/release is not configured yet, then
# `cmake --build build/release --target websocket-echo ws-load`, a no-op when up to date).
#
# For each depth x size case (default: 100 connections, depth 1 and 16, 32 B and 1 KiB text
# messages, 2 s warmup + 10 s measured), it starts `websocket-echo --port 0 --threads 1` pinned
# to --server-cpu with taskset, waits for its "listening on HOST:PORT", runs ws-load pinned to
# --load-cpu against ws://127.0.0.1:PORT/ws with --server-pid, and stops the server with
# SIGTERM. ws-load reads the server's utime + stime from /proc/PID/stat when the measured window
# opens and when it closes; server CPU us/msg is that difference over the messages echoed in
# the window. With --rounds N each case runs N times (a fresh server each time) and the table
# shows the medians. Each ws-load run's JSON line is echoed to stderr.
#
# With --tls the server runs `websocket-echo --tls` (a self-signed certificate made at
# start-up) and ws-load connects to wss://127.0.0.1:PORT/ws without verifying it: every
# message is then encrypted and decrypted on both sides, and the TLS handshakes happen before
# the warmup, outside the measured window.
#
# Why CPU per message: on a 2-core machine the client has one core and the server the other,
# and the client saturates first, so msgs/s largely measures the client; the server's CPU per
# message is the figure to compare between builds (see benchmarks/load/README.md).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/../.." && pwd)

server=
load=
build=1
connections=100
duration=10
warmup=2
depths="1 16"
sizes="32 1024"
binary=
tls=
rounds=1
server_cpu=0
load_cpu=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --no-build) build=; shift ;;
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --depths) depths=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --binary) binary=--binary; shift ;;
    --tls) tls=--tls; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --server-cpu) server_cpu=$2; shift 2 ;;
    --load-cpu) load_cpu=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-websocket-echo: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -n $build && ( -z $server || -z $load ) ]]; then
  if [[ ! -f $root/build/release/build.ninja ]]; then
    (cd "$root" && cmake --preset release >&2)
  fi
  cmake --build "$root/build/release" --target websocket-echo ws-load >&2
fi
: "${server:=$root/build/release/examples/websocket-echo/websocket-echo}"
: "${load:=$root/build/release/benchmarks/load/ws-load}"
for program in "$server" "$load"; do
  [[ -x $program ]] || { echo "run-websocket-echo: $program is not built" >&2; exit 2; }
done

work=$(mktemp -d)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # Give it 5 s to exit cleanly, then kill it.
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1 # waiting for a child process to exit; not a test
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The longest a load run may take: warmup, duration, handshakes, closing and a margin.
run_limit=$(awk -v w="$warmup" -v d="$duration" 'BEGIN { printf "%d", w + d + 30 }')

json_field() { # json_field NAME JSON: the value of a flat numeric field.
  sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" <<<"$2"
}

median() { # median VALUES...: the middle value (the lower middle for an even count).
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# One run: starts the server, runs ws-load, stops the server; leaves ws-load's JSON line in
# $work/out.json. (Not run in a subshell, so the EXIT trap sees the server's pid.)
run_once() {
  local depth=$1 size=$2 port=
  : >"$work/server.out"
  taskset -c "$server_cpu" "$server" --port 0 --threads 1 $tls >"$work/server.out" \
    2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out" | head -n 1)
    [[ -n $port ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "run-websocket-echo: the server exited before listening:" >&2
      cat "$work/server.err" >&2
      exit 1
    fi
    sleep 0.1 # waiting for a child process to bind; not a test
  done
  [[ -n $port ]] || { echo "run-websocket-echo: the server printed no port in 10 s" >&2; exit 1; }
  local out
  out=$(timeout "$run_limit" taskset -c "$load_cpu" "$load" \
    --url "$scheme://127.0.0.1:$port/ws" --connections "$connections" --depth "$depth" \
    --size "$size" $binary --duration "$duration" --warmup "$warmup" \
    --server-pid "$server_pid") || {
    echo "run-websocket-echo: ws-load failed (depth $depth, size $size)" >&2
    exit 1
  }
  stop_server
  echo "  $out" >&2
  echo "$out" >"$work/out.json"
}

kind=text
[[ -n $binary ]] && kind=binary
scheme=ws
[[ -n $tls ]] && scheme=wss
echo "## websocket-echo ($scheme), $connections connections, $kind messages, ${warmup} s warmup +" \
  "${duration} s measured, $rounds round(s), medians"
echo
echo "server on CPU $server_cpu (1 loop thread), ws-load on CPU $load_cpu;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| depth | size | msgs/s | MB/s | p50 µs | p99 µs | p99.9 µs | server CPU | server µs/msg | ws-load µs/msg |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for depth in $depths; do
  for size in $sizes; do
    rates=() mbs=() p50s=() p99s=() p999s=() busy=() cpus=() loads=()
    for ((round = 1; round <= rounds; round++)); do
      echo "depth $depth, size $size, round $round/$rounds" >&2
      run_once "$depth" "$size"
      out=$(cat "$work/out.json")
      rates+=("$(json_field msgsPerSecond "$out")")
      mbs+=("$(json_field mbPerSecond "$out")")
      p50s+=("$(json_field latencyP50Us "$out")")
      p99s+=("$(json_field latencyP99Us "$out")")
      p999s+=("$(json_field latencyP999Us "$out")")
      busy+=("$(awk -v c="$(json_field serverCpuSeconds "$out")" \
        -v e="$(json_field elapsedSeconds "$out")" 'BEGIN { printf "%.1f", c / e * 100 }')")
      cpus+=("$(json_field serverCpuUsPerMsg "$out")")
      loads+=("$(json_field loadCpuUsPerMsg "$out")")
    done
    printf '| %s | %s B | %.0f | %.1f | %.0f | %.0f | %.0f | %s%% | **%.2f** | %.2f |\n' \
      "$depth" "$size" "$(median "${rates[@]}")" "$(median "${mbs[@]}")" \
      "$(median "${p50s[@]}")" "$(median "${p99s[@]}")" "$(median "${p999s[@]}")" \
      "$(median "${busy[@]}")" "$(median "${cpus[@]}")" "$(median "${loads[@]}")"
  done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
