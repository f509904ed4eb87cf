#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server on loopback, its URL in
# DPRKWATCH_TEST_POSTGRES_URL. The cluster lives in a temporary directory and
# is stopped and removed afterwards (fsync is off: it holds test data only).
# Without PostgreSQL installed, or with DPRKWATCH_TEST_POSTGRES_URL already
# set, the command runs as it is (and the PostgreSQL tests skip, or use that
# server). If PostgreSQL is installed but will not start, this fails loudly
# rather than letting the PostgreSQL tests skip unnoticed.
set -uo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ -n "${DPRKWATCH_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd -r postgres
  chown postgres "$tmp"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "with-postgres: $1" >&2
  [ -f "$tmp/log" ] && tail -n 20 "$tmp/log" >&2
  exit 1
}
"${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U dprkwatch --auth=trust >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; fail "initdb failed"; }
"${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c max_connections=200" start >/dev/null \
  || fail "the server did not start"
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U dprkwatch dprkwatch_test \
  || fail "createdb failed"
export DPRKWATCH_TEST_POSTGRES_URL="postgresql+psycopg://dprkwatch@127.0.0.1:$port/dprkwatch_test"
"$@"
