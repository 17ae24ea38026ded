#!/usr/bin/env bash
# run-http-hello.sh: http-hello under Debian's wrk, with the server's CPU time per request.
#
#   benchmarks/load/run-http-hello.sh [--server PATH] [--connections 100] [--duration 10]
#                                     [--pipeline 16] [--rounds 3]
#
# The server runs with one loop thread pinned to CPU 1, wrk with one thread pinned to CPU 0
# (wrk -t1 -cN). Server CPU time is read from /proc/PID/stat before and after the measured
# run; CPU us/request = (utime + stime) / requests. --pipeline N sends N requests per write
# (benchmarks/load/http-pipeline.lua). The median of --rounds runs is printed.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/../.." && pwd)

server=
connections=100
duration=10
pipeline=0
rounds=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --pipeline) pipeline=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$server" ]]; then
  for preset in release dev; do
    if [[ -x "$root/build/$preset/examples/http-hello/http-hello" ]]; then
      server="$root/build/$preset/examples/http-hello/http-hello"
      break
    fi
  done
fi
[[ -x "$server" ]] || { echo "http-hello not built (cmake --preset release && cmake --build build/release --target http-hello)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed (./dev.sh setup installs it)" >&2; exit 2; }

ticks=$(getconf CLK_TCK)
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }

results=()
for ((round = 1; round <= rounds; ++round)); do
  out=$(mktemp)
  taskset -c 1 "$server" --port 0 --threads 1 >"$out" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    grep -q "listening on" "$out" && break
    sleep 0.05  # waiting for a child process to bind; not a test
  done
  port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$out")
  url="http://127.0.0.1:$port/hello"
  args=(-t1 "-c$connections" "-d${duration}s" --latency)
  if [[ "$pipeline" -gt 0 ]]; then
    args+=(-s "$script_dir/http-pipeline.lua")
  fi
  # Warm up (pool, caches), then measure.
  SLUICE_PIPELINE_DEPTH=$pipeline taskset -c 0 wrk -t1 "-c$connections" -d2s "$url" >/dev/null
  before=$(cpu_of "$pid")
  report=$(SLUICE_PIPELINE_DEPTH=$pipeline taskset -c 0 wrk "${args[@]}" "$url")
  after=$(cpu_of "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  rm -f "$out"
  requests=$(echo "$report" | awk '/requests in/ {print $1}')
  rps=$(echo "$report" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$report" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$report" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$report" | grep -E "Socket errors|Non-2xx" || true)
  us=$(awk -v c=$((after - before)) -v t="$ticks" -v n="$requests" 'BEGIN {printf "%.2f", c / t * 1e6 / n}')
  printf 'round %d: %s req/s, server CPU %s us/req, latency p50 %s p99 %s %s\n' \
    "$round" "$rps" "$us" "$p50" "$p99" "$errors"
  results+=("$rps $us")
done
printf '%s\n' "${results[@]}" | sort -n -k1 | awk -v n="$rounds" 'NR == int((n + 1) / 2) {printf "median: %s req/s, server CPU %s us/req\n", $1, $2}'
