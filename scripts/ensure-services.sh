#!/usr/bin/env bash
# Start or install what the tests and the stack need on this machine if it is not already
# there: PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 (Prefect's messaging in the
# stack tier), HAProxy (the stack's load balancer) and Debian's Chromium (rendering pages
# headless). Arguments name a subset (postgres redis haproxy chromium); none: all.
set -euo pipefail
want=${*:-postgres redis haproxy chromium}
has() { [[ " $want " == *" $1 "* ]]; }
apt_install() {  # package: Debian's, from the machine's package mirror
  (apt-get install -y -q "$1" >/dev/null 2>&1) || \
    (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$1" >/dev/null 2>&1) || \
    echo "warning: could not install $1" >&2
}
if has postgres && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if has redis && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
if has haproxy && ! command -v haproxy >/dev/null 2>&1; then
  apt_install haproxy
fi
if has chromium && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi
