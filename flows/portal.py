"""``chiso portal`` and ``chiso account``: the units' door built from the composition root."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from prefect import task

from flows.heartbeats import flow
from flows.resources import Resources

log = logging.getLogger(__name__)
# seconds a deferred run is waited for; past it (no task worker took it) the received
# events hand the files to process-submissions' trigger instead
DEFER_WAIT = 120


class Decider:
    """Decide pending submissions now, without waiting for a schedule.

    On a stack (``PREFECT_API_URL`` set) it defers :func:`decide_sent_task` with
    ``.delay()``: the stack's long-lived task worker (``python -m flows.task_worker``,
    imports, GX and reader pool warm) runs it, and publishing follows through the
    ``chiso.period.updated`` trigger as for any other run. Should the API refuse the task,
    it sends the contract's received events instead, which start ``process-submissions``
    through its trigger (a cold flow-run process, queued behind a running one); and the
    deployment's hourly schedule decides whatever is still pending. Without a Prefect API
    it runs processing and publishing itself, in one background thread: a request made
    while a run goes on makes one more run after it (requests in between are one), so
    none is lost and none runs twice at once. Whichever runs, the claims decide each
    submission once.
    """

    def __init__(self, res: Resources) -> None:
        import contextvars

        self.res = res
        # the runs see the Prefect settings of whoever built the decider (a test's harness)
        self._context = contextvars.copy_context()
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._sent: list[Any] = []  # registered since the last run began
        self.on_stack = bool(os.environ.get("PREFECT_API_URL"))

    def __call__(self, registered: list[Any]) -> None:
        """Ask for a run; returns at once (the request does not wait on Prefect)."""
        with self._lock:
            self._sent += registered
            self._wanted.set()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._context.copy().run,
                    args=(self._loop,),
                    name="chiso-decide",
                    daemon=True,
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._wanted.is_set():
                    self._thread = None  # a request from now on starts a new thread
                    return
                self._wanted.clear()
                sent, self._sent = self._sent, []
            try:
                if self.on_stack:
                    self._defer(sent)
                else:
                    decide_sent(home=str(self.res.settings.home))
            except Exception:  # the next request, or the next schedule, tries again
                log.exception("deciding the sent files failed")

    def _defer(self, sent: list[Any]) -> None:
        """One task run for the task worker, waited for until the files it was asked for
        are decided: the requests made meanwhile are one more run after it. (Not until
        the task run's end: Prefect records a task run's final state from its events, and
        the API said it about 8 s after the run ended; a unit sending again waited that
        long. The run's tail, Data Docs and artifacts, goes on while the next waits in the
        task worker.)"""
        from tasks.events import contract

        try:
            decide_sent_task.delay()
        except Exception:
            log.exception("deferring the decision failed: sending the received events")
            self.res.events.send(contract.received(sent, self.res.units))
            return
        if not self._decided([r.submission_id for r in sent], DEFER_WAIT):
            log.warning("no task worker decided the sent files: sending the received events")
            self.res.events.send(contract.received(sent, self.res.units))

    def _decided(self, ids: list[str], timeout: float) -> bool:
        """Wait until none of ``ids`` is still ``received`` (asked every quarter second);
        whether that came within ``timeout``."""
        import time

        from sqlalchemy import func
        from sqlmodel import Session, col, select

        from models.submission import Status, Submission

        deadline = time.monotonic() + timeout
        while ids and time.monotonic() < deadline:
            with Session(self.res.engine) as s:
                waiting = s.exec(
                    select(func.count())
                    .select_from(Submission)
                    .where(col(Submission.id).in_(ids), Submission.status == Status.RECEIVED)
                ).one()
            if not waiting:
                return True
            time.sleep(0.25)
        return not ids

    def idle(self, timeout: float) -> bool:
        """Wait until no run goes on nor is wanted (tests, benchmarks)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            thread.join(min(left, 1.0))


@flow(name="decide-sent")
def decide_sent(home: str | None = None) -> dict[str, Any]:
    """Decide the files units sent through the portal (and any other pending), then
    publish what changed: ``chiso run`` without collecting (the portal registered them).

    Args:
        home: chiso's state directory (default: CHISO_HOME).
    """
    from flows.process import process_submissions
    from flows.publish import publish_snapshot
    from flows.resources import resources
    from models.periods import local_today
    from tasks.publish.queries import dirty_periods

    res = resources(home)
    with res.events.run():
        processed = process_submissions.fn(home=home)
        periods = dirty_periods(res.engine, res.units, local_today())
        published = publish_snapshot.fn(home=home, periods=periods) if periods else []
    return {"processed": processed, "published": published}


@task(name="decide-sent-files", retries=1, retry_delay_seconds=10)
def decide_sent_task() -> dict[str, Any]:
    """The portal's deferred work on a stack: a ``process-submissions`` run (a subflow,
    with its artifacts) over every pending submission, in the task worker's warm process.
    Its ``chiso.period.updated`` events start ``publish-snapshot``. The worker's own
    settings (``CHISO_*``) say where chiso's state is, so the task takes no parameters."""
    from flows.process import process_submissions

    done = process_submissions()
    return {k: done[k] for k in ("decided", "accepted", "rejected", "periods")}


def sender_back(res: Resources, decider: Decider) -> Any:
    """``send_back(sid, reason)`` for the portal: ``chiso withdraw`` (the previous accepted
    submission is current again), the unit's mail queued, then a run asked for that
    republishes the quarter and sends the outbox (embedded: the decider's run; on a stack
    the period's event starts publish-snapshot, the task worker's run sends the mail)."""

    def send_back(sid: str, reason: str) -> None:
        from datetime import UTC, datetime

        from tasks.decide.corrections import withdraw
        from tasks.events import contract
        from tasks.mail import plan
        from tasks.mail.compose import Links
        from tasks.mail.outbox import queue

        sub = withdraw(res.engine, sid, reason, datetime.now(UTC))
        links = Links(res.settings.portal_url)
        queue(res.engine, plan.returned_mail(res.engine, res.units, links, sid, reason))
        if decider.on_stack and sub.period:
            res.events.send(contract.periods_updated({sub.period: [sid]}))
        decider([])

    return send_back


def build_portal(res: Resources, decide: Decider | None = None) -> Any:
    """The portal's resources from the run's: the first source takes the sent files."""
    from models.catalog import reported_figures
    from portal.context import Portal
    from tasks.decide.check import Checker
    from tasks.intake.sources import open_source
    from tasks.warmup import start_api_while_importing_gx

    res.prepare_database()
    # warm before the first request: GX imported here, not by two request threads at
    # once (a partially initialised module), and Prefect's API up when there is none
    start_api_while_importing_gx()
    settings = res.settings
    decider = decide or Decider(res)
    return Portal(
        engine=res.engine,
        store=res.store,
        units=res.units,
        source=open_source(settings.source_list[0], settings),
        url=settings.portal_url.rstrip("/"),
        max_file_bytes=settings.max_file_bytes,
        open_days=settings.open_days,
        timely_days=settings.timely_days,
        figures=list(reported_figures(res.indicators).values()),
        decide=decider,
        send_back=sender_back(res, decider),
        make_checker=lambda: Checker(
            res.engine, res.readers, res.units, res.rules(), settings.timely_days
        ),
        groups=res.groups,
    )
