#!/usr/bin/env bash
# Install the system packages the test suite drives: a PostgreSQL server,
# Debian's Chromium and a Java runtime for the Spark engine's tests, and a C
# compiler with Python's headers for the compiled matching modules (make native).
# Does nothing when they are present; warns (and the tests that need them skip,
# the matching engine runs as pure Python) when there is no root or no apt.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
python3 -c 'import pathlib, sys, sysconfig
sys.exit(not pathlib.Path(sysconfig.get_paths()["include"], "Python.h").is_file())' 2>/dev/null \
  || need+=(python3-dev)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${need[*]} and cannot install (need root and apt); those tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
