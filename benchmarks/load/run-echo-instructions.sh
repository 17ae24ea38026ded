#!/usr/bin/env bash
# run-echo-instructions.sh: instructions an echo server executes per message, under callgrind.
#
#   benchmarks/load/run-echo-instructions.sh [--load PATH] [--window S] [--warmup S] -- SERVER ARGS...
#
# CPU time per message (run-echo-compare.sh) drifts by 10-20% between runs on a shared
# machine; instruction counts do not, so a small difference (a few percent: what metrics
# cost) is settled here. The server runs under `valgrind --tool=callgrind` pinned to CPU 1 and
# must print `listening on HOST:PORT`; sluice-load (CPU 0; 100 connections x depth 32, 64 B
# lines) drives it; callgrind's counters are zeroed when the load's warmup ends and dumped
# when its window ends, and the instructions of that dump are divided by the messages the
# load counted in its window (the two windows agree to a few milliseconds of several seconds).
# Prints one line: messages=N Ir=N Ir/msg=X. Under callgrind the server is about 50x slower,
# so it reads bigger batches than natively: compare servers with each other, not with the
# native figures.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/../.." && pwd)
load=
window=6
warmup=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --load) load=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-echo-instructions: unknown option '$1'" >&2; exit 2 ;;
  esac
done
if [[ $# -eq 0 ]]; then
  echo "usage: $0 [--load PATH] [--window S] [--warmup S] -- SERVER ARGS..." >&2
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
command -v valgrind >/dev/null || { echo "run-echo-instructions: needs valgrind" >&2; exit 2; }
command -v callgrind_control >/dev/null || { echo "run-echo-instructions: needs callgrind_control" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

taskset -c 1 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" "$@" \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out" | head -n 1)
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "run-echo-instructions: the server printed no 'listening on'" >&2; exit 1; }

taskset -c 0 "$load" --cpu 0 --port "$port" --connections 100 --depth 32 --size 64 \
  --warmup "$warmup" --duration "$window" --json >"$work/load.json" &
load_pid=$!
sleep "$warmup"
callgrind_control --zero "$server_pid" >/dev/null 2>&1
sleep "$window"
callgrind_control --dump "$server_pid" >/dev/null 2>&1
wait "$load_pid"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=

messages=$(sed -n 's/.*"messages":\([0-9]*\).*/\1/p' "$work/load.json")
# The dump made at the window's end is the file whose name ends in .1.
ir=$(sed -n 's/^summary: \([0-9]*\)$/\1/p' "$work"/callgrind.*.1)
awk -v m="$messages" -v i="$ir" 'BEGIN { printf "messages=%d Ir=%d Ir/msg=%.1f\n", m, i, i / m }'
