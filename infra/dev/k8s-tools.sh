#!/usr/bin/env bash
# The Kubernetes tools the chart validation (test/infra/k8s) needs, built or fetched once and cached.
#   infra/dev/k8s-tools.sh install [kube|helm|etcd|keda|promop|all]   (default all)
#   infra/dev/k8s-tools.sh env       prints K8S_TOOLS_* shell assignments (eval "$(... env)")
#   infra/dev/k8s-tools.sh status
#
# Where each comes from (no container registry, no release tarball: registry packages only):
#   - kube-apiserver, kubectl: built from the Go module k8s.io/kubernetes in a scratch module. kubernetes' own
#     go.mod replaces its staging modules (k8s.io/api, client-go, ...) with ./staging paths that a module
#     download lacks, so the scratch go.mod replaces each of them with the published k8s.io/<name> v0.<minor>.
#     The version ldflags are set as hack/lib/version.sh sets them; without them both binaries say
#     v0.0.0-master and kubectl's version checks fail. The first build takes minutes (see BUILD_TIME in the
#     cache dir); it runs with -p 1 under nice, since the machine is shared.
#   - helm: `go install helm.sh/helm/v4/cmd/helm@<version>`.
#   - etcd: Debian's etcd-server package (apt-get, when running as root).
#   - KEDA CRDs: config/crd/bases of the Go module github.com/kedacore/keda/v2, via `go mod download`.
#   - The ServiceMonitor CRD: example/prometheus-operator-crd of the Go module
#     github.com/prometheus-operator/prometheus-operator, the same way.
# Cache: $FERRET_CACHE_DIR/k8s (root: /var/cache/ferret/k8s, else ~/.cache/ferret/k8s), one stamp file per
# tool naming the recipe that built it, so a changed version rebuilds.
set -euo pipefail
KUBE_VERSION=v1.34.2
HELM_VERSION=v4.3.2
KEDA_VERSION=v2.21.0
PROMOP_VERSION=v0.85.0

if [ "$(id -u)" = 0 ]; then
  CACHE_ROOT=${FERRET_CACHE_DIR:-/var/cache/ferret}
else
  CACHE_ROOT=${FERRET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ferret}
fi
CACHE=$CACHE_ROOT/k8s
BIN=$CACHE/bin
KEDA_CRDS=$CACHE/keda-$KEDA_VERSION/crds
SERVICEMONITOR_CRD=$CACHE/prometheus-operator-$PROMOP_VERSION/monitoring.coreos.com_servicemonitors.yaml
# Bump the r<N> suffix when a recipe below changes, so caches get rebuilt.
KUBE_STAMP="kubernetes $KUBE_VERSION r1"
HELM_STAMP="helm $HELM_VERSION r1"
KEDA_STAMP="keda $KEDA_VERSION r1"
PROMOP_STAMP="prometheus-operator $PROMOP_VERSION r1"

say() { echo "k8s-tools: $*"; }
die() { echo "k8s-tools: $*" >&2; exit 1; }

