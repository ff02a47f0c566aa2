#!/usr/bin/env bash
# Bring up the whole local stack: SeaweedFS (S3), a Prefect server (UI), chiso's
# deployments, and one process worker. State goes under .stack/ ; stop with
# scripts/stack-down.sh. Ports: Prefect 4200 (UI at http://127.0.0.1:4200), S3 8333.
# PostgreSQL: set CHISO_DATABASE_URL (chiso) and PREFECT_API_DATABASE_CONNECTION_URL
# (Prefect, postgresql+asyncpg://…) before running to use it; SQLite files otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK_DIR:-$PWD/.stack}
mkdir -p "$STACK"/{prefect,seaweed,logs}
export GX_ANALYTICS_ENABLED=false PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
export PREFECT_HOME="$STACK/prefect"
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:${PREFECT_PORT:-4200}/api}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-chiso} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-chiso-secret}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export CHISO_S3_ENDPOINT_URL=${CHISO_S3_ENDPOINT_URL:-http://127.0.0.1:${S3_PORT:-8333}}
export CHISO_OBJECT_STORE=${CHISO_OBJECT_STORE:-s3://chiso/}
export CHISO_SOURCES=${CHISO_SOURCES:-s3://chiso/inbox/}
export CHISO_HOME=${CHISO_HOME:-$STACK/chiso}
export PREFECT_WORKER_QUERY_SECONDS=${PREFECT_WORKER_QUERY_SECONDS:-5}
UV="python3 -m uv"
$UV sync --frozen >/dev/null
BIN=$PWD/.venv/bin

start() {  # name, command...
  local name=$1; shift
  if [ -f "$STACK/$name.pid" ] && kill -0 "$(cat "$STACK/$name.pid")" 2>/dev/null; then
    echo "$name already running"; return; fi
  nohup "$@" >"$STACK/logs/$name.log" 2>&1 &
  echo $! >"$STACK/$name.pid"
  echo "$name started (log $STACK/logs/$name.log)"
}
wait_for() {  # url
  for _ in $(seq 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "timed out waiting for $1" >&2; exit 1
}

S3P=${CHISO_S3_ENDPOINT_URL##*:}
start seaweed "$BIN/weed" mini -dir="$STACK/seaweed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
  -s3.port="$S3P" -admin.ui=false -master.telemetry=false -bucket=chiso
PP=${PREFECT_API_URL##*:}; PP=${PP%%/*}
start prefect-server "$BIN/prefect" server start --host 127.0.0.1 --port "$PP"
wait_for "${PREFECT_API_URL}/health"
for _ in $(seq 60); do "$BIN/python" -c "import boto3,os; boto3.client('s3', endpoint_url=os.environ['CHISO_S3_ENDPOINT_URL']).head_bucket(Bucket='chiso')" 2>/dev/null && break; sleep 0.5; done

"$BIN/prefect" work-pool inspect chiso-process >/dev/null 2>&1 || \
  "$BIN/prefect" work-pool create chiso-process --type process >/dev/null
for limit in chiso-process-submissions chiso-backfill; do
  "$BIN/prefect" gcl inspect "$limit" >/dev/null 2>&1 || \
    "$BIN/prefect" gcl create "$limit" --limit 1 >/dev/null
done
"$BIN/chiso" db upgrade >/dev/null
"$BIN/prefect" --no-prompt deploy --all >"$STACK/logs/deploy.log" 2>&1
start worker "$BIN/prefect" worker start --pool chiso-process --limit 2
cat <<MSG

chiso stack is up.
  Prefect UI:   ${PREFECT_API_URL%/api}
  S3 endpoint:  $CHISO_S3_ENDPOINT_URL   (bucket chiso; drop files under inbox/<unit>/<period>/)
  chiso state:  $CHISO_HOME   database: ${CHISO_DATABASE_URL:-sqlite file there}
  Env for CLI:  export PREFECT_API_URL=$PREFECT_API_URL PREFECT_HOME=$PREFECT_HOME
MSG
