# Private PostgreSQL cluster for tests, sourced by tests/pg/*.sh.
#
#   pg_up           initdb into a temp dir, start it listening only on a unix
#                   socket in that dir (no TCP); sets PG_DIR, PG_BIN, PG_SOCK
#   pg_createdb DB  a fresh database
#   pg_conninfo DB  libpq URI for sottod (no shell metacharacters)
#   pg_psql DB SQL  runs SQL, prints unaligned rows
#   pg_down         stops the cluster and removes the dir (call from a trap)
#
# initdb and postgres refuse to run as root: as root the cluster runs as
# `nobody` in a dir it owns; clients (sottod, psql) connect as the cluster's
# superuser "sotto" over the socket with trust auth (the dir is private).
# Missing binaries are an error, never a skip: scripts/deps installs them.

PG_DIR=""
PG_BIN=""

pg_find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
    "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      PG_BIN="$d"
      return 0
    fi
  done
  echo "FAIL: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found;" \
    "run scripts/deps (Debian package postgresql)" >&2
  return 1
}

# Runs a server-side command as the cluster's owner.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

pg_up() {
  pg_find_bin || return 1
  command -v psql >/dev/null || { echo "FAIL: psql not found; run scripts/deps" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/sotto-pg-XXXXXX) || return 1
  PG_SOCK="$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$PG_DIR"
  fi
  chmod 700 "$PG_DIR"
  if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U sotto --auth=trust \
    --no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1; then
    echo "FAIL: initdb failed:" >&2
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  # unix socket only; fsync off (PG_FSYNC=on for benchmarks): the tests kill
  # sottod, never PostgreSQL
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $PG_DIR -c fsync=${PG_FSYNC:-off} -c max_connections=50" \
    start >/dev/null; then
    echo "FAIL: PostgreSQL did not start:" >&2
    cat "$PG_DIR/server.log" >&2
    return 1
  fi
}

pg_down() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$PG_DIR" ] && [ -z "${SOTTO_KEEP_TMP:-}" ]; then
    rm -rf "$PG_DIR"
  fi
}

pg_createdb() {
  psql -X -q -h "$PG_SOCK" -U sotto -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE \"$1\"" >/dev/null
}

# The socket dir percent-encoded as the URI's host: no spaces, '&' or '?'
# that a shell (popen, wrappers) would split.
pg_conninfo() {
  echo "postgresql://sotto@${PG_SOCK//\//%2F}/$1"
}

pg_psql() {
  psql -X -q -A -t -h "$PG_SOCK" -U sotto -d "$1" -v ON_ERROR_STOP=1 -c "$2"
}
