#!/usr/bin/env bash
# dev.sh: one entry point to set up, build, test, run, benchmark, format and fuzz sluice.
# Every command installs what is missing first, so it works on a fresh Debian 12 machine.
# Run `./dev.sh help` for the list.
set -euo pipefail

# The Debian 12 packages sluice needs, in one place. Modules append theirs here when they
# arrive (libuv1-dev, libssl-dev, zlib1g-dev, ...).
PACKAGES=(
  build-essential     # g++ 12, make, libc headers
  cmake               # 3.25
  ninja-build
  pkg-config
  clang-14            # the asan and fuzz presets compile with clang++-14
  clang               # /usr/bin/clang++
  libclang-rt-14-dev  # sanitizer and libFuzzer runtimes for clang
  libfmt-dev          # logging and formatting
  libuv1-dev          # the transport: event loops and TCP
  zlib1g-dev          # gzip and deflate: HTTP content compression, permessage-deflate
  libdeflate-dev      # permessage-deflate: whole messages without context takeover, faster than zlib
  libssl-dev          # OpenSSL 3: TLS (SslHandler) and SHA-1 of the WebSocket handshake
  openssl             # integration tests: openssl s_client/s_server and pkcs12 against SslHandler
  libgtest-dev        # unit tests
  libgmock-dev        # unit tests
  libbenchmark-dev    # micro-benchmarks
  clang-format        # ./dev.sh format
  clang-tidy
  python3             # the docs.snippets test: code in the docs is code that compiles
  curl                # integration tests: a real HTTP client against the examples
  python3-websockets  # integration tests: a real WebSocket client and server for ours
  python3-autobahn    # integration tests: a second real WebSocket client against websocket-echo
  python3-prometheus-client  # integration tests: Prometheus's parser reads the examples' /metrics
  chromium            # browser test: headless Chromium chats through websocket-chat's page
  wrk                 # benchmarks/load/run-http-hello.sh
)

# The example `./dev.sh demo` runs (relative to the dev build folder).
DEMO_TARGET="examples/websocket-chat/websocket-chat"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

JOBS="$(nproc 2>/dev/null || echo 2)"
CI="${CI:-false}"
START_SECONDS=$SECONDS

# ---------------------------------------------------------------------------------------------
# Output helpers

log() {
  local elapsed=$((SECONDS - START_SECONDS))
  printf '\n==> [%02d:%02d] %s\n' $((elapsed / 60)) $((elapsed % 60)) "$*"
}

die() {
  printf 'dev.sh: %s\n' "$*" >&2
  exit 1
}

# Under CI, print what the run is made of once, so a failing log tells the whole story.
print_toolchain() {
  [[ "$CI" == "true" ]] || return 0
  log "toolchain"
  echo "nproc: $JOBS"
  cmake --version | head -n1
  ninja --version | sed 's/^/ninja /'
  g++ --version | head -n1
  clang++-14 --version | head -n1
  if command -v ccache >/dev/null; then
    ccache --version | head -n1
  else
    echo "ccache: not installed (builds run without a compiler cache)"
  fi
}

# ---------------------------------------------------------------------------------------------
# setup: install the missing packages, and nothing else

missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == "installed" ]] || echo "$pkg"
  done
}

cmd_setup() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    [[ "$CI" == "true" ]] && echo "setup: all ${#PACKAGES[@]} packages are installed"
    return 0
  fi

  log "setup: installing ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # --no-remove: abort rather than remove anything already installed.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends --no-remove -o Dpkg::Use-Pty=0 "${missing[@]}"

  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after apt-get install: ${missing[*]}"
  echo "setup: installed; all ${#PACKAGES[@]} packages are present"
}

# ---------------------------------------------------------------------------------------------
# build

known_preset() {
  cmake --list-presets=configure 2>/dev/null | grep -q "^  \"$1\""
}

