"""How far ahead of the Prefect API's storage chiso may post events (see
:data:`tasks.events.sender.MAX_AHEAD`)."""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tasks.events.contract import Event

log = logging.getLogger(__name__)


@dataclass
class Window:
    """What chiso has posted to one API, and how much of it the API has stored."""

    max_ahead: int
    stall_s: float
    posted: int = 0
    stored: int = 0
    # (events posted up to it, id, occurred) of the last event of each posted chunk
    marks: deque[tuple[int, str, str]] = field(default_factory=deque)
    paced: bool = True
    most_ahead: int = 0  # the most events ever posted and not known stored

    def note_posted(self, chunk: list[Event]) -> None:
        """Count ``chunk`` as posted, and mark its last event to ask after (unless the API
        is no longer asked)."""
        self.posted += len(chunk)
        self.most_ahead = max(self.most_ahead, self.posted - self.stored)
        if self.paced:
            self.marks.append((self.posted, chunk[-1]["id"], chunk[-1]["occurred"]))

    def make_room(self, client: Any, n: int) -> None:
        """Wait until posting ``n`` more events keeps at most ``max_ahead`` unstored; stop
        pacing when the API cannot be asked, or stores nothing for ``stall_s``."""
        since = time.monotonic()
        while self.paced and self.marks and self.posted + n - self.stored > self.max_ahead:
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
            elif time.monotonic() - since > self.stall_s:
                log.warning(
                    "the Prefect API at %s stored none of chiso's events for %.0f s (is its "
                    "event persister off?): the rest are sent without waiting",
                    client.api_url,
                    self.stall_s,
                )
                self.paced = False
            else:
                time.sleep(0.2)


MEMORY_BROKER = "prefect.server.utilities.messaging.memory"


def needs_pacing(client: Any) -> bool:
    """Whether the API behind ``client`` can drop what it cannot deliver yet: its messaging
    broker is the in-memory one (an ephemeral API, a single ``prefect server``), whose
    queues drop events while 10,000 wait. A broker that keeps them (Redis, through
    prefect-redis, as on the stack) holds the backlog instead: a national five-year
    backfill's 132,860 events posted unpaced to the stack were all stored
    (bench/stack_events.py, docs/performance.md). An API that does not say is paced."""
    try:
        response = client.request("GET", "/admin/settings")
        response.raise_for_status()
        broker = response.json()["server"]["events"]["messaging_broker"]
    except Exception:
        return True
    if broker == MEMORY_BROKER:
        return True
    log.info(
        "the Prefect API at %s keeps undelivered events in its broker (%s): chiso's events "
        "are sent without waiting for their storage",
        client.api_url,
        broker,
    )
    return False


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