stamped() { [ "$(cat "$CACHE/.$1.stamp" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" >"$CACHE/.$1.stamp"; }

need_go() {
  command -v go >/dev/null || die "go is not on PATH (Go >= 1.24 builds kubernetes $KUBE_VERSION)"
  local v
  v=$(go env GOVERSION)
  v=${v#go}
  # kubernetes 1.34's go.mod says go 1.24.0; helm v4 asks for a newer one, which GOTOOLCHAIN=auto fetches
  # from the Go proxy when the local toolchain is older.
  [ "$(printf '%s\n' 1.24 "$v" | sort -V | head -1)" = 1.24 ] || die "go $v is older than 1.24"
}

# One lock per tool: two test runs may install at once, and helm need not wait for the kubernetes build.
with_lock() {
  mkdir -p "$CACHE" "$BIN"
  (
    flock 9
    "$@"
  ) 9>"$CACHE/.$1.lock"
}

build_kube() {
  stamped kube "$KUBE_STAMP" && [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubectl" ] && return 0
  need_go
  local work t0 minor staging mod
  work=$(mktemp -d "$CACHE/.kube-build.XXXXXX")
  t0=$SECONDS
  minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  say "building kube-apiserver and kubectl $KUBE_VERSION (first time: several minutes, ~2 GB of Go build cache)"
  (
    cd "$work"
    export GOFLAGS=-mod=mod GOWORK=off
    cat >go.mod <<EOF
module ferret.local/kubetools

go 1.24.0
EOF
    mod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
    [ -f "$mod" ] || die "go mod download k8s.io/kubernetes@$KUBE_VERSION gave no go.mod"
    # The staging modules are the ones kubernetes' go.mod replaces with ./staging/src/k8s.io/<name>.
    staging=$(sed -n 's#^\t\(k8s.io/[^ ]*\) => ./staging/src/.*#\1#p' "$mod")
    [ "$(echo "$staging" | wc -l)" -ge 30 ] || die "expected ~31 staging modules in $mod, found: $staging"
    {
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      for m in $staging; do echo "replace $m => $m v0.${KUBE_VERSION#v1.}"; done
    } >>go.mod
    cat >tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
    go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION"
    local ld="" pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
      ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    # A private build cache, removed afterwards: the binaries are what is cached, 2 GB of objects are not.
    GOCACHE=$work/gocache CGO_ENABLED=0 GOMAXPROCS=${K8S_BUILD_PROCS:-1} nice -n 10 \
      go build -p "${K8S_BUILD_PROCS:-1}" -trimpath -ldflags "-s -w$ld" -o "$work/out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  ) || { rm -rf "$work"; die "kubernetes build failed"; }
  mv "$work/out/kube-apiserver" "$work/out/kubectl" "$BIN/"
  chmod -R u+w "$work" && rm -rf "$work"
  echo "kube-apiserver+kubectl $KUBE_VERSION: $((SECONDS - t0)) s on $(nproc) cores (-p ${K8S_BUILD_PROCS:-1}), $(date -u +%FT%TZ)" \
    >>"$CACHE/BUILD_TIME"
  stamp kube "$KUBE_STAMP"
  say "built in $((SECONDS - t0)) s: $BIN/kube-apiserver, $BIN/kubectl"
}

build_helm() {
  stamped helm "$HELM_STAMP" && [ -x "$BIN/helm" ] && return 0
  need_go
  local t0=$SECONDS
  say "go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  GOBIN=$BIN GOFLAGS= GOWORK=off CGO_ENABLED=0 GOMAXPROCS=${K8S_BUILD_PROCS:-1} nice -n 10 \
    go install -p "${K8S_BUILD_PROCS:-1}" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  stamp helm "$HELM_STAMP"
  echo "helm $HELM_VERSION: $((SECONDS - t0)) s, $(date -u +%FT%TZ)" >>"$CACHE/BUILD_TIME"
}

etcd_bin() { command -v etcd 2>/dev/null || { [ -x /usr/bin/etcd ] && echo /usr/bin/etcd; }; }

install_etcd() {
  etcd_bin >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "etcd is missing: apt-get install etcd-server"
  say "installing Debian package etcd-server"
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst starts a system etcd on :2379 under systemd; here there is no systemd, and the
  # tests run their own etcd on other ports, so policy-rc.d keeps any service from starting.
  apt-get install -y -qq --no-install-recommends etcd-server >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends etcd-server >/dev/null; }
  etcd_bin >/dev/null || die "etcd-server installed but no etcd binary"
}

fetch_keda() {
  stamped keda "$KEDA_STAMP" && [ -d "$KEDA_CRDS" ] && return 0
  need_go
  local dir
  dir=$(cd "$CACHE" && GOFLAGS= GOWORK=off go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/config/crd/bases" ] || die "no config/crd/bases in github.com/kedacore/keda/v2@$KEDA_VERSION"
  rm -rf "$KEDA_CRDS" && mkdir -p "$KEDA_CRDS"
  cp "$dir"/config/crd/bases/*.yaml "$KEDA_CRDS/"
  chmod -R u+w "$KEDA_CRDS"
  stamp keda "$KEDA_STAMP"
}

fetch_promop() {
  stamped promop "$PROMOP_STAMP" && [ -f "$SERVICEMONITOR_CRD" ] && return 0
  need_go
  local dir crd=example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
  dir=$(cd "$CACHE" && GOFLAGS= GOWORK=off go mod download -json \
    "github.com/prometheus-operator/prometheus-operator@$PROMOP_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -f "$dir/$crd" ] || die "no $crd in github.com/prometheus-operator/prometheus-operator@$PROMOP_VERSION"
  mkdir -p "$(dirname "$SERVICEMONITOR_CRD")"
  cp "$dir/$crd" "$SERVICEMONITOR_CRD"
  chmod u+w "$SERVICEMONITOR_CRD"
  stamp promop "$PROMOP_STAMP"
}

install() {
  case ${1:-all} in
  kube) with_lock build_kube ;;
  helm) with_lock build_helm ;;
  etcd) with_lock install_etcd ;;
  keda) with_lock fetch_keda ;;
  promop) with_lock fetch_promop ;;
  all)
    with_lock install_etcd && with_lock fetch_keda && with_lock fetch_promop && with_lock build_helm &&
      with_lock build_kube
    ;;
  *) die "unknown tool $1 (kube|helm|etcd|keda|promop|all)" ;;
  esac
}

env_out() {
  echo "K8S_TOOLS_KUBE_APISERVER=$BIN/kube-apiserver"
  echo "K8S_TOOLS_KUBECTL=$BIN/kubectl"
  echo "K8S_TOOLS_HELM=$BIN/helm"
  echo "K8S_TOOLS_ETCD=$(etcd_bin || true)"
  echo "K8S_TOOLS_KEDA_CRDS=$KEDA_CRDS"
  echo "K8S_TOOLS_SERVICEMONITOR_CRD=$SERVICEMONITOR_CRD"
  echo "K8S_TOOLS_KUBE_VERSION=$KUBE_VERSION"
}

status() {
  local ok=0
  stamped kube "$KUBE_STAMP" && echo "kube: $KUBE_VERSION in $BIN" || { echo "kube: not built"; ok=1; }
  stamped helm "$HELM_STAMP" && echo "helm: $HELM_VERSION in $BIN" || { echo "helm: not built"; ok=1; }
  etcd_bin >/dev/null && echo "etcd: $(etcd_bin)" || { echo "etcd: missing"; ok=1; }
  stamped keda "$KEDA_STAMP" && echo "keda CRDs: $KEDA_CRDS" || { echo "keda CRDs: missing"; ok=1; }
  stamped promop "$PROMOP_STAMP" && echo "ServiceMonitor CRD: $SERVICEMONITOR_CRD" ||
    { echo "ServiceMonitor CRD: missing"; ok=1; }
  return $ok
}

case ${1:-} in
install) install "${2:-all}" ;;
env) env_out ;;
status) status ;;
*) die "usage: $0 install [kube|helm|etcd|keda|promop|all] | env | status" ;;
esac
