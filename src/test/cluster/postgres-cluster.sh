#!/usr/bin/env bash
# A PostgreSQL of the tests' own, to restart under a running hub: initdb under target/postgres-cluster/,
# port 54329, trust authentication on 127.0.0.1. It never touches the PostgreSQL on 5432.
#
#   postgres-cluster.sh start               create (fresh) and start it
#   postgres-cluster.sh restart-immediate   restart with -m immediate (no checkpoint, clients cut off)
#   postgres-cluster.sh stop                stop it and remove its data
set -euo pipefail

PORT=54329
ROOT="${HUB_PG_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/target/postgres-cluster}"
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA="$ROOT/data"

# initdb and the server refuse to run as root: run them as the postgres user when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

stop() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_owner "'$BIN/pg_ctl' -D '$DATA' -m immediate -w stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$ROOT"
}

case "${1:-}" in
  start)
    stop
    mkdir -p "$ROOT"
    [ "$(id -u)" = 0 ] && chown postgres "$ROOT"
    as_owner "'$BIN/initdb' -D '$DATA' -U postgres --auth=trust --no-sync" >/dev/null
    as_owner "'$BIN/pg_ctl' -D '$DATA' -l '$ROOT/server.log' -w -o \"-p $PORT -k '$ROOT' -c listen_addresses=127.0.0.1 -c fsync=off\" start" >/dev/null
    ;;
  restart-immediate)
    as_owner "'$BIN/pg_ctl' -D '$DATA' -m immediate -w -l '$ROOT/server.log' -o \"-p $PORT -k '$ROOT' -c listen_addresses=127.0.0.1 -c fsync=off\" restart" >/dev/null
    ;;
  stop) stop ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
