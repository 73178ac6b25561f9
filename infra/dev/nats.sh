#!/usr/bin/env bash
# Local nats-server with JetStream for development and tests.
#   infra/dev/nats.sh install|start|stop|status
# Installs Debian's nats-server when missing; data and logs live under $FERRET_DEV_DIR
# (default: a per-user temp dir), so nothing outside it is touched.
set -euo pipefail
DEV_DIR=${FERRET_DEV_DIR:-${TMPDIR:-/tmp}/ferret-dev}
PORT=${NATS_PORT:-4222}
MON_PORT=${NATS_MONITOR_PORT:-8222}
DIR="$DEV_DIR/nats"
PIDFILE="$DIR/nats.pid"
LOG="$DIR/nats.log"

install() {
  command -v nats-server >/dev/null 2>&1 && return 0
  echo "nats: installing Debian package nats-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq nats-server >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq nats-server >/dev/null; }
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  install
  if running; then echo "nats: already running (pid $(cat "$PIDFILE")) on nats://127.0.0.1:$PORT"; return 0; fi
  mkdir -p "$DIR/js"
  # stdio away from the caller's: a server left holding a pipe (make | tee, CI log capture) would keep it open.
  nats-server -a 127.0.0.1 -p "$PORT" -m "$MON_PORT" -js -sd "$DIR/js" -l "$LOG" -P "$PIDFILE" </dev/null >>"$LOG" 2>&1 &
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$MON_PORT/healthz?js-enabled-only=true" >/dev/null 2>&1; then
      echo "nats: ready on nats://127.0.0.1:$PORT (JetStream in $DIR/js, log $LOG)"
      return 0
    fi
    sleep 0.1
  done
  echo "nats: did not become ready; see $LOG" >&2
  tail -n 20 "$LOG" >&2 || true
  return 1
}

stop() {
  if running; then
    kill "$(cat "$PIDFILE")" && for _ in $(seq 1 50); do running || break; sleep 0.1; done
    echo "nats: stopped"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "nats: running (pid $(cat "$PIDFILE"))"; else echo "nats: not running"; exit 1; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
