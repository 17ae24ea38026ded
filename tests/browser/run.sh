#!/usr/bin/env bash
# run.sh DIR TEST.mjs [ARGS...]: runs one browser test in DIR, a copy of this npm project made
# by CMake in the build folder (so that presets built side by side never share node_modules).
# `npm ci` installs the locked packages first, unless node_modules already matches the lock
# file. Anything missing fails the test loudly: a browser test that cannot run is no pass.
set -euo pipefail

dir="$1"
shift
cd "$dir"

fail() {
  echo "browser test: $*" >&2
  exit 1
}

command -v node >/dev/null || fail "node is not installed (Node.js 20 or later is needed)"
command -v npm >/dev/null || fail "npm is not installed"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || fail "$chromium is missing: run ./dev.sh setup (Debian package chromium)"

# npm ci leaves node_modules/.package-lock.json behind, newer than the lock file it installed.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ||
  package.json -nt node_modules/.package-lock.json ]]; then
  echo "browser test: npm ci in $dir"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error ||
    fail "npm ci failed (the npm registry or the cache in ~/.npm must have the locked packages)"
fi

exec node "$@"