# configure PRESET: runs `cmake --preset` when the build folder has never been configured, or
# when CMakePresets.json changed since (a new cache variable needs a fresh configure; ordinary
# CMakeLists.txt edits are picked up by the build itself).
configure() {
  local preset="$1" dir="build/$1"
  if [[ ! -f "$dir/CMakeCache.txt" || ! -f "$dir/build.ninja" || CMakePresets.json -nt "$dir/CMakeCache.txt" ]]; then
    log "configure: cmake --preset $preset"
    cmake --preset "$preset"
  fi
}

build() {
  local preset="$1"
  known_preset "$preset" || die "unknown preset '$preset' (see: cmake --list-presets)"
  configure "$preset"
  log "build: cmake --build --preset $preset (-j $JOBS)"
  cmake --build --preset "$preset" --parallel "$JOBS"
}

cmd_build() {
  local preset="${1:-dev}"
  cmd_setup
  print_toolchain
  build "$preset"
  ccache_stats
}

ccache_stats() {
  if [[ "$CI" == "true" ]] && command -v ccache >/dev/null; then
    ccache --show-stats 2>/dev/null | grep -Ei 'hits|misses' | head -n 4 || true
  fi
}

# ---------------------------------------------------------------------------------------------
# tests

# run_tests PRESET [ctest args...]: ctest with the preset's settings, then one summary line.
run_tests() {
  local preset="$1"
  shift
  local logfile="build/$preset/ctest.log" rc=0
  log "test: ctest --preset $preset $*"
  set +e
  ctest --preset "$preset" "$@" 2>&1 | tee "$logfile"
  rc=${PIPESTATUS[0]}
  set -e

  # ctest's closing line: "100% tests passed, 0 tests failed out of 42".
  local summary total failed
  summary="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$logfile" | tail -n1 || true)"
  if [[ -n "$summary" ]]; then
    failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")"
    total="$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")"
    echo
    echo "$preset: $((total - failed)) passed, $failed failed"
  fi
  if ((rc != 0)); then
    echo "dev.sh: tests failed in preset $preset (log: $logfile)" >&2
    return "$rc"
  fi
}

cmd_test() {
  cmd_setup
  print_toolchain
  build dev
  ccache_stats
  run_tests dev "$@"
}

cmd_asan() {
  cmd_setup
  print_toolchain
  build asan
  ccache_stats
  run_tests asan "$@"
}

cmd_tsan() {
  cmd_setup
  print_toolchain
  build tsan
  ccache_stats
  run_tests tsan "$@"
}

# ---------------------------------------------------------------------------------------------
# demo

cmd_demo() {
  cmd_setup
  build dev
  local exe="build/dev/$DEMO_TARGET"
  [[ -x "$exe" ]] || die "the demo was not built: $exe"
  log "demo: $exe $*"
  echo "The chat: open the address it prints (http://127.0.0.1:8080/) in two browser tabs,"
  echo "and join one room under two names."
  echo "(Other examples: build/dev/examples/http-hello/http-hello answers curl http://127.0.0.1:8080/hello;"
  echo " websocket-echo, http-file-server and echo are beside it.) Ctrl-C stops the server."
  "$exe" "$@"
}

# ---------------------------------------------------------------------------------------------
# bench: every micro-benchmark of the release build, results as JSON in build/release/bench-results

