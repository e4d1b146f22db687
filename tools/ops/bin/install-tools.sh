#!/usr/bin/env bash
# Installs the pinned ops tools (tools/ops/versions.env) into a cache dir, idempotently:
#   helm, kubeconform   go install <module>@<version> into $MESH_TOOLS_BIN (a second run downloads nothing)
#   prometheus/promtool Debian's `prometheus` package (apt), when missing and we may use apt
# Prints nothing on a warm run. MESH_TOOLS_BIN defaults to ~/.cache/ingest-mesh/bin.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck disable=SC1091 # plain KEY=value pins
source "$here/versions.env"
bin="${MESH_TOOLS_BIN:-$HOME/.cache/ingest-mesh/bin}"
mkdir -p "$bin"
go="$(command -v go || echo /usr/local/go/bin/go)"

# go install into a versioned file name, so changing a pin installs the new one and a warm run
# is a stat; the unversioned name is a symlink the specs and CI use.
install_go_tool() { # name module version
  local name=$1 module=$2 version=$3 target="$bin/$1-$3"
  if [[ ! -x $target ]]; then
    echo "ops-tools: go install $module@$version" >&2
    local tmp
    tmp="$(mktemp -d)"
    GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 "$go" install "$module@$version"
    mv "$tmp/$name" "$target"
    rmdir "$tmp"
  fi
  ln -sfn "$target" "$bin/$name"
}

install_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"

# The schema sources (tools/ops/src/k8s-schemas): module zips, kept in Go's module cache.
for module in "k8s.io/kubernetes@$KUBERNETES_VERSION" \
  "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" \
  "github.com/kedacore/keda/v2@$KEDA_VERSION"; do
  # The module cache escapes upper-case letters as !<lower> (sed's \L: no bash equivalent).
  # shellcheck disable=SC2001
  dir="$("$go" env GOMODCACHE)/$(echo "${module%@*}" | sed 's/[A-Z]/!\L&/g')@${module#*@}"
  if [[ ! -d $dir ]]; then
    echo "ops-tools: go mod download $module" >&2
    (cd / && GOFLAGS=-mod=mod "$go" mod download "$module")
  fi
done

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ops-tools: prometheus/promtool missing; install Debian's package: apt-get install prometheus" >&2
    exit 1
  fi
  echo "ops-tools: apt-get install prometheus" >&2
  # Keep the package's scripts from starting a system Prometheus: tests start their own.
  policy=/usr/sbin/policy-rc.d
  created=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if ((created)); then rm -f "$policy"; fi
fi
