#!/usr/bin/env bash
# Stop what scripts/stack-up.sh started (state under .stack/ is kept).
set -uo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK_DIR:-$PWD/.stack}
for name in worker prefect-server seaweed; do
  if [ -f "$STACK/$name.pid" ]; then
    kill "$(cat "$STACK/$name.pid")" 2>/dev/null && echo "stopped $name"
    rm -f "$STACK/$name.pid"
  fi
done
