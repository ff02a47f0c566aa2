#!/usr/bin/env bash
# Bring up chiso's production stack in Prefect's scaled self-hosted shape, everything bound
# to 127.0.0.1 and started in its own session (so scripts/stack-down.sh stops each whole):
#
#   PostgreSQL      chiso's database and Prefect's (started if down; databases created)
#   Redis           Prefect's messaging, cache, causal ordering and lease storage
#                   (prefect-redis; started by the stack if nothing answers)
#   SeaweedFS       the S3 object store and inbox (unless CHISO_S3_ENDPOINT_URL is given)
#   api-1, api-2    two `prefect server start --no-services` replicas
#   services        `prefect server services start` (scheduler, triggers, late runs, …)
#   proxy           HAProxy in front of the replicas: the one API and UI address
#   public          python -m flows.serve: snapshots/ and docs/ read-only, for the UI links
#   portal          chiso portal: the units' door (pages and API; accounts by chiso account)
#   task-worker     python -m flows.task_worker: decides what the portal received, warm
#   worker-1, -2    two process workers of the chiso-process pool
#
# State under $STACK_DIR (default .stack/): pid files, logs, env (source it to use the CLI).
# Ports (override by variable): PREFECT_PORT 4200 (proxy: UI and API), API_PORT_1 4201,
# API_PORT_2 4202, S3_PORT 8333, PUBLIC_PORT 8089, PORTAL_PORT 8080,
# REDIS_PORT 6379. PREFECT_FILE (prefect.yaml) and AUTOMATIONS_FILE (automations.yaml) name
# what is deployed and automated.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export STACK_DIR=${STACK_DIR:-$ROOT/.stack}
STACK=$STACK_DIR
mkdir -p "$STACK"/{prefect,seaweed,logs}
# a stack that cannot come up whole is taken down again, never left half-running
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "stack-up failed (exit $rc): stopping what it started" >&2; bash "$ROOT/scripts/stack-down.sh" >&2; fi' EXIT
export GX_ANALYTICS_ENABLED=false PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
# uv: the one `uv run` names in $UV, else a python3 that has it (make bootstrap installs
# it for the system's python3; inside the project's venv, python3 is the venv's)
if [ -n "${UV:-}" ] && [ -x "${UV%% *}" ]; then :; else
  UV=""
  for py in $(type -a -p python3 | awk '!seen[$0]++'); do
    if "$py" -m uv --version >/dev/null 2>&1; then UV="$py -m uv"; break; fi
  done
  [ -n "$UV" ] || { command -v uv >/dev/null 2>&1 && UV=uv; }
fi
[ -n "$UV" ] || { echo "stack-up: uv not found (run make install first)" >&2; exit 1; }
$UV sync --frozen >/dev/null
BIN=$ROOT/.venv/bin
bash scripts/ensure-services.sh postgres haproxy

PREFECT_PORT=${PREFECT_PORT:-4200}
API_PORT_1=${API_PORT_1:-4201}
API_PORT_2=${API_PORT_2:-4202}
PUBLIC_PORT=${PUBLIC_PORT:-8089}
PORTAL_PORT=${PORTAL_PORT:-8080}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
PG_USER=${PG_USER:-$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1 && echo postgres || echo root)}
CHISO_DB=${CHISO_DB:-chiso_stack}
PREFECT_DB=${PREFECT_DB:-prefect_stack}
EXTERNAL_S3=${CHISO_S3_ENDPOINT_URL:+yes}

