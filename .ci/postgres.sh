#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, pg_ctl) that the multi-worker study tests need are
# installed. The tests start and stop their own throw-away server (as the `postgres` user when run as
# root); nothing is left running. Usage: .ci/postgres.sh   (needs root or sudo to install)
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  echo "postgres.sh: PostgreSQL server binaries present: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tr '\n' ' ')"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "postgres.sh: installing PostgreSQL (apt-get install -y postgresql)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql
# The Debian package starts a cluster service; the tests don't use it.
$SUDO service postgresql stop >/dev/null 2>&1 || true
ls -d /usr/lib/postgresql/*/bin
