#!/usr/bin/env bash
# Starts the machine's services the tests need when they are down (the commands are the
# machine's own start commands), then waits until each answers. Fails loudly otherwise.
set -uo pipefail

wait_for() { # name, command
  for _ in $(seq 1 30); do
    if eval "$2" >/dev/null 2>&1; then echo "ok: $1"; return 0; fi
    sleep 1
  done
  echo "FAILED: $1 does not answer ($2)" >&2
  return 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! port_open 4222; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
fi
if ! mariadb -h 127.0.0.1 -u root -e 'select 1' >/dev/null 2>&1; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi

status=0
wait_for postgres "pg_isready -h 127.0.0.1 -p 5432" || status=1
wait_for redis "redis-cli -h 127.0.0.1 -p 6379 ping" || status=1
wait_for nats "port_open 4222" || status=1
wait_for mariadb "mariadb -h 127.0.0.1 -u root -e 'select 1'" || status=1
exit $status
