#!/usr/bin/env bash
# Stop everything scripts/stack-up.sh started (state under $STACK_DIR is kept): each
# process was started in its own session, so its whole process group is stopped (a
# worker's flow-run children with it): SIGTERM, up to 20 s, then SIGKILL, a tier at a time;
# then every process still carrying this stack's STACK_DIR in its environment. Says what
# it stopped; exit 1 if anything survived.
set -uo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK_DIR:-$PWD/.stack}
# in tiers, each tier's groups stopped together: what talks to the API, then the API and
# its services, then the stores they use
TIERS=("portal task-worker worker-2 worker-1 public" "proxy services api-2 api-1" "seaweed redis")
gone() { ! kill -0 -- "-$1" 2>/dev/null; }
stop_tier() {
  local name pid start=$SECONDS
  local -A pids=() how=()
  for name in $1; do
    [ -f "$STACK/$name.pid" ] || continue
    pid=$(cat "$STACK/$name.pid")
    gone "$pid" || { pids[$name]=$pid; how[$name]=SIGTERM; kill -TERM -- "-$pid" 2>/dev/null; }
  done
  all_gone() { for name in "${!pids[@]}"; do gone "${pids[$name]}" || return 1; done; }
  for _ in $(seq 40); do all_gone && break; sleep 0.5; done
  for name in "${!pids[@]}"; do
    gone "${pids[$name]}" || { kill -KILL -- "-${pids[$name]}" 2>/dev/null; how[$name]=SIGKILL; }
  done
  for name in "${!pids[@]}"; do echo "stopped $name (${how[$name]}, $((SECONDS - start)) s)"; done
  for name in $1; do rm -f "$STACK/$name.pid"; done
}
for tier in "${TIERS[@]}"; do stop_tier "$tier"; done
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