cmd_bench() {
  local filter="${1:-}"
  local min_time="${BENCH_MIN_TIME:-0.2}"
  cmd_setup
  build release
  local dir="build/release/benchmarks/micro" out="build/release/bench-results"
  mkdir -p "$out"
  local exes=()
  if [[ -d "$dir" ]]; then
    mapfile -t exes < <(find "$dir" -maxdepth 1 -type f -executable | sort)
  fi
  ((${#exes[@]} > 0)) || die "no benchmark executables in $dir"
  local exe name args
  for exe in "${exes[@]}"; do
    name="$(basename "$exe")"
    log "bench: $name (min time ${min_time}s per benchmark)"
    args=(--benchmark_min_time="$min_time" --benchmark_out="$out/$name.json"
      --benchmark_out_format=json)
    [[ -n "$filter" ]] && args+=(--benchmark_filter="$filter")
    "$exe" "${args[@]}"
  done
  log "bench: results in $out/"
}

# ---------------------------------------------------------------------------------------------
# format

cmd_format() {
  local check=false
  case "${1:-}" in
    --check) check=true ;;
    "") ;;
    *) die "usage: ./dev.sh format [--check]" ;;
  esac
  cmd_setup
  command -v git >/dev/null || die "format needs git (it formats the tracked files)"
  local files=()
  mapfile -t files < <(git ls-files -- '*.h' '*.cpp')
  if ((${#files[@]} == 0)); then
    echo "format: no tracked *.h or *.cpp files"
    return 0
  fi
  if $check; then
    log "format --check: ${#files[@]} files"
    clang-format --dry-run --Werror "${files[@]}"
    echo "format: ${#files[@]} files are formatted"
  else
    log "format: ${#files[@]} files"
    clang-format -i "${files[@]}"
  fi
}

# ---------------------------------------------------------------------------------------------
# fuzz: every libFuzzer target of the fuzz build, N seconds each

cmd_fuzz() {
  local seconds="${1:-30}"
  [[ "$seconds" =~ ^[0-9]+$ ]] || die "usage: ./dev.sh fuzz [seconds per target]"
  cmd_setup
  print_toolchain
  build fuzz
  local dir="build/fuzz/tests/fuzz"
  local targets=()
  if [[ -d "$dir" ]]; then
    mapfile -t targets < <(find "$dir" -maxdepth 1 -type f -executable | sort)
  fi
  if ((${#targets[@]} == 0)); then
    echo "fuzz: no fuzz targets in $dir yet; nothing to run"
    return 0
  fi
  local exe name corpus artifacts seeds
  for exe in "${targets[@]}"; do
    name="$(basename "$exe")"
    corpus="build/fuzz/corpus/$name"
    artifacts="build/fuzz/artifacts/$name"
    mkdir -p "$corpus" "$artifacts"
    # New inputs go to the first folder; checked-in seeds, if any, are only read.
    seeds=()
    [[ -d "tests/fuzz/corpus/$name" ]] && seeds=("tests/fuzz/corpus/$name")
    log "fuzz: $name for ${seconds}s (corpus $corpus)"
    "$exe" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}"
  done
  log "fuzz: ${#targets[@]} targets ran without a crash"
}

# ---------------------------------------------------------------------------------------------

cmd_help() {
  cat <<'EOF'
usage: ./dev.sh <command> [args]

Every command first installs the Debian packages that are missing (apt-get, as root or via
sudo), then configures and builds what it needs. Build folders are build/<preset>.

  setup              install the missing Debian packages, nothing else
  build [preset]     configure (if needed) and build a preset (default: dev)
  test [ctest args]  build the dev preset and run every test (ctest --preset dev)
  demo [args]        build the dev preset and run the chat demo (examples/websocket-chat)
                     on 127.0.0.1:8080; open http://127.0.0.1:8080/ in a browser
  bench [filter]     build the release preset and run every micro-benchmark
                     (BENCH_MIN_TIME seconds each, default 0.2; JSON in build/release/bench-results)
  format [--check]   clang-format the tracked *.h/*.cpp files (--check: only report)
  asan [ctest args]  build and test with AddressSanitizer + UBSan (clang++-14)
  tsan [ctest args]  build and test with ThreadSanitizer (g++)
  fuzz [seconds]     build the fuzz preset and run each fuzz target (default 30 s each),
                     corpus in build/fuzz/corpus/<target>
  help               this text

Presets (cmake --list-presets): dev, release, asan, tsan, fuzz, clang.
EOF
}

main() {
  local command="${1:-help}"
  (($# > 0)) && shift
  case "$command" in
    setup) cmd_setup ;;
    build) cmd_build "$@" ;;
    test) cmd_test "$@" ;;
    demo) cmd_demo "$@" ;;
    bench) cmd_bench "$@" ;;
    format) cmd_format "$@" ;;
    asan) cmd_asan "$@" ;;
    tsan) cmd_tsan "$@" ;;
    fuzz) cmd_fuzz "$@" ;;
    help | -h | --help) cmd_help ;;
    *)
      cmd_help >&2
      die "unknown command '$command'"
      ;;
  esac
}

main "$@"
