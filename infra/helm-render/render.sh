#!/usr/bin/env bash
# Renders a Helm chart like `helm template`, without Helm.
# Usage: infra/helm-render/render.sh CHART_DIR [-f values.yaml ...] [--release-name N] [--namespace NS] [--notes]
# Builds the renderer once into $HELM_RENDER_CACHE (default <repo>/.mlops/cache) and rebuilds when a source changes.
set -euo pipefail

src_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$src_dir/../.." && pwd)"
cache_dir="${HELM_RENDER_CACHE:-$repo_root/.mlops/cache}"
bin="$cache_dir/helm-render"
gopath=/usr/share/gocode

if [[ $# -lt 1 ]]; then
  sed -n '3p' "$0" >&2
  exit 2
fi

ensure_toolchain() {
  if command -v go >/dev/null 2>&1 && [[ -d "$gopath/src/github.com/Masterminds/sprig" && -d "$gopath/src/sigs.k8s.io/yaml" ]]; then
    return
  fi
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "helm-render: installing Go, Sprig and sigs.k8s.io/yaml from Debian packages" >&2
  $sudo apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev >&2 ||
    { $sudo apt-get update >&2 && $sudo apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev >&2; }
}

needs_build() {
  [[ ! -x "$bin" ]] && return 0
  [[ -n "$(find "$src_dir" -name '*.go' -newer "$bin" -print -quit)" ]]
}

if needs_build; then
  ensure_toolchain
  mkdir -p "$cache_dir"
  (cd "$src_dir" && GO111MODULE=off GOPATH="$gopath" GOFLAGS= go build -o "$bin" .)
fi

exec "$bin" "$@"
