#!/usr/bin/env bash
# A private GAVO DaCHS server (an independent IVOA UWS/TAP implementation) for DachsAttachIT.
# start-dachs.sh -- bring up a private GAVO DaCHS (TAP/UWS) server for tests.
#
# Usage:  start-dachs.sh [WORKDIR] [PGPORT] [HTTPPORT]
#   WORKDIR   everything lives here (PostgreSQL cluster, DaCHS root, logs,
#             pid files); required.  It (and its
#             parents) must be traversable by the 'postgres' OS user.
#   PGPORT    TCP port of the private PostgreSQL cluster (127.0.0.1 only);
#             default 54329
#   HTTPPORT  port DaCHS listens on (127.0.0.1 only); default 8089
#
# Environment knobs:
#   DACHS_SKIP_INSTALL=1   never call apt-get (fail if something is missing)
#   DACHS_START_TIMEOUT=N  seconds to wait for DaCHS to answer (default 90)
#   DACHS_FOREGROUND=1     after start-up, stay attached; Ctrl-C/SIGTERM
#                          stops DaCHS and PostgreSQL again
#
# On success the LAST line on stdout is the TAP base URL, e.g.
#   http://127.0.0.1:8089/tap
# (all progress messages go to stderr, so URL=$(start-dachs.sh ...) works).
# Stop with: stop-dachs.sh WORKDIR   (or see the "stop" notes printed).
#
# Re-running is idempotent: packages, cluster, DaCHS init and the test
# table import are skipped when already done; running servers are reused.
set -euo pipefail

log()  { printf '[start-dachs] %s\n' "$*" >&2; }
die()  { printf '[start-dachs] ERROR: %s\n' "$*" >&2; exit 1; }

WORKDIR=${1:?usage: $0 WORKDIR ...}
PGPORT=${2:-54329}
HTTPPORT=${3:-8089}
START_TIMEOUT=${DACHS_START_TIMEOUT:-90}
PGVER=15
PGBIN=/usr/lib/postgresql/$PGVER/bin
PACKAGES=("postgresql-$PGVER" "postgresql-$PGVER-pgsphere" "postgresql-$PGVER-q3c"
          python3-gavo curl)

[[ $(id -u) -eq 0 ]] || die "must run as root (needs apt-get and runuser)"
[[ $PGPORT =~ ^[0-9]+$ && $PGPORT -gt 0 && $PGPORT -lt 65536 ]] \
  || die "PGPORT must be a port number, got '$PGPORT'"
[[ $HTTPPORT =~ ^[0-9]+$ && $HTTPPORT -gt 0 && $HTTPPORT -lt 65536 ]] \
  || die "HTTPPORT must be a port number, got '$HTTPPORT'"