# --- what every process of the stack shares (also written to $STACK/env) ----------------
cat >"$STACK/env" <<ENV
export STACK_DIR='$STACK'
export GX_ANALYTICS_ENABLED=false PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
export PREFECT_HOME='$STACK/prefect'
export PREFECT_API_URL='http://127.0.0.1:$PREFECT_PORT/api'
export PREFECT_UI_API_URL='http://127.0.0.1:$PREFECT_PORT/api'
export PREFECT_API_DATABASE_CONNECTION_URL='${PREFECT_API_DATABASE_CONNECTION_URL:-postgresql+asyncpg://$PG_USER@127.0.0.1:5432/$PREFECT_DB}'
export PREFECT_API_DATABASE_MIGRATE_ON_START=false
export PREFECT_MESSAGING_BROKER=prefect_redis.messaging
export PREFECT_MESSAGING_CACHE=prefect_redis.messaging
export PREFECT_SERVER_EVENTS_CAUSAL_ORDERING=prefect_redis.ordering
export PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE=prefect_redis.lease_storage
export PREFECT_REDIS_MESSAGING_HOST='$REDIS_HOST'
export PREFECT_REDIS_MESSAGING_PORT='$REDIS_PORT'
export PREFECT_REDIS_MESSAGING_DB='${PREFECT_REDIS_MESSAGING_DB:-0}'
export PREFECT_FLOWS_HEARTBEAT_FREQUENCY=${PREFECT_FLOWS_HEARTBEAT_FREQUENCY:-30}
# a run that finds its deployment's slot taken (ENQUEUE) asks again after 5 s, not Prefect's
# 30: with the 30, runs created meanwhile (a schedule's) could take the slot first each time
export PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS=5
export PREFECT_WORKER_QUERY_SECONDS='${PREFECT_WORKER_QUERY_SECONDS:-2}'
export AWS_ACCESS_KEY_ID='${AWS_ACCESS_KEY_ID:-chiso}'
export AWS_SECRET_ACCESS_KEY='${AWS_SECRET_ACCESS_KEY:-chiso-secret}'
export AWS_DEFAULT_REGION='${AWS_DEFAULT_REGION:-us-east-1}'
export CHISO_S3_ENDPOINT_URL='${CHISO_S3_ENDPOINT_URL:-http://127.0.0.1:${S3_PORT:-8333}}'
export CHISO_OBJECT_STORE='${CHISO_OBJECT_STORE:-s3://chiso/}'
export CHISO_SOURCES='${CHISO_SOURCES:-s3://chiso/inbox/}'
export CHISO_HOME='${CHISO_HOME:-$STACK/chiso}'
export CHISO_DATABASE_URL='${CHISO_DATABASE_URL:-postgresql+psycopg://$PG_USER@127.0.0.1:5432/$CHISO_DB}'
export CHISO_PUBLIC_URL='http://127.0.0.1:$PUBLIC_PORT'
export CHISO_PORTAL_URL='${CHISO_PORTAL_URL:-http://127.0.0.1:$PORTAL_PORT}'
export CHISO_SMTP_URL='${CHISO_SMTP_URL:-}'
export CHISO_MAIL_FROM='${CHISO_MAIL_FROM:-chiso@localhost}'
ENV
# shellcheck disable=SC1091
source "$STACK/env"

# A background command of a script starts with SIGINT ignored, and a Prefect worker turns
# SIGTERM into SIGINT: each process gets SIGINT's default back before it starts.
RESTORE_SIGINT='import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])'
start() {  # name, command... : in its own session (its pid is its process group)
  local name=$1; shift
  if [ -f "$STACK/$name.pid" ] && kill -0 "$(cat "$STACK/$name.pid")" 2>/dev/null; then
    echo "$name already running"; return; fi
  setsid "$BIN/python" -c "$RESTORE_SIGINT" "$@" >"$STACK/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$STACK/$name.pid"
  echo "$name started (log $STACK/logs/$name.log)"
}
alive() {  # name: exits 1 with the log's tail when the process has died
  if ! kill -0 "$(cat "$STACK/$1.pid")" 2>/dev/null; then
    echo "$1 exited; the end of $STACK/logs/$1.log:" >&2; tail -20 "$STACK/logs/$1.log" >&2; exit 1; fi
}
wait_for() {  # what, name of the process that must stay alive, command...
  local what=$1 name=$2; shift 2
  for _ in $(seq 240); do "$@" >/dev/null 2>&1 && return 0; alive "$name"; sleep 0.5; done
  echo "timed out waiting for $what" >&2; exit 1
}

# --- Redis: the machine's if it answers, else the stack's own ----------------------------
if ! redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --daemonize no
  wait_for "Redis" redis redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping
fi

# --- PostgreSQL databases -------------------------------------------------------------
"$BIN/python" - <<'PY'
import os, re
import psycopg
for var in ("CHISO_DATABASE_URL", "PREFECT_API_DATABASE_CONNECTION_URL"):
    url = os.environ[var]
    m = re.match(r"postgresql\+\w+://(?P<user>[^@/:]+)@(?P<host>[^:/]+):(?P<port>\d+)/(?P<db>\w+)$", url)
    if not m:
        continue  # another database the operator set up
    with psycopg.connect(host=m["host"], port=m["port"], user=m["user"], dbname="postgres",
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (m["db"],)).fetchone():
            conn.execute(f'CREATE DATABASE "{m["db"]}"')
PY

# chiso's schema, meanwhile (its database is not Prefect's): waited for before the deploy
"$BIN/chiso" db upgrade >"$STACK/logs/db-upgrade.log" 2>&1 &
CHISO_DB_UPGRADE=$!

