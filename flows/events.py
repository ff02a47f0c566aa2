"""The Prefect events chiso emits (names, resources and payloads of the contract, section 7).

A national quarter brings thousands of events per run. Sent one by one (``emit_event``, a
websocket message each, with the run's related resources looked up per event) they cost
the run seconds and keep the API busy long after; so they are posted in batches to the
API's documented batch endpoint (``POST /events``), each carrying the run's flow run as
related resource, looked up once, from a background thread while
the run goes on.

The API takes 1-3 ms of CPU per event (validation, storage, triggers; by machine), so a
national quarter's events keep it busy for seconds, and any API call of the run waits
behind them; and it drops events while 10,000 wait in its queues, so the thread never runs
more than :data:`MAX_AHEAD` ahead of what the API has stored.
The run's UI artifacts therefore go through the same thread (:func:`later`), in order:
the run goes on while they wait, and only its end waits for them (:func:`flush`).
"""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from tasks.decide.store import Outcome
from tasks.intake.collect import Registered

BATCH = 500
log = logging.getLogger(__name__)
Event = dict[str, Any]


def _resource(kind: str, ident: str, **labels: str | None) -> dict[str, str]:
    res = {"prefect.resource.id": f"chiso.{kind}.{ident}"}
    res |= {f"chiso.{k}": v for k, v in labels.items() if v}
    return res


def _event(name: str, resource: dict[str, str], payload: dict[str, Any], at: str) -> Event:
    return {
        "id": str(uuid.uuid4()),
        "occurred": at,
        "event": name,
        "resource": resource,
        "payload": payload,
    }


async def _related() -> list[dict[str, str]]:
    """The run's flow run, as the events' one related resource. ``emit_event`` would relate
    the flow, deployment, work queue, work pool and each tag too; the API stores a row per
    resource per event and validates each resource several times: each costs it about
    0.2 ms of CPU per event (3,321 events with flow run and flow related: 3.4-3.6 API CPU
    seconds; with the flow run alone: 2.9; bench/events.py). The flow run's page still
    lists the events, and the flow run leads to the rest."""
    from prefect.client.orchestration import get_client
    from prefect.events.related import related_resources_from_run_context

    async with get_client() as client:
        found = await related_resources_from_run_context(client)
    return [dict(r) for r in found if r.get("prefect.resource.role") == "flow-run"]


def send(events: list[Event]) -> int:
    """Queue ``events`` for posting with the current run's related resources; how many were
    queued. They are posted by one background thread, in order, while the run goes on
    (the API takes a national quarter's events in seconds); :func:`flush` waits for them,
    and so does the interpreter before it exits. A failure is logged, not raised (the data
    is stored; schedules catch up), as ``emit_event`` does."""
    from prefect.events.utilities import should_emit_events
    from prefect.utilities.asyncutils import run_coro_as_sync

    if not events or not should_emit_events():
        return 0
    try:
        related = run_coro_as_sync(_related()) or []
    except Exception:
        log.exception("could not send %d events to the Prefect API", len(events))
        return 0
    _queue(_post, events, related)
    return len(events)


def later(call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Make the Prefect API call ``call(*args, **kwargs)`` (an artifact, say) on the
    background thread, after the events queued before it and with the current run's
    context (so an artifact still belongs to this run); :func:`flush` waits for it. A
    failure is logged, not raised: the UI misses a table, the run's data is stored."""
    _queue(_logged, call, *args, **kwargs)


def _logged(call: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    try:
        call(*args, **kwargs)
    except Exception:
        log.exception("Prefect API call %s failed", getattr(call, "__name__", call))
    return 0  # no events


def _queue(fn: Callable[..., int], *args: Any, **kwargs: Any) -> None:
    # the thread sees this run's Prefect settings and run context (context variables)
    context = contextvars.copy_context()
    _PENDING[:] = [f for f in _PENDING if not f.done()]  # a long-lived worker sends for days
    _PENDING.append(_sender().submit(context.run, fn, *args, **kwargs))


_SENDER: list[ThreadPoolExecutor] = []
_PENDING: list[Future[int]] = []


def _sender() -> ThreadPoolExecutor:
    if not _SENDER:  # one thread: events reach the API in the order they were sent
        _SENDER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="chiso-events"))
    return _SENDER[0]


def _post(events: list[Event], related: list[dict[str, str]]) -> int:
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            window = _WINDOWS.setdefault(str(client.api_url), _Window())
            for start in range(0, len(events), BATCH):
                chunk = [e | {"related": related} for e in events[start : start + BATCH]]
                window.make_room(client, len(chunk))
                client.request("POST", "/events", json=chunk).raise_for_status()
                window.note_posted(chunk)
    except Exception:
        log.exception("could not send %d events to the Prefect API", len(events))
        return 0
    return len(events)


