#!/usr/bin/env bash
# Node.js 24 LTS first on PATH for the mesh's commands (npm start, npm test, .ci/run, chaos, bench).
#   source tools/mesh/use-node.sh        in a script: PATH (and npm's nodedir) now lead to Node 24
#   bash tools/mesh/use-node.sh CMD...   runs CMD under Node 24
#   bash tools/mesh/use-node.sh          prints the export line for an interactive shell (eval it)
# When the `node` on PATH is already 24.x nothing is installed. Otherwise the pinned build
# (tools/mesh/node.env) comes from the npm registry as the package node-linux-<arch>, is checked
# against the pinned integrity, and is cached in $MESH_NODE_CACHE (~/.cache/ingest-mesh/node).

mesh_use_node() {
  local root env_file
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  env_file="$root/tools/mesh/node.env"
  local NODE_VERSION NODE_INTEGRITY_X64 NODE_INTEGRITY_ARM64
  # shellcheck disable=SC1090 # plain KEY=value pins
  source "$env_file"
  local want=${NODE_VERSION%%.*} have
  have="$(node -p 'process.versions.node' 2>/dev/null || echo none)"
  if [[ ${have%%.*} == "$want" ]]; then
    MESH_NODE_BIN="$(dirname "$(command -v node)")"
    return 0
  fi

  local arch integrity
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) arch=x64 integrity=$NODE_INTEGRITY_X64 ;;
    Linux-aarch64 | Linux-arm64) arch=arm64 integrity=$NODE_INTEGRITY_ARM64 ;;
    *)
      echo "use-node: Node.js $want is needed (found $have); install it for $(uname -sm) and put it first on PATH" >&2
      return 1
      ;;
  esac
  local dir="${MESH_NODE_CACHE:-$HOME/.cache/ingest-mesh/node}/$NODE_VERSION-$arch"
  if [[ ! -x $dir/bin/node ]]; then
    command -v npm >/dev/null || {
      echo "use-node: Node.js $want is needed (found $have) and npm, to fetch it, is missing" >&2
      return 1
    }
    echo "use-node: installing Node.js $NODE_VERSION (npm package node-linux-$arch) into $dir" >&2
    local tmp tarball actual
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "node-linux-$arch@$NODE_VERSION" --silent >/dev/null) || {
      rm -rf "$tmp"
      echo "use-node: npm pack node-linux-$arch@$NODE_VERSION failed (is the npm registry reachable?)" >&2
      return 1
    }
    tarball="$tmp/node-linux-$arch-$NODE_VERSION.tgz"
    actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    if [[ $actual != "$integrity" ]]; then
      rm -rf "$tmp"
      echo "use-node: node-linux-$arch@$NODE_VERSION does not match the integrity pinned in tools/mesh/node.env" >&2
      return 1
    fi
    # Unpacked beside the target and renamed into place: an interrupted install leaves no half node.
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir.partial"
    mkdir "$dir.partial"
    tar xzf "$tarball" -C "$dir.partial" --strip-components=1
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
  # node-gyp builds native add-ons against these headers instead of downloading them.
  export npm_config_nodedir="$dir"
  MESH_NODE_BIN="$dir/bin"
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
  mesh_use_node
else
  set -euo pipefail
  mesh_use_node
  if (($# > 0)); then
    exec "$@"
  fi
  # shellcheck disable=SC2016 # $PATH is for the shell that evals the line
  printf 'export PATH=%q:"$PATH"\n' "$MESH_NODE_BIN"
fi