[[ $PGPORT != "$HTTPPORT" ]] || die "PGPORT and HTTPPORT must differ"
[[ $WORKDIR = /* ]] || WORKDIR=$(pwd)/$WORKDIR
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
cd /   # so runuser'd commands never sit in a dir 'postgres' cannot read

T0=$(date +%s)

# ---------------------------------------------------------------- 1. packages
pkg_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}
missing=()
for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  [[ ${DACHS_SKIP_INSTALL:-0} = 1 ]] \
    && die "missing packages: ${missing[*]} (and DACHS_SKIP_INSTALL=1)"
  log "installing: ${missing[*]}"
  if ! pkg_installed postgresql-common; then
    # We never use Debian's default cluster; don't let the package create it.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" \
      > /etc/postgresql-common/createcluster.d/99-no-main-cluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  # NB: deliberately NOT gavodachs2-server: that package only adds an init
  # script/systemd unit, and its postinst runs 'createdb'/'dachs init'
  # against the system cluster on 5432, which fails without one.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
  log "packages installed after $(( $(date +%s) - T0 ))s"
else
  log "all packages already present"
fi
[[ -x $PGBIN/initdb ]] || die "$PGBIN/initdb not found (postgresql-$PGVER broken?)"
command -v dachs >/dev/null || die "'dachs' not on PATH (python3-gavo broken?)"
getent passwd postgres >/dev/null || die "OS user 'postgres' does not exist"

# ---------------------------------------------------------------- pgsphere fix
# Debian 12's postgresql-15-pgsphere (1.1.1+2021-11-10) defines two DaCHS
# compat operators  @(bigint,smoc) / @(spoint,smoc)  with COMMUTATOR '@>'
# and NEGATOR '!<@'.  PostgreSQL >= 15.20 (bookworm-security) enforces the
# stricter commutator check from PG 17, and CREATE EXTENSION pg_sphere (run by
# 'dachs init') then fails with
#   ERROR:  commutator operator @> is already the commutator of operator <@
# Upstream pgsphere dropped these operators (postgrespro/pgsphere#85, #92).
# We only drop the COMMUTATOR/NEGATOR clauses of those two operators
# (planner hints; the operators themselves stay).  Idempotent; harmless on
# older 15.x.  NOTE: this edits a file owned by the Debian package.
PGS_EXTDIR=/usr/share/postgresql/$PGVER/extension
PGS_VER=$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" "$PGS_EXTDIR/pg_sphere.control" 2>/dev/null || true)
PGS_SQL=$PGS_EXTDIR/pg_sphere--$PGS_VER.sql
[[ -n $PGS_VER && -f $PGS_SQL ]] || die "pgsphere extension script not found in $PGS_EXTDIR"
PGS_RE="s/(CREATE OPERATOR \@ \(\s*LEFTARG\s*=\s*(?:bigint|spoint),\s*RIGHTARG\s*=\s*smoc,\s*PROCEDURE\s*=\s*\w+,)\s*COMMUTATOR\s*=\s*'\@>',\s*NEGATOR\s*=\s*'!<\@',/\$1/g"
if ! perl -0pe "$PGS_RE" "$PGS_SQL" | cmp -s - "$PGS_SQL"; then
  log "patching $PGS_SQL (commutator clash with PostgreSQL >= 15.20; backup: $PGS_SQL.start-dachs-orig)"
  [[ -f $PGS_SQL.start-dachs-orig ]] || cp -p "$PGS_SQL" "$PGS_SQL.start-dachs-orig"
  perl -0pi -e "$PGS_RE" "$PGS_SQL" || die "could not patch $PGS_SQL"
fi

# ---------------------------------------------------------------- layout
mkdir -p "$WORKDIR"
runuser -u postgres -- test -x "$WORKDIR" \
  || die "user 'postgres' cannot traverse $WORKDIR (check parent dir perms)"
PGDIR=$WORKDIR/pg                # owned by postgres
PGDATA=$PGDIR/data
PGSOCK=$PGDIR/sock
PGLOG=$PGDIR/postgres.log
GAVO_ROOT=$WORKDIR/gavo           # DaCHS rootDir
export GAVOSETTINGS=$WORKDIR/gavo.rc
export GAVOCUSTOM=$WORKDIR/gavorc.user-unused   # ignore root's ~/.gavorc
DACHS_PID=$WORKDIR/dachs.pid
DACHS_LOG=$WORKDIR/dachs-serve.log
BASE_URL=http://127.0.0.1:$HTTPPORT
TAP_URL=$BASE_URL/tap

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pgctl() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" "$@"; }
psql_admin() {
  runuser -u postgres -- "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$PGSOCK" -p "$PGPORT" -U postgres "$@"
}

# ---------------------------------------------------------------- 2. postgres
mkdir -p "$PGDIR" "$PGSOCK"
chown postgres:postgres "$PGDIR" "$PGSOCK"
chmod 700 "$PGDIR"
if [[ ! -f $PGDATA/PG_VERSION ]]; then
  log "initdb private cluster in $PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres \
      --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 \
    || { cat "$PGDIR/initdb.log" >&2; die "initdb failed"; }
fi
# Settings are (re)written on every run so a changed PGPORT takes effect.
cat > "$PGDATA/postgresql.auto.conf" <<EOF
# written by start-dachs.sh -- private test cluster, NOT for production
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGSOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
chown postgres:postgres "$PGDATA/postgresql.auto.conf"
cat > "$PGDATA/pg_hba.conf" <<EOF
# private test cluster: trust local socket + loopback only
local all all trust
host  all all 127.0.0.1/32 trust
EOF
chown postgres:postgres "$PGDATA/pg_hba.conf"

if pgctl status >/dev/null 2>&1; then
  log "PostgreSQL already running; reloading config"
  pgctl reload >/dev/null
  # a port change needs a restart
  if ! psql_admin -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    pgctl -m fast -w restart -l "$PGLOG" >/dev/null \
      || { tail -n 30 "$PGLOG" >&2; die "PostgreSQL restart failed"; }
  fi
else
  port_busy "$PGPORT" && die "PGPORT $PGPORT on 127.0.0.1 is already in use"
  touch "$PGLOG"; chown postgres:postgres "$PGLOG"
  log "starting PostgreSQL on 127.0.0.1:$PGPORT (socket dir $PGSOCK)"
  pgctl -w -t 60 -l "$PGLOG" start >/dev/null \
    || { tail -n 30 "$PGLOG" >&2; die "PostgreSQL did not start"; }
fi
psql_admin -d postgres -Atc 'select 1' >/dev/null || die "cannot connect to PostgreSQL"
if [[ -z $(psql_admin -d postgres -Atc "select 1 from pg_database where datname='gavo'") ]]; then
  psql_admin -d postgres -c "CREATE DATABASE gavo ENCODING 'UTF8' TEMPLATE template0"
fi

# ---------------------------------------------------------------- 3. DaCHS
mkdir -p "$GAVO_ROOT"
cat > "$GAVOSETTINGS" <<EOF
# written by start-dachs.sh
[general]
rootDir: $GAVO_ROOT
# everything runs as root here; no 'gavo' unix group/user needed
group: root
gavoGroup: root
logLevel: info

[web]
# serverURL is what DaCHS puts into Location headers, jobref and result
# hrefs -- it must match how clients reach the server.
serverURL: $BASE_URL
bindAddress: 127.0.0.1
serverPort: $HTTPPORT
user: root
sitename: DaCHS UWS test server

[ivoa]
authority: dachs.test

[db]
profilePath: $GAVO_ROOT/etc

[async]
defaultExecTime: 600
maxTAPRunning: 4
EOF

if [[ ! -f $WORKDIR/.dachs-initialized ]]; then
  log "dachs init (DB roles, pgsphere/q3c extensions, system tables)"
  ( cd "$WORKDIR" && dachs init -d "host=127.0.0.1 port=$PGPORT dbname=gavo user=postgres" ) >&2 \
    || die "dachs init failed"
  touch "$WORKDIR/.dachs-initialized"
fi
# keep the DB profile in sync with PGPORT (dachs init only writes it once)
printf 'database = gavo\nhost = 127.0.0.1\nport = %s\n' "$PGPORT" > "$GAVO_ROOT/etc/dsn"

# ---------------------------------------------------------------- 4. test RD
RESDIR=$GAVO_ROOT/inputs/uwstest
mkdir -p "$RESDIR"
cat > "$RESDIR/q.rd.new" <<'EOF'
<resource schema="uwstest">
  <meta name="title">UWS integration test data</meta>
  <meta name="description">A tiny table of fake stars for UWS/TAP integration tests.</meta>
  <meta name="creationDate">2024-01-01T00:00:00Z</meta>
  <meta name="subject">testing</meta>
  <meta name="creator.name">Test, A.</meta>

  <table id="stars" onDisk="True" adql="True">
    <meta name="description">Twenty fake stars.</meta>
    <column name="id" type="integer" required="True" description="Running number"/>
    <column name="name" type="text" description="Designation"/>
    <column name="ra" type="double precision" unit="deg"
      ucd="pos.eq.ra;meta.main" description="Right ascension"/>
    <column name="dec" type="double precision" unit="deg"
      ucd="pos.eq.dec;meta.main" description="Declination"/>
    <column name="mag" type="real" unit="mag" ucd="phot.mag" description="Magnitude"/>
  </table>

  <data id="import">
    <sources>stars.csv</sources>
    <csvGrammar/>
    <make table="stars">
      <rowmaker idmaps="*"/>
    </make>
  </data>
</resource>
EOF
{
  echo "id,name,ra,dec,mag"
  for i in $(seq 1 20); do
    echo "$i,star-$i,$((i * 17 % 360)).5,$((i * 7 % 90 - 45)).25,$((10 + i % 7)).$((i % 10))"
  done
} > "$RESDIR/stars.csv.new"
rd_changed=0
for f in q.rd stars.csv; do
  if ! cmp -s "$RESDIR/$f.new" "$RESDIR/$f"; then rd_changed=1; fi
  mv -f "$RESDIR/$f.new" "$RESDIR/$f"
done
if [[ $rd_changed = 1 || ! -f $WORKDIR/.uwstest-imported ]]; then
  log "importing test table uwstest.stars"
  rm -f "$WORKDIR/.uwstest-imported"
  dachs imp uwstest/q >&2 || die "dachs imp uwstest/q failed"
  touch "$WORKDIR/.uwstest-imported"
fi

# ---------------------------------------------------------------- 5. serve
dachs_alive() { [[ -f $DACHS_PID ]] && kill -0 "$(cat "$DACHS_PID")" 2>/dev/null; }
stop_dachs() {   # TERM the whole process group, wait, then KILL
  local pid; pid=$(cat "$DACHS_PID" 2>/dev/null) || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$DACHS_PID"
}
dachs_ready() {
  curl -fsS --max-time 5 "$TAP_URL/availability" 2>/dev/null \
    | grep -q '<avl:available>true</avl:available>'
}

PORTS_FILE=$WORKDIR/.ports
if dachs_alive && [[ $(cat "$PORTS_FILE" 2>/dev/null) != "$PGPORT $HTTPPORT" ]]; then
  log "ports changed since DaCHS was started; restarting it"
  stop_dachs
fi
if dachs_alive && dachs_ready; then
  log "DaCHS already running (pid $(cat "$DACHS_PID"))"
else
  if dachs_alive; then
    log "unresponsive DaCHS (pid $(cat "$DACHS_PID")), restarting it"
    stop_dachs
  fi
  rm -f "$DACHS_PID"
  port_busy "$HTTPPORT" && die "HTTPPORT $HTTPPORT on 127.0.0.1 is already in use"
  log "starting DaCHS on $BASE_URL (log: $DACHS_LOG, $GAVO_ROOT/logs/)"
  # setsid: own process group (so stop can kill the TAP worker children too)
  # and immune to the caller's Ctrl-C / terminal hang-up.
  ( cd "$WORKDIR" && exec setsid dachs serve start --foreground ) \
    >>"$DACHS_LOG" 2>&1 </dev/null &
  echo $! > "$DACHS_PID"
  echo "$PGPORT $HTTPPORT" > "$PORTS_FILE"
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until dachs_ready; do
    if ! dachs_alive; then
      tail -n 40 "$DACHS_LOG" >&2
      die "DaCHS exited during start-up (see $DACHS_LOG and $GAVO_ROOT/logs/dcErrors)"
    fi
    (( $(date +%s) < deadline )) \
      || { tail -n 40 "$DACHS_LOG" >&2; die "DaCHS did not answer within ${START_TIMEOUT}s"; }
    sleep 0.5
  done
fi

log "ready after $(( $(date +%s) - T0 ))s total"
log "  TAP base:   $TAP_URL      (async: $TAP_URL/async, sync: $TAP_URL/sync)"
log "  test table: uwstest.stars (20 rows), plus TAP_SCHEMA.*"
log "  stop with:  $SCRIPT_DIR/stop-dachs.sh $WORKDIR"
log "      or:     kill -TERM -- -\$(cat $DACHS_PID); runuser -u postgres -- $PGBIN/pg_ctl -D $PGDATA -m fast stop"
echo "$TAP_URL"

if [[ ${DACHS_FOREGROUND:-0} = 1 ]]; then
  stop_all() {
    log "stopping"
    stop_dachs
    pgctl -m fast stop >/dev/null 2>&1 || true
    exit 0
  }
  trap stop_all INT TERM
  while dachs_alive; do sleep 1; done
  log "DaCHS exited"; pgctl -m fast stop >/dev/null 2>&1 || true
fi