MAX_AHEAD = 6000
"""Events posted to an API but not yet stored by it, at most. The open-source server queues
the events it receives in memory, for each of its consumers (storage, triggers, task-run
recorder), and drops those that arrive while 10,000 are queued: a five-year national
backfill posts 132,840 events faster than the API stores them, and 105,839 deliveries were
dropped before this limit. Storage is the slowest consumer (about half of the API's CPU per
event, py-spy), so once it has stored an event the faster consumers have taken it too."""
STALL_S = 60.0  # no event stored for this long: the API stores none (its persister is off)


@dataclass
class _Window:
    """What chiso has posted to one API, and how much of it the API has stored."""

    posted: int = 0
    stored: int = 0
    # (events posted up to it, id, occurred) of the last event of each posted chunk
    marks: deque[tuple[int, str, str]] = field(default_factory=deque)
    paced: bool = True

    def note_posted(self, chunk: list[Event]) -> None:
        """Count ``chunk`` as posted, and mark its last event to ask after (unless the API
        is no longer asked)."""
        self.posted += len(chunk)
        if self.paced:
            self.marks.append((self.posted, chunk[-1]["id"], chunk[-1]["occurred"]))

    def make_room(self, client: Any, n: int) -> None:
        """Wait until posting ``n`` more events keeps at most :data:`MAX_AHEAD` unstored."""
        since = time.monotonic()
        while self.paced and self.marks and self.posted + n - self.stored > MAX_AHEAD:
            count, ident, occurred = self.marks[0]
            try:
                stored = _stored(client, ident, occurred)
            except Exception:
                log.warning("cannot ask the Prefect API what it stored", exc_info=True)
                self.paced = False
                break
            if stored:
                self.stored = count
                self.marks.popleft()
                since = time.monotonic()
            elif time.monotonic() - since > STALL_S:
                log.warning(
                    "the Prefect API at %s stored none of chiso's events for %.0f s (is its "
                    "event persister off?): the rest are sent without waiting",
                    client.api_url,
                    STALL_S,
                )
                self.paced = False
            else:
                time.sleep(0.2)


_WINDOWS: dict[str, _Window] = {}


def _stored(client: Any, ident: str, occurred: str) -> bool:
    """Whether the API has stored the event ``ident``."""
    since = datetime.fromisoformat(occurred) - timedelta(minutes=1)
    body = {
        "filter": {"id": {"id": [ident]}, "occurred": {"since": since.isoformat()}},
        "limit": 1,
    }
    response = client.request("POST", "/events/filter", json=body)
    response.raise_for_status()
    return bool(response.json()["events"])


def flush() -> int:
    """Wait until every queued event and call has been made; how many events the sends it
    waited for posted."""
    done = 0
    while _PENDING:
        done += _PENDING.pop(0).result()
    return done


def submissions_received(registered: Iterable[Registered]) -> int:
    """One ``chiso.submission.received`` per new submission."""
    at = datetime.now(UTC).isoformat()
    return send(
        [
            _event(
                "chiso.submission.received",
                _resource("submission", r.submission_id, unit=r.unit, period=r.period),
                {"submission_id": r.submission_id},
                at,
            )
            for r in registered
            if r.new
        ]
    )


class Decided(NamedTuple):
    """What a run keeps of each decision for its events: not the problems' texts (a
    backfill decides tens of thousands, each with its problems in two languages)."""

    submission_id: str
    status: str
    unit_code: str | None
    period: str | None
    errors: int
    warnings: int

    @classmethod
    def of(cls, o: Outcome) -> Decided:
        return cls(o.submission_id, o.status, o.unit_code, o.period, o.error_count, o.warning_count)


def submissions_decided(decided: Iterable[Decided]) -> int:
    """``chiso.submission.accepted|rejected`` per submission."""
    at = datetime.now(UTC).isoformat()
    return send(
        [
            _event(
                f"chiso.submission.{d.status}",
                _resource("submission", d.submission_id, unit=d.unit_code, period=d.period),
                {"submission_id": d.submission_id, "errors": d.errors, "warnings": d.warnings},
                at,
            )
            for d in decided
        ]
    )


def periods_updated(decided: Iterable[Decided]) -> dict[str, list[str]]:
    """One ``chiso.period.updated`` per period the run's decisions touched, after every
    decision's own event; the affected periods and their submissions."""
    at = datetime.now(UTC).isoformat()
    periods: dict[str, list[str]] = {}
    for d in decided:
        if d.period:
            periods.setdefault(d.period, []).append(d.submission_id)
    send(
        [
            _event(
                "chiso.period.updated",
                _resource("period", period, period=period),
                {"period": period, "submission_ids": ids},
                at,
            )
            for period, ids in sorted(periods.items())
        ]
    )
    return periods
