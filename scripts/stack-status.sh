#!/usr/bin/env bash
# What the stack runs and whether it is healthy: each process of scripts/stack-up.sh (alive
# or not), then each service's own health check. Exit 1 if anything is down.
set -uo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK_DIR:-$PWD/.stack}
[ -f "$STACK/env" ] || { echo "no stack under $STACK (scripts/stack-up.sh)"; exit 1; }
# shellcheck disable=SC1091
source "$STACK/env"
BIN=$PWD/.venv/bin
bad=0
row() { printf '%-22s %-6s %s\n' "$1" "$2" "$3"; [ "$2" = ok ] || bad=1; }
for f in "$STACK"/*.pid; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .pid); pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then row "process $name" ok "pid $pid"; else row "process $name" DOWN "pid $pid gone"; fi
done
check() {  # label, command...
  local label=$1; shift
  if "$@" >/dev/null 2>&1; then row "$label" ok ""; else row "$label" DOWN "$*"; fi
}
check "api via proxy" curl -fsS --max-time 3 "$PREFECT_API_URL/health"
for port in $(sed -n 's/.*server api-[0-9] 127.0.0.1:\([0-9]*\).*/\1/p' "$STACK/haproxy.cfg"); do
  check "api replica :$port" curl -fsS --max-time 3 "http://127.0.0.1:$port/api/health"
done
check "redis" redis-cli -h "$PREFECT_REDIS_MESSAGING_HOST" -p "$PREFECT_REDIS_MESSAGING_PORT" ping
check "postgresql" pg_isready -q -h 127.0.0.1 -p 5432
check "s3" "$BIN/python" -c "import boto3,os; boto3.client('s3', endpoint_url=os.environ['CHISO_S3_ENDPOINT_URL']).list_buckets()"
check "public server" curl -sS --max-time 3 -o /dev/null "$CHISO_PUBLIC_URL/"
check "portal" curl -sSf --max-time 3 -o /dev/null "$CHISO_PORTAL_URL/healthz"
online=$(curl -fsS --max-time 3 -X POST -H 'content-type: application/json' -d '{}' \
  "$PREFECT_API_URL/work_pools/chiso-process/workers/filter" 2>/dev/null |
  "$BIN/python" -c "import json,sys; print(' '.join(w['name'] for w in json.load(sys.stdin) if w.get('status') == 'ONLINE'))" 2>/dev/null)
row "workers online" "$([ -n "$online" ] && echo ok || echo DOWN)" "${online:-none} (pool chiso-process)"
# the task worker subscribes to the first replica (the portal defers to it there)
api1=$(sed -n 's/.*server api-1 127.0.0.1:\([0-9]*\).*/\1/p' "$STACK/haproxy.cfg")
tw=$(curl -fsS --max-time 3 -X POST -H 'content-type: application/json' -d '{}' \
  "http://127.0.0.1:$api1/api/task_workers/filter" 2>/dev/null |
  "$BIN/python" -c "import json,sys; print(len(json.load(sys.stdin)))" 2>/dev/null)
row "task workers online" "$([ "${tw:-0}" -gt 0 ] && echo ok || echo DOWN)" "${tw:-0} on api-1 :$api1"
exit $bad
