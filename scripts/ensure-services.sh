#!/usr/bin/env bash
# Start what the tests need on this machine if it is not already there: PostgreSQL on
# 127.0.0.1:5432, and Debian's Chromium for rendering report.html headless.
set -euo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get install -y -q chromium >/dev/null 2>&1) || \
    (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) || \
    echo "warning: could not install chromium; the report screenshot test will fail" >&2
fi
