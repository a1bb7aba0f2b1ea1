#!/usr/bin/env bash
# Makes a real Docker Engine available for the Docker tests: installs Debian's docker.io when
# dockerd is missing, starts dockerd (overlay2, no iptables, no bridge: containers use the host
# network or none) when the socket does not answer, and waits for it. Needs root.
set -euo pipefail
SOCK=/var/run/docker.sock
if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-engine: installing docker.io from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! docker -H "unix://$SOCK" info >/dev/null 2>&1; then
  echo "docker-engine: starting dockerd"
  mkdir -p /var/log
  nohup dockerd --storage-driver=overlay2 --iptables=false --bridge=none \
    >/var/log/safekeep-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker -H "unix://$SOCK" info >/dev/null 2>&1 && break
    sleep 1
  done
fi
docker -H "unix://$SOCK" info --format 'docker-engine: {{.ServerVersion}} ({{.Driver}})'
