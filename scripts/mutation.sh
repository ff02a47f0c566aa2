#!/usr/bin/env bash
# Mutation testing of the pure core (the modules and tests listed in pyproject.toml,
# [tool.mutmut]); not in CI: about half an hour on two cores. Prints each module's score.
#   bash scripts/mutation.sh            # a fresh run
#   bash scripts/mutation.sh --score    # the score of the last run
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=false PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
UV="python3 -m uv"
if [[ "${1:-}" != "--score" ]]; then
  $UV sync --frozen --quiet
  rm -rf mutants
  $UV run mutmut run --max-children "${JOBS:-2}" >/dev/null || true
fi
$UV run mutmut results --all true 2>/dev/null | $UV run python scripts/mutation_score.py
