#!/usr/bin/env bash
# Local single-node OpenSearch for development and tests.
#   infra/dev/opensearch.sh install|start|stop|status
#
# Distribution: the minimal "integ-test-zip" build from Maven Central
# (org.opensearch.distribution.integ-test-zip:opensearch, pinned below, sha512-checked), plus the
# analysis-common module (org.opensearch.plugin:analysis-common, same version, sha512-checked) that this
# script adds. The zip is cached under $FERRET_CACHE_DIR and unpacked there once; config, data and logs
# live under $FERRET_DEV_DIR/opensearch (default: a per-machine temp dir), so nothing else is touched.
# No bundled JDK: uses a Java 11..23 runtime (17 and 21 are the tested ones; Java 24+ removed the
# SecurityManager OpenSearch 2.x needs, so Temurin 25 cannot run it).
#
# What the node can analyse (the embedded BM25 index must match whichever analyzer a caller picks):
#   - The bare integ-test zip ships ONE module, transport-netty4, and no plugins: no security plugin (plain
#     HTTP, no auth), no painless, and only Lucene-core analysis: analyzers standard, simple, whitespace,
#     stop, keyword; token filters lowercase, stop. There is NO `english` analyzer and no stemmer in it
#     (english, pattern, fingerprint, porter_stem, stemmer, asciifolding all answer "failed to find").
#   - analysis-common, added here, brings the language analyzers (english, ...), porter_stem / stemmer /
#     kstem, asciifolding, shingle, word_delimiter_graph, pattern, etc. `english` is Lucene's
#     EnglishAnalyzer: standard tokenizer, English possessive filter, lowercase, Lucene's English stop set
#     (33 words), Porter stemmer ("The Ferrets' running quickly" -> ferret run quickli).
#   Check with: curl -s 127.0.0.1:9200/_cat/plugins?v ; curl -s '127.0.0.1:9200/_nodes/plugins?filter_path=**.modules.name'
#
# Running as root: OpenSearch refuses to (there is no override), so when this script runs as root it
# creates a system user (ferret-os), hands it the node's config/data/logs directory, and starts the JVM
# with setpriv under that user. The cache then defaults to /var/cache/ferret (readable by that user;
# root's $HOME usually is not).
#
# If the integ-test zip were ever not served, the fallback is assembling a node from the Maven artifacts
# it is built from (org.opensearch:opensearch + its lib/ dependencies + transport-netty4); not needed now.
set -euo pipefail
VERSION=2.19.6
ZIP_SHA512=8adbfaa13162b8d42b388ece6b39bfb7f1a349ab9c128d4eced78ba1dd43b5a10850b43b8aac19fa5ab11f4d5c355ddf6f6617514d6112b0936a1903005d1d36
ANALYSIS_COMMON_SHA512=83f826f36779b5e2e25a5b48d626284d3253463420aafb0bd917ec1801f8ec3f50129fc3359fa073cb45b78630c416875a7071a505dc07354da77ab92a58d96d
MAVEN=${FERRET_MAVEN_URL:-https://repo1.maven.org/maven2}
ZIP_URL="$MAVEN/org/opensearch/distribution/integ-test-zip/opensearch/$VERSION/opensearch-$VERSION.zip"
AC_URL="$MAVEN/org/opensearch/plugin/analysis-common/$VERSION/analysis-common-$VERSION.jar"

DEV_DIR=${FERRET_DEV_DIR:-${TMPDIR:-/tmp}/ferret-dev}
PORT=${OPENSEARCH_PORT:-9200}
HEAP=${OPENSEARCH_HEAP:-512m}
RUN_USER=ferret-os
if [ "$(id -u)" = 0 ]; then
  CACHE_DIR=${FERRET_CACHE_DIR:-/var/cache/ferret}
else
  CACHE_DIR=${FERRET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ferret}
fi
OS_HOME="$CACHE_DIR/opensearch-$VERSION"
# Identifies what install_dist builds; bump the suffix when its recipe changes so caches get rebuilt.
LAYOUT="$VERSION ${ZIP_SHA512:0:16} ${ANALYSIS_COMMON_SHA512:0:16} r1"
DIR="$DEV_DIR/opensearch"
PIDFILE="$DIR/opensearch.pid"
LOG_DIR="$DIR/logs"
LOG="$LOG_DIR/ferret-dev.log" # <cluster.name>.log
URL="http://127.0.0.1:$PORT"

say() { echo "opensearch: $*"; }
die() { echo "opensearch: $*" >&2; exit 1; }

# Downloads $1 to $2 unless a file with sha512 $3 is already there.
fetch() {
  local url=$1 dest=$2 sha=$3
  if [ -f "$dest" ] && echo "$sha  $dest" | sha512sum -c --status; then return 0; fi
  say "downloading $url"
  curl -fsSL --retry 3 --retry-delay 2 -o "$dest.part" "$url"
  echo "$sha  $dest.part" | sha512sum -c --status || { rm -f "$dest.part"; die "checksum mismatch for $url"; }
  mv "$dest.part" "$dest"
}

# Major version of the java binary $1 (17, 21, ...; 8 for 1.8), or nothing if it does not run.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { v = $2 } END {
    sub(/^1\./, "", v); print v }'
}

# Prints a JAVA_HOME whose java OpenSearch 2.x runs on (11..21 are supported; 22/23 work; 24+ do not).
find_java_home() {
  local c java major
  local -a candidates=()
  [ -n "${OPENSEARCH_JAVA_HOME:-}" ] && { echo "$OPENSEARCH_JAVA_HOME"; return 0; }
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  java=$(command -v java 2>/dev/null) && candidates+=("$(dirname "$(dirname "$(readlink -f "$java")")")")
  for c in /usr/lib/jvm/*/; do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] || continue
    major=$(java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 11 ] && [ "$major" -le 23 ]; then echo "$c"; return 0; fi
  done
  return 1
}

ensure_java() {
  find_java_home >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "no Java 11..23 runtime found; install one (e.g. apt-get install openjdk-17-jre-headless) or set OPENSEARCH_JAVA_HOME"
  say "installing Debian package openjdk-17-jre-headless"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
  find_java_home >/dev/null || die "still no usable Java after installing openjdk-17-jre-headless"
}

installed() { [ "$(cat "$OS_HOME/.ferret-layout" 2>/dev/null)" = "$LAYOUT" ]; }

install_dist() {
  installed && return 0
  command -v unzip >/dev/null || die "unzip is missing (apt-get install unzip)"
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/.opensearch-$VERSION.lock"
  flock 9 # another caller may be installing right now
  if ! installed; then
    local zip="$CACHE_DIR/opensearch-$VERSION.zip" jar="$CACHE_DIR/analysis-common-$VERSION.jar" tmp
    fetch "$ZIP_URL" "$zip" "$ZIP_SHA512"
    fetch "$AC_URL" "$jar" "$ANALYSIS_COMMON_SHA512"
    tmp=$(mktemp -d "$CACHE_DIR/.unpack.XXXXXX")
    unzip -q "$zip" -d "$tmp"
    # A module is a folder of jars plus a descriptor; Maven has the jar, the descriptor is written here.
    # analysis-common normally extends lang-painless (for a script filter); without painless it loads alone.
    mkdir -p "$tmp/opensearch-$VERSION/modules/analysis-common"
    cp "$jar" "$tmp/opensearch-$VERSION/modules/analysis-common/"
    cat >"$tmp/opensearch-$VERSION/modules/analysis-common/plugin-descriptor.properties" <<EOF
description=Adds "built in" analyzers to OpenSearch.
version=$VERSION
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=$VERSION
EOF
    chmod -R a+rX "$tmp"
    rm -rf "$OS_HOME"
    mv "$tmp/opensearch-$VERSION" "$OS_HOME"
    rmdir "$tmp"
    echo "$LAYOUT" >"$OS_HOME/.ferret-layout"
    say "installed $VERSION in $OS_HOME"
  fi
  exec 9>&-
}

install() {
  ensure_java
  install_dist
}

pid() { cat "$PIDFILE" 2>/dev/null; }
running() { [ -s "$PIDFILE" ] && kill -0 "$(pid)" 2>/dev/null; }
healthy() { curl -fsS "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -q '"status":"\(yellow\|green\)"'; }

# Writes the node's config dir (fresh on every start, so settings below always apply).
write_config() {
  local conf="$DIR/config"
  rm -rf "$conf"
  mkdir -p "$conf" "$DIR/data" "$LOG_DIR" "$DIR/tmp"
  cp -r "$OS_HOME/config/." "$conf/"
  # jvm.options uses paths relative to the install (read-only cache): point them into $DIR.
  sed -i -e "s#^-Xms.*#-Xms$HEAP#" -e "s#^-Xmx.*#-Xmx$HEAP#" \
    -e "s#HeapDumpPath=data#HeapDumpPath=$DIR/data#" -e "s#file=logs/gc.log#file=$LOG_DIR/gc.log#" \
    -e "s#ErrorFile=logs/#ErrorFile=$LOG_DIR/#" -e "s#filecount=32,filesize=64m#filecount=2,filesize=16m#" \
    "$conf/jvm.options"
  cat >"$conf/opensearch.yml" <<EOF
cluster.name: ferret-dev
node.name: ferret-dev-1
path.data: $DIR/data
path.logs: $LOG_DIR
network.host: 127.0.0.1
http.port: $PORT
transport.port: 9300-9400
discovery.type: single-node
# A dev machine's disk may be nearly full; don't turn indices read-only over it.
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
EOF
}

start() {
  install
  if running; then say "already running (pid $(pid)) on $URL"; return 0; fi
  if curl -fsS -o /dev/null "$URL" 2>/dev/null; then
    die "something already answers on $URL but was not started from $DIR; stop it or set OPENSEARCH_PORT"
  fi
  local java_home
  java_home=$(find_java_home)
  mkdir -p "$DIR"
  write_config
  rm -f "$PIDFILE"
  local -a as_user=()
  if [ "$(id -u)" = 0 ]; then
    id -u "$RUN_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER"
    chown -R "$RUN_USER:" "$DIR"
    chmod a+x "$DEV_DIR" "$CACHE_DIR" # traversable for that user even under a strict umask
    as_user=(setpriv "--reuid=$RUN_USER" "--regid=$RUN_USER" --init-groups --)
    "${as_user[@]}" test -r "$OS_HOME/lib/opensearch-$VERSION.jar" ||
      die "user $RUN_USER cannot read $OS_HOME; use a FERRET_CACHE_DIR it can read"
  fi
  # Started in the background here rather than with -d, so a JVM that dies during startup is noticed at
  # once. setpriv, env and bin/opensearch all exec, so $! is the JVM itself; it writes $PIDFILE too.
  local jvm
  (cd "$DIR" && exec setsid "${as_user[@]}" env OPENSEARCH_JAVA_HOME="$java_home" OPENSEARCH_PATH_CONF="$DIR/config" \
    OPENSEARCH_TMPDIR="$DIR/tmp" OPENSEARCH_JAVA_OPTS="${OPENSEARCH_JAVA_OPTS:-}" \
    "$OS_HOME/bin/opensearch" -p "$PIDFILE" -q </dev/null >"$LOG_DIR/console.log" 2>&1) &
  jvm=$!
  local t0=$SECONDS
  while [ $((SECONDS - t0)) -lt 180 ]; do
    if healthy; then
      say "ready on $URL in $((SECONDS - t0)) s (pid $(pid), java $java_home, data $DIR/data, log $LOG)"
      return 0
    fi
    kill -0 "$jvm" 2>/dev/null || break
    sleep 0.5
  done
  echo "--- $LOG_DIR/console.log" >&2
  tail -n 30 "$LOG_DIR/console.log" >&2 || true
  echo "--- $LOG" >&2
  tail -n 30 "$LOG" >&2 2>/dev/null || true
  kill "$jvm" 2>/dev/null || true
  stop >/dev/null 2>&1 || true
  die "did not become ready; see $LOG"
}

stop() {
  if running; then
    local p
    p=$(pid)
    kill "$p"
    for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p"; say "killed (did not stop within 30 s)"; else say "stopped"; fi
  fi
  rm -f "$PIDFILE"
}

status() {
  if running; then
    if healthy; then say "running (pid $(pid)) on $URL, log $LOG"; else say "running (pid $(pid)) but not healthy on $URL; see $LOG"; return 1; fi
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
