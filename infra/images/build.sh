#!/usr/bin/env bash
# OCI images of Ferret's services and of the trainer engine, built without pulling any base image:
#   infra/images/build.sh [services|engine|all|<service>...]    (make images: all)
# Each image is an OCI layout directory $FERRET_IMAGES_DIR/ferret-<name> (default .cache/images) with tag
# <version> and `latest`; push one with e.g. `skopeo copy oci:.cache/images/ferret-encoder:latest docker://...`.
#
# Layers, assembled from this machine with umoci (Debian package, installed here when missing):
#   1. runtime: the node binary and the shared libraries ldd says it needs, CA certificates, /etc/passwd with
#      user ferret (10001), /tmp and /var/lib/ferret (the working directory, writable by ferret).
#   2. app (services): the service and its production dependency closure (infra/images/app-files.mjs) plus
#      any system library its native addons (onnxruntime, usearch, node-llama-cpp) need beyond layer 1.
#   2. engine: the Python the venv was made from (.venv's base prefix) and the venv's site-packages (torch,
#      transformers, ...) plus the system libraries their extension modules need, and services/trainer/engine's
#      ferret_engine at /app/engine; the trainer service's app too once it has a main.
# Config: user 10001, working dir /var/lib/ferret, entrypoint node <service>/dist/main.js, the service's ports,
# and labels org.opencontainers.image.{title,version,revision,created,source}. Every image runs with a
# read-only root filesystem: the services write only under /var/lib/ferret and /tmp (test/infra/k8s-images
# runs them that way with runc).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${FERRET_IMAGES_DIR:-$ROOT/.cache/images}
SERVICES=(encoder ranker annotator evaluator)
UID_GID=10001:10001
# node-llama-cpp's GPU and other-architecture builds (~600 MB): the annotator image runs GGUF models on CPU;
# an LLM server (vLLM etc.) is the GPU path. onnxruntime-node's binaries for other platforms likewise.
EXCLUDE=@node-llama-cpp/linux-arm64,@node-llama-cpp/linux-armv7l,@node-llama-cpp/linux-x64-cuda,@node-llama-cpp/linux-x64-cuda-ext,@node-llama-cpp/linux-x64-vulkan
DROP='^node_modules/(onnxruntime-node/bin/napi-v[0-9]+/(darwin|win32|linux/arm64)(/|$)|tokenizers/tokenizers\.(?!linux-x64-gnu\.)[^/]*\.node$|usearch/prebuilds/(?!linux-x64(/|$)))'

say() { echo "images: $*"; }
die() { echo "images: $*" >&2; exit 1; }

# umoci builds; runc is what test/infra/k8s-images starts them with.
need_tools() {
  command -v umoci >/dev/null && command -v runc >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "umoci or runc is missing: apt-get install umoci runc"
  say "installing Debian packages umoci runc"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends umoci runc >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends umoci runc >/dev/null; }
}

REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain 2>/dev/null)" ] || REVISION="$REVISION-dirty"
CREATED=$(git log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferret-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# copy_libs <rootfs> <files...>: the shared libraries (and loader) the ELF files need, at their system paths,
# unless the rootfs (or $SKIP_LIBS_IN) has them already.
copy_libs() {
  local rootfs=$1 lib
  shift
  for f in "$@"; do
    [ "$(head -c 4 "$f" 2>/dev/null | tail -c 3)" = ELF ] || continue # ELF magic, without needing file(1)
    { ldd "$f" 2>/dev/null || true; } | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'
  done | sort -u | while read -r lib; do
    # The app's own libraries are in its layer; the Python prefix's (libpython) at /opt/python/lib.
    case $lib in "$ROOT"/* | "$WORK"/* | "${SKIP_PREFIX:-$WORK}"/*) continue ;; esac
    [ -e "$rootfs$lib" ] && continue
    [ -n "${SKIP_LIBS_IN:-}" ] && [ -e "$SKIP_LIBS_IN$lib" ] && continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

runtime_rootfs() {
  local r=$WORK/runtime node
  node=$(readlink -f "$(command -v node)")
  mkdir -p "$r/usr/local/bin" "$r/etc/ssl/certs" "$r/tmp" "$r/var/lib/ferret" "$r/app"
  cp "$node" "$r/usr/local/bin/node"
  copy_libs "$r" "$node"
  # The loader's canonical path (PT_INTERP) is /lib64/ld-linux-x86-64.so.2.
  if [ ! -e "$r/lib64/ld-linux-x86-64.so.2" ] && [ -e /lib64/ld-linux-x86-64.so.2 ]; then
    mkdir -p "$r/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
  fi
  cp -L /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nferret:x:10001:10001:ferret:/var/lib/ferret:/usr/sbin/nologin\n' >"$r/etc/passwd"
  printf 'root:x:0:\nferret:x:10001:\n' >"$r/etc/group"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
  chmod 1777 "$r/tmp"
  chown 10001:10001 "$r/var/lib/ferret"
  echo "$r"
}

# new_image <name> <runtime rootfs>: a fresh layout ferret-<name> whose first layer is the runtime.
new_image() {
  local dir=$OUT/ferret-$1
  rm -rf "$dir.tmp"
  umoci init --layout "$dir.tmp" >&2
  umoci new --image "$dir.tmp:build" >&2
  umoci insert --image "$dir.tmp:build" --history.comment "runtime: node $(node --version), libs, ferret user" "$2" / >&2
  echo "$dir"
}

# finish_image <dir> <title> <version> <umoci config args...>
finish_image() {
  local dir=$1 title=$2 version=$3
  shift 3
  umoci config --image "$dir.tmp:build" --config.user "$UID_GID" --config.workingdir /var/lib/ferret \
    --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env NODE_ENV=production \
    --config.label "org.opencontainers.image.title=$title" \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label "org.opencontainers.image.revision=$REVISION" \
    --config.label "org.opencontainers.image.created=$CREATED" \
    --config.label "org.opencontainers.image.source=https://github.com/ferret/ferret" \
    --created "$CREATED" "$@"
  umoci tag --image "$dir.tmp:build" "$version"
  umoci tag --image "$dir.tmp:build" latest
  umoci rm --image "$dir.tmp:build"
  umoci gc --layout "$dir.tmp"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

build_service() {
  local name=$1 runtime=$2 app=$WORK/app-$1 dir version ports
  [ -f "services/$name/dist/main.js" ] || die "services/$name is not built (make build)"
  version=$(node -p "require('./services/$name/package.json').version")
  mkdir -p "$app/app"
  node infra/images/app-files.mjs "services/$name" "$app/app" --exclude "$EXCLUDE" --drop "$DROP"
  # Native addons' system libraries beyond the runtime layer's.
  mapfile -t elves < <(find "$app/app" -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \))
  SKIP_LIBS_IN=$runtime copy_libs "$app" "${elves[@]}"
  chown -R 0:0 "$app"
  ports=$(node -e "
    const c = JSON.parse(require('fs').readFileSync('infra/helm/ferret/generated/stages.json', 'utf8')).services['$name'];
    console.log(c.grpcPort + '/tcp ' + c.metricsPort + '/tcp')")
  dir=$(new_image "$name" "$runtime")
  umoci insert --image "$dir.tmp:build" --history.comment "app: services/$name and its dependencies" "$app" /
  local -a args=(--config.entrypoint /usr/local/bin/node --config.cmd "/app/services/$name/dist/main.js")
  for p in $ports; do args+=(--config.exposedports "$p"); done
  finish_image "$dir" "ferret-$name" "$version" "${args[@]}"
  say "ferret-$name:$version ($(du -sh "$dir" | cut -f1)) in $dir"
}

build_engine() {
  local runtime=$1 eng=$WORK/engine py base site dir version
  py=$ROOT/.venv/bin/python
  [ -x "$py" ] || die ".venv is missing (make py-env)"
  "$py" -c 'import torch' 2>/dev/null || die ".venv has no torch (make py-env)"
  base=$("$py" -c 'import sys; print(sys.base_prefix)')
  site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  local pyver
  pyver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  mkdir -p "$eng/opt"
  # The interpreter's prefix (stdlib, lib-dynload) at /opt/python; the venv's packages into its site-packages.
  cp -a "$base" "$eng/opt/python"
  rm -rf "$eng/opt/python/lib/python$pyver/test" "$eng/opt/python/lib/python$pyver/site-packages" \
    "$eng"/opt/python/lib/libpython*.a "$eng/opt/python/lib/python$pyver"/config-*/libpython*.a
  cp -a "$site" "$eng/opt/python/lib/python$pyver/site-packages"
  find "$eng/opt/python" -name __pycache__ -type d -prune -exec rm -rf {} +
  mapfile -t elves < <(find "$eng/opt/python" -type f \( -name '*.so' -o -name '*.so.*' -o -path '*/bin/python*' \))
  SKIP_LIBS_IN=$runtime SKIP_PREFIX=$base copy_libs "$eng" "${elves[@]}"
  version=$(node -p "require('./package.json').version ?? '0.1.0'")
  local -a args=(--config.env PYTHONDONTWRITEBYTECODE=1 --config.env PYTHONUNBUFFERED=1
    --config.env PATH=/opt/python/bin:/usr/local/bin:/usr/bin:/bin
    # pyenv's python has libpython's build path as its RPATH; the image has it at /opt/python/lib.
    --config.env LD_LIBRARY_PATH=/opt/python/lib)
  # The engine (python -m ferret_engine <job file>) at /app/engine.
  [ -d services/trainer/engine/ferret_engine ] || die "services/trainer/engine/ferret_engine is missing"
  mkdir -p "$eng/app/engine"
  cp -a services/trainer/engine/ferret_engine "$eng/app/engine/"
  find "$eng/app" -name __pycache__ -type d -prune -exec rm -rf {} +
  args+=(--config.env PYTHONPATH=/app/engine)
  if [ -f services/trainer/dist/main.js ]; then
    # The trainer service runs the engine as its subprocess, so its pods use this image.
    node infra/images/app-files.mjs services/trainer "$eng/app" --exclude "$EXCLUDE" --drop "$DROP"
    args+=(--config.entrypoint /usr/local/bin/node --config.cmd /app/services/trainer/dist/main.js)
  else
    # No trainer main yet (issue 12): the engine itself is the entrypoint.
    args+=(--config.entrypoint=/opt/python/bin/python3 --config.entrypoint=-m --config.entrypoint=ferret_engine)
  fi
  chown -R 0:0 "$eng"
  dir=$(new_image engine "$runtime")
  umoci insert --image "$dir.tmp:build" --history.comment "engine: python $pyver, torch and the venv's packages" "$eng" /
  finish_image "$dir" ferret-engine "$version" "${args[@]}"
  say "ferret-engine:$version ($(du -sh "$dir" | cut -f1)) in $dir"
}

need_tools
mkdir -p "$OUT"
targets=("${@:-all}")
runtime=$(runtime_rootfs)
for t in "${targets[@]}"; do
  case $t in
  all) for s in "${SERVICES[@]}"; do build_service "$s" "$runtime"; done; build_engine "$runtime" ;;
  services) for s in "${SERVICES[@]}"; do build_service "$s" "$runtime"; done ;;
  engine) build_engine "$runtime" ;;
  encoder | ranker | annotator | evaluator) build_service "$t" "$runtime" ;;
  *) die "unknown image $t (services|engine|all|encoder|ranker|annotator|evaluator)" ;;
  esac
done
