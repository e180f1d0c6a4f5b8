#!/usr/bin/env bash
# stop-dachs.sh -- stop what start-dachs.sh started.
# Usage: stop-dachs.sh [WORKDIR] [--purge]
#   --purge  also delete WORKDIR (cluster, DaCHS root, jobs, logs)
set -euo pipefail
log() { printf '[stop-dachs] %s\n' "$*" >&2; }
die() { printf '[stop-dachs] ERROR: %s\n' "$*" >&2; exit 1; }

WORKDIR=${1:?usage: $0 WORKDIR ...}
PURGE=0; [[ ${2:-} = --purge ]] && PURGE=1
[[ $(id -u) -eq 0 ]] || die "must run as root"
[[ -d $WORKDIR ]] || { log "$WORKDIR does not exist; nothing to stop"; exit 0; }
PGDATA=$WORKDIR/pg/data
PGBIN=/usr/lib/postgresql/15/bin
PIDF=$WORKDIR/dachs.pid

if [[ -f $PIDF ]]; then
  pid=$(cat "$PIDF")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping DaCHS (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "DaCHS did not exit on TERM; sending KILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    log "DaCHS pid $pid not running"
  fi
  rm -f "$PIDF"
fi

if [[ -f $PGDATA/PG_VERSION ]] \
   && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "stopping PostgreSQL ($PGDATA)"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
fi

if [[ $PURGE = 1 ]]; then
  log "removing $WORKDIR"
  rm -rf -- "$WORKDIR"
fi
log "done"
