"""What scripts/stack-up.sh sets up in the Prefect API before it deploys chiso, in one
process: the ``chiso-process`` work pool (process workers), the global concurrency limits
the flows take (``chiso-process-submissions`` and ``chiso-backfill``, one slot each) and
the automations of ``automations.yaml``. Each is created only where it is missing (an
existing one is left as the operator may have changed it), so running it again changes
nothing.

    python scripts/stack_setup.py [AUTOMATIONS_YAML]   (PREFECT_API_URL from the stack's env)

The same as ``prefect work-pool create``, ``prefect gcl create`` and ``prefect automation
create --from-file``, each after an ``inspect``: seven Prefect CLI processes took 25-36 s
of every stack's start on 2 cores, mostly their imports; this takes one.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
from prefect.events.schemas.automations import AutomationCore
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessWorker

POOL = "chiso-process"
# flows.process.CONCURRENCY and flows.backfill.CONCURRENCY (tests/flows/test_deployments.py
# holds them equal), named here: importing the flows would cost this process seconds
LIMITS = ("chiso-process-submissions", "chiso-backfill")


async def setup(automations: Path) -> list[str]:
    """Create what is missing; what was created, one line each."""
    done = []
    async with get_client() as client:
        try:
            await client.read_work_pool(POOL)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            await client.create_work_pool(
                WorkPoolCreate(name=POOL, type="process", base_job_template=template)
            )
            done.append(f"work pool {POOL}")
        for name in LIMITS:
            try:
                await client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                await client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )
                done.append(f"concurrency limit {name}")
        for spec in yaml.safe_load(automations.read_text("utf-8"))["automations"]:
            automation = AutomationCore.model_validate(spec)
            if not await client.read_automations_by_name(automation.name):
                await client.create_automation(automation)
                done.append(f"automation {automation.name}")
    return done


def main() -> None:
    automations = Path(sys.argv[1] if len(sys.argv) > 1 else "automations.yaml")
    for line in asyncio.run(setup(automations)):
        print("created", line)


if __name__ == "__main__":
    main()