# --- SeaweedFS (S3) ---------------------------------------------------------------------
if [ -z "$EXTERNAL_S3" ]; then
  S3P=${CHISO_S3_ENDPOINT_URL##*:}
  start seaweed "$BIN/weed" mini -dir="$STACK/seaweed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="$S3P" -admin.ui=false -master.telemetry=false -bucket=chiso
fi

# --- Prefect: schema once, two API replicas, the services, the proxy ---------------------
"$BIN/prefect" server database upgrade -y >"$STACK/logs/migrate.log" 2>&1
# the two replicas start together; only the first registers Prefect's block types (two
# doing it at once collide on the same rows)
start api-1 "$BIN/prefect" server start --no-services --host 127.0.0.1 --port "$API_PORT_1"
start api-2 env PREFECT_SERVER_REGISTER_BLOCKS_ON_START=false \
  "$BIN/prefect" server start --no-services --host 127.0.0.1 --port "$API_PORT_2"
wait_for "Prefect API api-1" api-1 curl -fsS "http://127.0.0.1:$API_PORT_1/api/health"
wait_for "Prefect API api-2" api-2 curl -fsS "http://127.0.0.1:$API_PORT_2/api/health"
start services "$BIN/prefect" server services start
cat >"$STACK/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  retries 3
  option redispatch
  retry-on conn-failure empty-response response-timeout 502 503
frontend prefect
  bind 127.0.0.1:$PREFECT_PORT
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /api/health
  http-check expect status 200
  server api-1 127.0.0.1:$API_PORT_1 check inter 1s fall 2 rise 1
  server api-2 127.0.0.1:$API_PORT_2 check inter 1s fall 2 rise 1
CFG
start proxy haproxy -db -f "$STACK/haproxy.cfg"
wait_for "the Prefect API through the proxy" proxy curl -fsS "$PREFECT_API_URL/health"
alive services
if [ -z "$EXTERNAL_S3" ]; then
  wait_for "S3" seaweed "$BIN/python" -c "import boto3,os; boto3.client('s3', endpoint_url=os.environ['CHISO_S3_ENDPOINT_URL']).head_bucket(Bucket='chiso')"
fi

# --- chiso: database, pool, limits, deployments, the public server, two workers -----------
# the work pool, the concurrency limits and the automations, where missing, in one process
"$BIN/python" scripts/stack_setup.py "${AUTOMATIONS_FILE:-$ROOT/automations.yaml}" \
  >"$STACK/logs/setup.log" 2>&1 || {
  echo "setting up the Prefect API failed; the end of $STACK/logs/setup.log:" >&2
  tail -20 "$STACK/logs/setup.log" >&2; exit 1; }
wait "$CHISO_DB_UPGRADE" || {
  echo "chiso db upgrade failed; the end of $STACK/logs/db-upgrade.log:" >&2
  tail -20 "$STACK/logs/db-upgrade.log" >&2; exit 1; }
"$BIN/prefect" --no-prompt deploy --all --prefect-file "${PREFECT_FILE:-$ROOT/prefect.yaml}" \
  >"$STACK/logs/deploy.log" 2>&1
start public "$BIN/python" -m flows.serve --port "$PUBLIC_PORT"
# the portal defers its decisions to the task worker (Prefect background tasks); Prefect
# queues those in the memory of the API replica that took them, so both talk to api-1
PINNED="env PREFECT_API_URL=http://127.0.0.1:$API_PORT_1/api"
start portal $PINNED "$BIN/chiso" portal --port "$PORTAL_PORT"
start task-worker $PINNED "$BIN/python" -m flows.task_worker
start worker-1 "$BIN/prefect" worker start --pool chiso-process --name chiso-worker-1 --limit 2
start worker-2 "$BIN/prefect" worker start --pool chiso-process --name chiso-worker-2 --limit 2
wait_for "the public server" public curl -sS -o /dev/null "http://127.0.0.1:$PUBLIC_PORT/"
wait_for "the portal" portal curl -sSf -o /dev/null "http://127.0.0.1:$PORTAL_PORT/healthz"
for w in worker-1 worker-2 task-worker; do alive "$w"; done

cat <<MSG

chiso stack is up (scripts/stack-status.sh says what runs; scripts/stack-down.sh stops it).
  Prefect UI and API:  http://127.0.0.1:$PREFECT_PORT   (HAProxy over 127.0.0.1:$API_PORT_1 and :$API_PORT_2)
  S3 endpoint:         $CHISO_S3_ENDPOINT_URL   key $AWS_ACCESS_KEY_ID / secret $AWS_SECRET_ACCESS_KEY
                       units put files at s3://chiso/inbox/<unit_code>/<period>/<file>
  Published files:     $CHISO_PUBLIC_URL/snapshots/…   and   $CHISO_PUBLIC_URL/docs/
  Units' portal:       $CHISO_PORTAL_URL   (invite: source $STACK/env && uv run chiso account add --unit CODE --email ADDR)
  Databases:           chiso $CHISO_DATABASE_URL
                       Prefect $PREFECT_API_DATABASE_CONNECTION_URL
  Redis:               $REDIS_HOST:$REDIS_PORT db $PREFECT_REDIS_MESSAGING_DB
  The CLI:             source $STACK/env && uv run prefect deployment ls
MSG
