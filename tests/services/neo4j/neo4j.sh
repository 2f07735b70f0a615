#!/usr/bin/env bash
# Start/stop a real Neo4j 5.26 Community server (embedded DBMS + Bolt, built from Maven
# Central artifacts) for Perceo's integration tests. No Docker, no other downloads.
#
#   neo4j.sh start  [--port P] [--password PW] [--database DB]   -> prints bolt://127.0.0.1:P
#   neo4j.sh stop   [--port P]
#   neo4j.sh status [--port P]
#   neo4j.sh build                                                 (just build the launcher)
#
# Defaults: port 17687, password perceo-test-pw (user neo4j), database perceo.
# Env: PERCEO_SERVICES_DIR (default /tmp/perceo-services), NEO4J_START_TIMEOUT (s, default 120),
#      NEO4J_JAVA_OPTS (extra JVM options), JAVA (java binary), MVN (mvn binary).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICES_DIR="${PERCEO_SERVICES_DIR:-/tmp/perceo-services}"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"
STOP_TIMEOUT="${NEO4J_STOP_TIMEOUT:-30}"
JAR="$HERE/target/neo4j-testserver.jar"

PORT=17687
PASSWORD=perceo-test-pw
DATABASE=perceo

log() { echo "neo4j.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

parse_opts() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) [ $# -ge 2 ] || die "--port needs a value"; PORT="$2"; shift 2 ;;
      --port=*) PORT="${1#*=}"; shift ;;
      --password) [ $# -ge 2 ] || die "--password needs a value"; PASSWORD="$2"; shift 2 ;;
      --password=*) PASSWORD="${1#*=}"; shift ;;
      --database) [ $# -ge 2 ] || die "--database needs a value"; DATABASE="$2"; shift 2 ;;
      --database=*) DATABASE="${1#*=}"; shift ;;
      -h|--help) usage ;;
      *) die "unknown option: $1" ;;
    esac
  done
  [[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -gt 0 ] && [ "$PORT" -lt 65536 ] || die "bad port: $PORT"
  [ "${#PASSWORD}" -ge 8 ] || die "password must be at least 8 characters"
  [[ "$DATABASE" =~ ^[A-Za-z][A-Za-z0-9.-]{1,61}[A-Za-z0-9]$ ]] || die "bad database name: $DATABASE"
  BASE="$SERVICES_DIR/neo4j-$PORT"
  PIDFILE="$SERVICES_DIR/neo4j-$PORT.pid"
  LOGFILE="$SERVICES_DIR/neo4j-$PORT.log"
  URI="bolt://127.0.0.1:$PORT"
}

# True if the pid file names a live launcher process.
running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: it must be our launcher.
  grep -q 'dev.perceo.testserver.Neo4jServer\|neo4j-testserver.jar' "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

build() {
  # Rebuild only when the jar is missing or older than the sources / pom.
  if [ -f "$JAR" ] && [ -d "$HERE/target/lib" ] \
     && [ -z "$(find "$HERE/pom.xml" "$HERE/src" -newer "$JAR" -print -quit)" ]; then
    return 0
  fi
  command -v "$MVN" >/dev/null || die "mvn not found (need Maven 3.8+)"
  log "building launcher (first run downloads Neo4j from Maven Central)..."
  local t0=$SECONDS buildlog
  mkdir -p "$SERVICES_DIR"
  buildlog="$SERVICES_DIR/neo4j-build.log"
  if ! (cd "$HERE" && "$MVN" -B -Dstyle.color=never package) >"$buildlog" 2>&1; then
    log "maven build failed; last lines of $buildlog:"
    tail -n 30 "$buildlog" >&2 || true
    exit 1
  fi
  log "build done in $((SECONDS - t0))s (log $buildlog)"
}

# Serialize start/stop for one port (the lock fd is closed for the Java child).
lock_port() {
  mkdir -p "$SERVICES_DIR"
  if command -v flock >/dev/null; then
    exec 9>"$SERVICES_DIR/neo4j-$PORT.lock"
    flock -w 300 9 || die "could not lock $SERVICES_DIR/neo4j-$PORT.lock"
  fi
}

cmd_start() {
  parse_opts "$@"
  lock_port
  local pid
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then
      echo "$URI"
      return 0
    fi
    die "launcher pid $pid exists but port $PORT is not open; run: $0 stop --port $PORT"
  fi
  rm -f "$PIDFILE"
  if port_open "$PORT"; then
    die "port $PORT on 127.0.0.1 is already in use by another process"
  fi

  build

  # Fresh data dir every start: initial.dbms.default_database and the password only apply
  # to a new store.
  rm -rf "$BASE"
  mkdir -p "$BASE"
  : >"$LOGFILE"

  local -a jvm=(
    -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss1m
    -XX:+ExitOnOutOfMemoryError
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true
    -Dlog4j2.disable.jmx=true
  )
  # shellcheck disable=SC2206
  [ -n "${NEO4J_JAVA_OPTS:-}" ] && jvm+=(${NEO4J_JAVA_OPTS})

  # Password goes via the environment, never on the command line.
  PERCEO_NEO4J_PASSWORD="$PASSWORD" nohup "$JAVA" "${jvm[@]}" \
      -cp "$JAR:$HERE/target/lib/*" dev.perceo.testserver.Neo4jServer \
      --port "$PORT" --data-dir "$BASE" --database "$DATABASE" \
      </dev/null >>"$LOGFILE" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"

  local t0=$SECONDS
  while :; do
    if grep -q "^READY bolt://" "$LOGFILE" 2>/dev/null && port_open "$PORT"; then
      log "neo4j up on $URI (database $DATABASE, pid $pid) in $((SECONDS - t0))s; log $LOGFILE"
      echo "$URI"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "neo4j launcher exited during startup; last log lines:"
      tail -n 40 "$LOGFILE" >&2 || true
      [ -f "$BASE/logs/debug.log" ] && { log "debug.log tail:"; tail -n 20 "$BASE/logs/debug.log" >&2; }
      rm -f "$PIDFILE"
      exit 1
    fi
    if [ $((SECONDS - t0)) -ge "$START_TIMEOUT" ]; then
      log "neo4j did not become ready within ${START_TIMEOUT}s; last log lines:"
      tail -n 40 "$LOGFILE" >&2 || true
      [ -f "$BASE/logs/debug.log" ] && { log "debug.log tail:"; tail -n 20 "$BASE/logs/debug.log" >&2; }
      stop_pid "$pid"
      rm -f "$PIDFILE"
      exit 1
    fi
    sleep 0.5
  done
}

stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((STOP_TIMEOUT * 2)) ]; then
      log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

cmd_stop() {
  parse_opts "$@"
  lock_port
  local pid
  if pid="$(running_pid)"; then
    stop_pid "$pid"
    log "stopped neo4j on port $PORT (pid $pid)"
  else
    log "neo4j on port $PORT is not running"
  fi
  rm -f "$PIDFILE"
}

cmd_status() {
  parse_opts "$@"
  local pid
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then
      echo "running pid=$pid uri=$URI log=$LOGFILE"
      return 0
    fi
    echo "starting-or-unhealthy pid=$pid port $PORT not open log=$LOGFILE"
    return 1
  fi
  echo "stopped (port $PORT)"
  return 3
}

main() {
  [ $# -ge 1 ] || usage
  local sub="$1"; shift
  case "$sub" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    build) build ;;
    -h|--help|help) usage ;;
    *) log "unknown command: $sub"; usage ;;
  esac
}

main "$@"
