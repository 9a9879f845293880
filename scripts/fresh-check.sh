#!/usr/bin/env bash
# fresh-check: the first minutes of a new user, on a fresh clone of the
# committed tree. It clones into a temporary folder, starts `make run` in
# the background on free ports until the server logs that it is ready,
# talks to it with redis-cli (PING, SET, GET), loads the playground page
# in headless Chromium until its engine answers, then stops the server and
# removes the clone. Exit status 0 means every step worked.
#
#   make fresh-check            (or scripts/fresh-check.sh [repository])
set -euo pipefail

repo=${1:-$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)}
work=$(mktemp -d /tmp/goredis-fresh-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'fresh-check FAILED: %s\n' "$*" >&2; exit 1; }

# free_port asks the kernel for a port nobody listens on.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

step "clone $repo (committed files only)"
git clone -q "$repo" "$work/goredis"
cd "$work/goredis"

port=$(free_port)
http_port=$(free_port)
while [ "$http_port" = "$port" ]; do http_port=$(free_port); done

step "make run PORT=$port HTTP_PORT=$http_port"
# setsid: the server and make get a process group of their own, stopped
# together at the end.
setsid make run PORT="$port" HTTP_PORT="$http_port" >"$work/run.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 600))
until grep -q "Ready to accept connections" "$work/run.log"; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/run.log"; fail "make run exited before the server was ready"; }
  [ "$SECONDS" -lt "$deadline" ] || { cat "$work/run.log"; fail "no 'Ready to accept connections' within 10 minutes"; }
  sleep 0.5
done
grep -q "Playground at http://127.0.0.1:$http_port/" "$work/run.log" || fail "the ready server did not print the playground URL"
grep -E "Ready to accept|Playground at" "$work/run.log"

step "redis-cli -p $port"
cli() { redis-cli -p "$port" "$@"; }
[ "$(cli PING)" = "PONG" ] || fail "PING"
[ "$(cli SET fresh:check "it works")" = "OK" ] || fail "SET"
[ "$(cli GET fresh:check)" = "it works" ] || fail "GET"
echo "PING, SET and GET answered"

step "the playground in headless Chromium"
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || fail "no chromium to load the playground with (apt-get install chromium)"
# The page's module script runs PING in the in-page engine and marks the
# document ready; --virtual-time-budget lets it finish before the DOM dump.
dom=$("$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$work/profile" --virtual-time-budget=30000 \
  --dump-dom "http://127.0.0.1:$http_port/" 2>/dev/null)
grep -q 'data-ready="true"' <<<"$dom" || fail "the playground page never became ready"
grep -q 'in-page WebAssembly' <<<"$dom" || fail "the page does not say that the in-page engine runs"
echo "the page loaded and its in-page engine started"

step "stop"
kill -TERM -- "-$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
grep -q "ready to exit" "$work/run.log" || fail "the server did not shut down cleanly"
echo "fresh-check passed"
