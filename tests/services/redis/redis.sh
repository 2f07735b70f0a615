#!/usr/bin/env bash
# Start/stop a real Redis (Debian's redis-server) on a loopback port for Perceo's tests.
#
#   redis.sh start [--port P] [--password PW] [--aof]   -> prints redis://perceo:PW@127.0.0.1:P
#   redis.sh stop  [--port P]
#
# An ACL user `perceo` (all commands and keys) gets the password; the default user is
# disabled. Installs redis-server with apt-get when it is missing. --aof keeps data across
# restarts (appendfsync always). Files live in ${PERCEO_SERVICES_DIR:-/tmp/perceo-services}.
set -euo pipefail

PORT=16379
PASSWORD=perceo-redis-pw
AOF=no
SERVICES_DIR="${PERCEO_SERVICES_DIR:-/tmp/perceo-services}"

cmd="${1:-}"; shift || true
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --password) PASSWORD="$2"; shift 2 ;;
    --aof) AOF=yes; shift ;;
    *) echo "redis.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
dir="$SERVICES_DIR/redis-$PORT"
pidfile="$dir/redis.pid"

ensure_installed() {
  command -v redis-server >/dev/null 2>&1 && return
  echo "redis.sh: installing redis-server (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  start)
    ensure_installed
    mkdir -p "$dir"
    if ! running; then
      # The ACL file keeps the password out of the process list.
      printf 'user default off\nuser perceo on >%s ~* &* +@all\n' "$PASSWORD" > "$dir/users.acl"
      chmod 600 "$dir/users.acl"
      redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$pidfile" \
        --dir "$dir" --logfile "$dir/redis.log" --save "" --appendonly "$AOF" --appendfsync always \
        --aclfile "$dir/users.acl" >/dev/null
      for _ in $(seq 1 100); do
        redis-cli -p "$PORT" --user perceo --pass "$PASSWORD" --no-auth-warning PING 2>/dev/null | grep -q PONG && break
        sleep 0.1
      done
      redis-cli -p "$PORT" --user perceo --pass "$PASSWORD" --no-auth-warning PING 2>/dev/null | grep -q PONG \
        || { echo "redis.sh: redis did not start on port $PORT:" >&2; tail -20 "$dir/redis.log" >&2; exit 1; }
      echo "redis.sh: redis up on 127.0.0.1:$PORT" >&2
    fi
    echo "redis://perceo:$PASSWORD@127.0.0.1:$PORT"
    ;;
  stop)
    if running; then
      pid="$(cat "$pidfile")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      echo "redis.sh: stopped redis on port $PORT" >&2
    fi
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
