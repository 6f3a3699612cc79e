#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1:55432 for tests (user/password/db: rasa).
# Usage: scripts/test-postgres.sh start|stop. Installs Debian's postgresql if missing.
set -uo pipefail
DIR="${TEST_PG_DIR:-/tmp/rasa-test-pg}"
PORT=55432
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-}" in
start)
  if [ -z "$(bin_dir)" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 || exit 1
  fi
  BIN="$(bin_dir)"
  id postgres >/dev/null 2>&1 || exit 1
  rm -rf "$DIR" && mkdir -p "$DIR" && chown postgres "$DIR"
  su postgres -c "$BIN/initdb -D $DIR/data -U postgres -A trust" >/dev/null || exit 1
  su postgres -c "$BIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -l $DIR/log -w start" >/dev/null || exit 1
  su postgres -c "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -qc \"CREATE USER rasa PASSWORD 'rasa'\"" >/dev/null
  su postgres -c "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -qc 'CREATE DATABASE rasa OWNER rasa'" >/dev/null
  ;;
stop)
  BIN="$(bin_dir)"
  [ -n "$BIN" ] && su postgres -c "$BIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
