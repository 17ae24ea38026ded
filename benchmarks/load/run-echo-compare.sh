#!/usr/bin/env bash
# run-echo-compare.sh: measures echo servers under the same load in one run and compares their
# CPU time per message.
#
#   benchmarks/load/run-echo-compare.sh \
#     --server "build/release/benchmarks/peers/raw-libuv-echo --lines" \
#     --server "build/release/examples/echo/echo-server"
#
# Each server command is started pinned to one CPU (--server-cpu, default 1) and must print
# `listening on HOST:PORT` on stdout (flushed) once it listens; start it on port 0 if it can pick
# a free port. sluice-load then runs pinned to another CPU (--load-cpu, default 0) against that
# port with --server-pid, and the server is stopped with SIGTERM. The table lists each server's
# median over --rounds of server CPU us/msg, msgs/s and latency, and the ratio of its CPU us/msg
# to the first server's. With --max-ratio R the script fails when any ratio exceeds R.
#
# With several rounds the servers take turns (A B A B ...), so slow drift in the machine's load
# falls on all of them alike. Every run is bounded by timeout(1); servers are killed on exit.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/../.." && pwd)

servers=()
load=
connections=100
depth=32
size=64
duration=10
warmup=2
mode=echo-lines
rounds=1
server_cpu=1
load_cpu=0
max_ratio=

usage() {
  cat <<EOF
usage: $0 --server "CMD [ARGS]" [--server ...] [options]
  --load PATH        sluice-load binary (default: build/{release,rel,dev}/benchmarks/load/sluice-load)
  --connections N    (default $connections)    --depth N (default $depth)    --size N (default $size)
  --duration S       measured seconds per run (default $duration)
  --warmup S         warmup seconds per run (default $warmup)
  --mode M           echo-lines or echo-raw (default $mode)
  --rounds N         runs per server, interleaved; medians are reported (default $rounds)
  --server-cpu N     CPU the servers are pinned to (default $server_cpu)
  --load-cpu N       CPU sluice-load is pinned to (default $load_cpu)
  --max-ratio R      exit 1 if a server's CPU us/msg exceeds R times the first server's
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --server) servers+=("$2"); shift 2 ;;
    --load) load=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --depth) depth=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --server-cpu) server_cpu=$2; shift 2 ;;
    --load-cpu) load_cpu=$2; shift 2 ;;
    --max-ratio) max_ratio=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-echo-compare: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ ${#servers[@]} -eq 0 ]]; then
  usage >&2
  exit 2
fi
if [[ -z $load ]]; then
  for preset in release rel dev; do
    if [[ -x $root/build/$preset/benchmarks/load/sluice-load ]]; then
      load=$root/build/$preset/benchmarks/load/sluice-load
      break
    fi
  done
fi
if [[ -z $load || ! -x $load ]]; then
  echo "run-echo-compare: no sluice-load binary found; build it or pass --load PATH" >&2
  exit 2
fi

work=$(mktemp -d)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # Give it 5 s to exit cleanly, then kill it.
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The longest a load run may take: warmup, duration, connect timeout and a margin.
run_limit=$(awk -v w="$warmup" -v d="$duration" 'BEGIN { printf "%d", w + d + 30 }')

json_field() { # json_field NAME JSON: the value of a flat numeric field.
  sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" <<<"$2"
}

median() { # median VALUES...: the middle value (the lower middle for an even count).
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# results[i] accumulates "cpu rate p50 p99" lines for server i.
declare -a results
for i in "${!servers[@]}"; do results[i]=""; done

for ((round = 1; round <= rounds; round++)); do
  for i in "${!servers[@]}"; do
    read -r -a argv <<<"${servers[i]}"
    : >"$work/server.out"
    taskset -c "$server_cpu" "${argv[@]}" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    port=
    for _ in $(seq 100); do
      port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out" | head -n 1)
      [[ -n $port ]] && break
      if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run-echo-compare: '${servers[i]}' exited before listening:" >&2
        cat "$work/server.err" >&2
        exit 1
      fi
      sleep 0.1
    done
    if [[ -z $port ]]; then
      echo "run-echo-compare: '${servers[i]}' printed no 'listening on HOST:PORT' in 10 s" >&2
      exit 1
    fi

    echo "round $round/$rounds: ${servers[i]} (pid $server_pid, port $port)" >&2
    out=$(timeout "$run_limit" taskset -c "$load_cpu" "$load" --cpu "$load_cpu" \
      --host 127.0.0.1 --port "$port" --mode "$mode" --connections "$connections" \
      --depth "$depth" --size "$size" --duration "$duration" --warmup "$warmup" \
      --server-pid "$server_pid" --json) || {
      echo "run-echo-compare: sluice-load failed against '${servers[i]}'" >&2
      exit 1
    }
    echo "  $out" >&2
    stop_server
    results[i]+="$(json_field serverCpuUsPerMsg "$out") $(json_field msgsPerSecond "$out") "
    results[i]+="$(json_field latencyP50Us "$out") $(json_field latencyP99Us "$out")"$'\n'
  done
done

echo
echo "$mode, $connections connections x depth $depth, $size B messages, ${warmup} s warmup +" \
  "${duration} s measured, $rounds round(s); server on CPU $server_cpu, load on CPU $load_cpu"
printf '%-40s %12s %8s %12s %10s %10s\n' "server" "CPU us/msg" "ratio" "msgs/s" "p50 us" "p99 us"
status=0
base=
for i in "${!servers[@]}"; do
  cpus=() rates=() p50s=() p99s=()
  while read -r cpu rate p50 p99; do
    [[ -z $cpu ]] && continue
    cpus+=("$cpu") rates+=("$rate") p50s+=("$p50") p99s+=("$p99")
  done <<<"${results[i]}"
  read -r -a argv <<<"${servers[i]}"
  label="$(basename "${argv[0]}") ${argv[*]:1}"
  cpu=$(median "${cpus[@]}")
  [[ -z $base ]] && base=$cpu
  ratio=$(awk -v c="$cpu" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? c / b : 0) }')
  printf '%-40s %12.4f %8s %12.0f %10.1f %10.1f\n' "${label:0:40}" "$cpu" "$ratio" \
    "$(median "${rates[@]}")" "$(median "${p50s[@]}")" "$(median "${p99s[@]}")"
  if [[ -n $max_ratio ]] && awk -v r="$ratio" -v m="$max_ratio" 'BEGIN { exit !(r > m) }'; then
    echo "run-echo-compare: '${servers[i]}' uses ${ratio}x the first server's CPU per message" \
      "(limit ${max_ratio}x)" >&2
    status=1
  fi
done
exit $status
