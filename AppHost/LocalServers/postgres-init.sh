#!/usr/bin/env bash
# The one-shot step before the PostgreSQL server: creates the cluster on the first run and checks it on every later one.
# It never deletes anything: a folder that is not a cluster stops the start, with the reason.
# Usage: postgres-init.sh <bin directory> <data directory>, the superuser's password in POSTGRES_PASSWORD.
set -euo pipefail
bin=$1
data=$2

if [ ! -x "$bin/postgres" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries (postgres, initdb) are missing in $bin: run ./eng/setup.sh to install them." >&2
  exit 1
fi
if [ -f "$data/PG_VERSION" ]; then
  echo "Reusing the data in $data."
  exit 0
fi
if [ -d "$data" ] && [ -n "$(ls -A "$data")" ]; then
  echo "$data is not a PostgreSQL data directory (PG_VERSION is missing), so the data folder looks damaged." \
    "Nothing was changed: restore it, or move it aside (or delete the data folder) to start afresh." >&2
  exit 1
fi

echo "Creating a new cluster in $data."
mkdir -p "$data"
root=$(dirname "$data")
password_file="$root/.initdb-password"
trap 'rm -f "$password_file"' EXIT
(umask 077 && printf '%s' "$POSTGRES_PASSWORD" >"$password_file")
# PostgreSQL refuses to run as root: as root, hand it the folder and run it as the postgres user.
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres:postgres "$root"
  as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
"${as_postgres[@]}" "$bin/initdb" -D "$data" -U postgres -E UTF8 --no-locale \
  --auth-local=peer --auth-host=scram-sha-256 --pwfile="$password_file"
