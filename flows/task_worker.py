"""The stack's long-lived task worker: runs the portal's deferred decisions
(:func:`flows.portal.decide_sent_task`) one at a time, in one process whose imports, GX,
database engine and reader pool stay warm between runs, where a deployment run would start
a cold Python process each time (Prefect's background tasks: ``.delay()`` and a task
worker).

    python -m flows.task_worker          # scripts/stack-up.sh starts it

Prefect keeps the queue of deferred task runs in the memory of the API process that
received them (``prefect/server/task_queue.py``), so this worker and the portal must talk
to the same API replica: the stack points both at its first replica, not at the proxy.
"""

from __future__ import annotations

import logging


def main() -> None:
    from flows.settings import quiet_offline

    quiet_offline()
    from prefect.task_worker import serve

    from flows.portal import decide_sent_task
    from flows.resources import resources
    from tasks.warmup import start_api_while_importing_gx

    start_api_while_importing_gx()  # GX imported before the first decision
    resources()  # the database migrated and the catalog loaded, once
    logging.getLogger(__name__).info("serving decide-sent-files")
    serve(decide_sent_task, limit=1)


if __name__ == "__main__":
    main()
