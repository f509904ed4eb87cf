#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server on loopback, its URL in
# DPRKWATCH_TEST_POSTGRES_URL. The cluster lives in a temporary directory and
# is stopped and removed afterwards. Without PostgreSQL installed, the command
# runs anyway and the PostgreSQL tests skip.
set -uo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ -n "${DPRKWATCH_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$tmp" 2>/dev/null || { useradd -r postgres && chown postgres "$tmp"; }
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U dprkwatch --auth=trust >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off" start >/dev/null
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U dprkwatch dprkwatch_test
export DPRKWATCH_TEST_POSTGRES_URL="postgresql+psycopg://dprkwatch@127.0.0.1:$port/dprkwatch_test"
"$@"
