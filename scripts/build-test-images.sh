#!/usr/bin/env bash
# Builds the images the Docker tests need from Debian's packages (no registry can be pulled
# from here) and imports them into the local Docker Engine. Reuses images that already exist.
#   safekeep-test/db:1        PostgreSQL 15, MariaDB, Redis, zstd (debootstrap minbase)
#   safekeep-test/busybox:1   busybox-static only: helper containers for volume tarballs
#   safekeep-test/standin:1   busybox + stand-in neo4j-admin / milvus-backup / clickhouse-client
#                             scripts that record their argv (test/docker/standins/)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"
CACHE="${SAFEKEEP_IMAGE_CACHE:-/var/cache/safekeep-images}"
mkdir -p "$CACHE"

have() { docker image inspect "$1" >/dev/null 2>&1; }

if ! have safekeep-test/db:1; then
  root="$CACHE/db-root"
  if [ ! -f "$CACHE/db-root.done" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    rm -rf "$root"
    echo "build-test-images: debootstrap (PostgreSQL, MariaDB, Redis); about 2 minutes"
    debootstrap --variant=minbase --include=postgresql-15,mariadb-server,mariadb-client,redis-server,redis-tools,zstd,procps \
      bookworm "$root" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/debootstrap.log"; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb
    touch "$CACHE/db-root.done"
  fi
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - safekeep-test/db:1 >/dev/null
  echo "build-test-images: safekeep-test/db:1 imported"
fi

busybox_root() { # folder
  local dir="$1"
  command -v busybox >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null; }
  rm -rf "$dir"; mkdir -p "$dir/bin" "$dir/tmp" "$dir/data"
  cp "$(command -v busybox)" "$dir/bin/busybox"
  # Every applet, as in the official busybox image: helpers need sh, tar, ls, mv, rm, stat, chown, id, kill...
  for tool in $("$dir/bin/busybox" --list); do [ -e "$dir/bin/$tool" ] || ln -s busybox "$dir/bin/$tool"; done
}

# Rebuilt when it lacks applets (an older build linked only a few).
if have safekeep-test/busybox:1 && ! docker run --rm --network none safekeep-test/busybox:1 stat / >/dev/null 2>&1; then
  docker image rm safekeep-test/busybox:1 >/dev/null
fi
if ! have safekeep-test/busybox:1; then
  dir="$CACHE/busybox-root"; busybox_root "$dir"
  tar -C "$dir" -c . | docker import -c 'ENV PATH=/bin' - safekeep-test/busybox:1 >/dev/null
  echo "build-test-images: safekeep-test/busybox:1 imported"
fi

if [ -d test/docker/standins ]; then
  # Rebuilt whenever a stand-in script changes: the image holds the scripts' checksum.
  sum=$(cat test/docker/standins/* | sha256sum | cut -d' ' -f1)
  if have safekeep-test/standin:1 && [ "$(docker run --rm --network none safekeep-test/standin:1 cat /standins.sha256 2>/dev/null)" != "$sum" ]; then
    docker image rm safekeep-test/standin:1 >/dev/null
  fi
fi
if [ -d test/docker/standins ] && ! have safekeep-test/standin:1; then
  dir="$CACHE/standin-root"; busybox_root "$dir"
  cp test/docker/standins/* "$dir/bin/"
  chmod +x "$dir"/bin/*
  echo "$sum" > "$dir/standins.sha256"
  tar -C "$dir" -c . | docker import -c 'ENV PATH=/bin' - safekeep-test/standin:1 >/dev/null
  echo "build-test-images: safekeep-test/standin:1 imported"
fi
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep safekeep-test || true
