#!/usr/bin/env bash
# Stop everything scripts/stack-up.sh started (state under $STACK_DIR is kept): each
# process was started in its own session, so its whole process group is stopped (a worker's
# flow-run children with it): SIGTERM, up to 20 s, then SIGKILL; then every process still
# carrying this stack's STACK_DIR in its environment. Says what it stopped; exit 1 if
# anything survived.
set -uo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK_DIR:-$PWD/.stack}
ORDER="portal task-worker worker-2 worker-1 public proxy services api-2 api-1 seaweed redis"
gone() { ! kill -0 -- "-$1" 2>/dev/null; }
for name in $ORDER; do
  [ -f "$STACK/$name.pid" ] || continue
  pid=$(cat "$STACK/$name.pid")
  if ! gone "$pid"; then
    start=$SECONDS how=SIGTERM
    kill -TERM -- "-$pid" 2>/dev/null
    for _ in $(seq 40); do gone "$pid" && break; sleep 0.5; done
    gone "$pid" || { kill -KILL -- "-$pid" 2>/dev/null; how=SIGKILL; sleep 0.5; }
    echo "stopped $name ($how, $((SECONDS - start)) s)"
  fi
  rm -f "$STACK/$name.pid"
done
MYSID=$(ps -o sid= -p $$ | tr -d ' ')
stack_pids() {  # every process outside this script's session whose environment names the stack
  local pid sid
  while read -r pid sid; do
    [ "$sid" = "$MYSID" ] && continue
    { tr '\0' '\n' </proc/"$pid"/environ | grep -qxF "STACK_DIR=$STACK"; } 2>/dev/null && echo "$pid"
  done < <(ps -eo pid=,sid=)
}
# anything that left its group (a flow run in a session of its own) but kept the env
mapfile -t left < <(stack_pids)
if [ ${#left[@]} -gt 0 ]; then
  kill -TERM "${left[@]}" 2>/dev/null; sleep 2; kill -KILL "${left[@]}" 2>/dev/null
  echo "stopped ${#left[@]} stray process(es) of the stack"
fi
sleep 0.5
mapfile -t still < <(stack_pids)
for pid in "${still[@]}"; do
  echo "still running: $pid $( { tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null)" >&2
done
[ ${#still[@]} -eq 0 ] || exit 1
echo "stack stopped"
