"""Posting events and UI artifacts to the Prefect API from one background thread.

A national quarter brings thousands of events per run. Sent one by one (``emit_event``, a
websocket message each, with the run's related resources looked up per event) they cost
the run seconds and keep the API busy long after; so they are posted in batches to the
API's documented batch endpoint (``POST /events``), each carrying the run's flow run as
related resource, looked up once, from a background thread while the run goes on.

The API takes 1-3 ms of CPU per event (validation, storage, triggers; by machine), so a
national quarter's events keep it busy for seconds, and any API call of the run waits
behind them; and with its in-memory broker it drops events while 10,000 wait in its queues,
so the thread never runs more than ``max_ahead`` ahead of what such an API has stored
(:class:`Window`; an API whose broker keeps them, Redis on the stack, is not waited for:
:func:`~tasks.events.window.needs_pacing`).
The run's UI artifacts therefore go through the same thread (:meth:`EventSender.later`),
in order: the run goes on while they wait, and only its end waits for them.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx

from tasks.events.contract import Event
from tasks.events.window import Window, needs_pacing

log = logging.getLogger(__name__)

BATCH = 500
MAX_AHEAD = 6000
"""Events posted to an API but not yet stored by it, at most. The open-source server queues
the events it receives in memory, for each of its consumers (storage, triggers, task-run
recorder), and drops those that arrive while 10,000 are queued: a five-year national
backfill posts 132,840 events faster than the API stores them, and 105,839 deliveries were
dropped before this limit. Storage is the slowest consumer (about half of the API's CPU per
event, py-spy), so once it has stored an event the faster consumers have taken it too."""
STALL_S = 60.0  # no event stored for this long: the API stores none (its persister is off)


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


class EventSender:
    """One process's channel to the Prefect API for events and artifacts: one thread, so
    they reach the API in the order they were queued, paced per API (:class:`Window`)."""

    def __init__(
        self, batch: int = BATCH, max_ahead: int = MAX_AHEAD, stall_s: float = STALL_S
    ) -> None:
        self.batch = batch
        self.max_ahead = max_ahead
        self.stall_s = stall_s
        self.windows: dict[str, Window] = {}  # by API URL
        self._pending: list[Future[int]] = []
        self._thread: ThreadPoolExecutor | None = None
        self._depth = 0

    def send(self, events: list[Event]) -> int:
        """Queue ``events`` for posting with the current run's related resources; how many
        were queued. A failure is logged, not raised (the data is stored; schedules catch
        up), as ``emit_event`` does."""
        from prefect.events.utilities import should_emit_events
        from prefect.utilities.asyncutils import run_coro_as_sync

        if not events or not should_emit_events():
            return 0
        try:
            related = run_coro_as_sync(_related()) or []
        except Exception:
            log.exception("could not send %d events to the Prefect API", len(events))
            return 0
        self._queue(self.post, events, related)
        return len(events)

    def later(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Make the Prefect API call ``call(*args, **kwargs)`` (an artifact, say) on the
        thread, after the events queued before it and with the current run's context (so
        an artifact still belongs to this run). A failure is logged, not raised: the UI
        misses a table, the run's data is stored."""
        self._queue(_logged, call, *args, **kwargs)

    def flush(self) -> int:
        """Wait until every queued event and call has been made; how many events the
        sends it waited for posted."""
        done = 0
        while self._pending:
            done += self._pending.pop(0).result()
        return done

    @contextmanager
    def run(self) -> Iterator[EventSender]:
        """A flow run's span: the outermost one ends once everything it queued is with the
        API, failed or not (a flow called inside another, as ``chiso run`` calls collect,
        process and publish, leaves that to its caller: its events go on while the next
        step runs)."""
        self._depth += 1
        try:
            yield self
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.flush()

    def post(self, events: list[Event], related: list[dict[str, str]]) -> int:
        """Post ``events`` now, in batches, paced by what the API has stored; how many."""
        from prefect.client.orchestration import get_client

        try:
            with get_client(sync_client=True) as client:
                url = str(client.api_url)
                if url not in self.windows:
                    self.windows[url] = Window(
                        self.max_ahead, self.stall_s, paced=needs_pacing(client)
                    )
                window = self.windows[url]
                sent = 0
                for start in range(0, len(events), self.batch):
                    chunk = sendable(
                        [
                            e | {"related": [*e.get("related", []), *related]}
                            for e in events[start : start + self.batch]
                        ]
                    )
                    window.make_room(client, len(chunk))
                    sent += _post(client, chunk)
                    window.note_posted(chunk)
        except Exception:
            log.exception("could not send %d events to the Prefect API", len(events))
            return 0
        return sent

    def _queue(self, fn: Callable[..., int], *args: Any, **kwargs: Any) -> None:
        # the thread sees this run's Prefect settings and run context (context variables)
        context = contextvars.copy_context()
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chiso-events")
        self._pending = [f for f in self._pending if not f.done()]  # a worker sends for days
        self._pending.append(self._thread.submit(context.run, fn, *args, **kwargs))


def sendable(events: list[Event]) -> list[Event]:
    """The events JSON can carry: one that cannot be encoded (a text no encoder takes) is
    logged and left out, never the batch it came in."""
    out = []
    for e in events:
        try:
            json.dumps(e)
        except (TypeError, ValueError) as exc:
            log.error("event %s left out, it cannot be sent: %s", e.get("event"), exc)
            continue
        out.append(e)
    return out


def _post(client: Any, chunk: list[Event]) -> int:
    """Post a batch; the API refusing it (4xx: one event it does not take) posts each
    event alone, so only the refused ones are lost (and logged). How many were taken."""
    if not chunk:
        return 0
    try:
        client.request("POST", "/events", json=chunk)
        return len(chunk)
    except httpx.HTTPStatusError as exc:
        if not 400 <= exc.response.status_code < 500 or len(chunk) == 1:
            raise
    taken = 0
    for e in chunk:
        try:
            client.request("POST", "/events", json=[e])
            taken += 1
        except httpx.HTTPStatusError as exc:
            log.error("the API refused event %s: HTTP %s", e.get("event"), exc.response.status_code)
    return taken


def _logged(call: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    try:
        call(*args, **kwargs)
    except Exception:
        log.exception("Prefect API call %s failed", getattr(call, "__name__", call))
    return 0  # no events
