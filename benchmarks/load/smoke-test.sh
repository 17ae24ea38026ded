#!/usr/bin/env bash
# smoke-test.sh MODE SERVER LOAD: starts raw-libuv-echo (SERVER) on a free loopback port and
# runs sluice-load (LOAD) against it for 1 s with 4 connections. Passes when the load generator
# exits 0 having counted more than zero echoed messages. MODE is `lines` or `raw`.
# Registered with ctest under the label `load` when SLUICE_LOAD_TESTS is ON.
set -euo pipefail

mode=$1
server=$2
load=$3

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

case $mode in
  lines) "$server" --port 0 --lines >"$work/server.out" & load_mode=echo-lines ;;
  raw) "$server" --port 0 >"$work/server.out" & load_mode=echo-raw ;;
  *) echo "smoke-test: unknown mode '$mode'" >&2; exit 2 ;;
esac
server_pid=$!

# Wait (at most 10 s) for `listening on 127.0.0.1:PORT`.
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out")
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "smoke-test: server exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "smoke-test: server printed no port in 10 s" >&2; exit 1; }

out=$("$load" --host 127.0.0.1 --port "$port" --mode "$load_mode" --connections 4 --depth 8 \
  --size 64 --warmup 0 --duration 1 --server-pid "$server_pid" --json)
echo "$out"
messages=$(sed -n 's/.*"messages":\([0-9][0-9]*\).*/\1/p' <<<"$out")
if [[ -z $messages || $messages -eq 0 ]]; then
  echo "smoke-test: no messages echoed" >&2
  exit 1
fi

# The server must also stop cleanly on SIGTERM.
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=
if [[ $status -ne 0 ]]; then
  echo "smoke-test: server exited with status $status on SIGTERM" >&2
  exit 1
fi
echo "smoke-test: $messages messages echoed"
