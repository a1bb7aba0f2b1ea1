#!/usr/bin/env bash
# Builds the agent's container image (packages/backup-agent/Dockerfile) from the packed tarballs,
# on a base made from Debian's packages: no image can be pulled here, so the Dockerfile's BASE
# (node:22-bookworm-slim elsewhere) is replaced by safekeep/agent-base, built by debootstrap
# (bookworm minbase + the dump tools + a compiler) with Node 22 from the npm registry.
#   scripts/build-agent-image.sh TARBALL_DIR [TAG]     (TARBALL_DIR: npm run pack:check -- --keep DIR)
# Reuses the base when it exists (its debootstrap root is cached in /var/cache/safekeep-images).
set -euo pipefail
cd "$(dirname "$0")/.."
tarballs="$(cd "${1:?usage: build-agent-image.sh TARBALL_DIR [TAG]}" && pwd)"
tag="${2:-safekeep/agent:ci}"
base="safekeep/agent-base:bookworm"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"
CACHE="${SAFEKEEP_IMAGE_CACHE:-/var/cache/safekeep-images}"
mkdir -p "$CACHE"
source scripts/node22.sh >/dev/null 2>&1 || source scripts/node22.sh
node_version="$(node --version)"

if ! docker image inspect "$base" >/dev/null 2>&1 \
  || [ "$(docker run --rm --network none "$base" node --version 2>/dev/null)" != "$node_version" ]; then
  root="$CACHE/agent-base-root"
  if [ ! -f "$CACHE/agent-base-root.done" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    rm -rf "$root"
    echo "build-agent-image: debootstrap (dump tools, zstd, compiler); about 3 minutes"
    debootstrap --variant=minbase \
      --include=postgresql-client-15,mariadb-client,redis-tools,zstd,ca-certificates,g++,make,python3 \
      bookworm "$root" http://deb.debian.org/debian >"$CACHE/agent-debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/agent-debootstrap.log"; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    touch "$CACHE/agent-base-root.done"
  fi
  # Node 22 as the official image lays it out: /usr/local/bin/node, headers in
  # /usr/local/include/node, npm in /usr/local/lib/node_modules/npm.
  node_dir="$(dirname "$(dirname "$(command -v node)")")"
  npm_tmp="$(mktemp -d)"
  (cd "$npm_tmp" && npm pack --silent "npm@$(npm --version)" >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm --strip-components=1)
  rm -rf "$root/usr/local/lib/node_modules/npm" "$root/usr/local/include/node"
  mkdir -p "$root/usr/local/bin" "$root/usr/local/include" "$root/usr/local/lib/node_modules"
  cp "$node_dir/bin/node" "$root/usr/local/bin/node"
  cp -r "$node_dir/include/node" "$root/usr/local/include/node"
  mv "$npm_tmp/npm" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  rm -rf "$npm_tmp"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$base" >/dev/null
  echo "build-agent-image: $base imported (Node $node_version)"
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$tarballs"/safekeep-backup-agent-*.tgz "$tarballs"/safekeep-plugin-backups-common-*.tgz "$context/"
# Behind a TLS-intercepting proxy (NODE_EXTRA_CA_CERTS set), the build's npm needs its CA too.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$context/extra-ca.crt"
fi
docker build --network host --build-arg "BASE=$base" -t "$tag" \
  -f packages/backup-agent/Dockerfile "$context"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$tag"
