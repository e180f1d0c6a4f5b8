#!/usr/bin/env bash
# Renders deploy/kubernetes (the base and each overlay) with `kubectl kustomize` and validates every object offline
# against Kubernetes' schemas (npm's kubernetes-models, which ships them), plus what the service needs of them:
# validate.js. Node packages go to ${SOAR_K8S_TOOLS:-target/kubernetes-tools} (npm install there once; nothing is
# fetched when they are there). Rendered manifests are left in WORKDIR.
#
#   src/test/kubernetes/validate.sh [WORKDIR]          (default target/kubernetes)
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=${1:-target/kubernetes}
tools=${SOAR_K8S_TOOLS:-$PWD/target/kubernetes-tools}
mkdir -p "$out" "$tools"
if [ ! -d "$tools/node_modules/kubernetes-models" ] || [ ! -d "$tools/node_modules/js-yaml" ]; then
  # 4.5.1: the last release for Node.js before 22 (Debian's is 18)
  npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error kubernetes-models@4.5.1 js-yaml@4.1.0
fi
kubectl version --client 2>/dev/null | head -2 || true
rendered=()
for dir in deploy/kubernetes/base deploy/kubernetes/overlays/*/; do
  dir=${dir%/}
  name=$(echo "${dir#deploy/kubernetes/}" | tr / -)
  kubectl kustomize "$dir" > "$out/$name.yaml" 2> "$out/$name.err" || { cat "$out/$name.err" >&2; exit 1; }
  rendered+=("$out/$name.yaml")
done
NODE_PATH="$tools/node_modules" node src/test/kubernetes/validate.js "${rendered[@]}"
