"""Per-unit HTTP endpoints returning the JSON document (polled for the open periods)."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import httpx

from models.catalog import UnitCatalog, load_units
from models.periods import Period, local_today
from tasks.intake import jsondoc
from tasks.intake.sources import FoundFile, Skipped, redact

log = logging.getLogger(__name__)
RETRY_STATUS = {500, 502, 503, 504, 429}


GIVE_UP_AFTER = 5  # units in a row whose endpoint cannot be reached: the server is down
MAX_REDIRECTS = 5


class HttpSourceError(RuntimeError):
    """One endpoint failed (after its retries): that unit's document is skipped this run."""

    def __init__(self, reason: str, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.unreachable = reason, unreachable


def canonical(data: bytes) -> bytes:
    """The document's canonical JSON (sorted keys, no spaces), so a server that
    re-serialises it does not make a new submission; bytes that are not a clean JSON
    object (invalid, NaN, repeated keys, an object past any part's size) are kept as they
    are, for the validator. Decoded as the readers decode it (:func:`jsondoc.decode`)."""
    try:
        doc = jsondoc.decode(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return data
    if not jsondoc.is_plain(doc):
        return data
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def open_periods(today: date, open_days: int) -> list[Period]:
    """Quarters that have ended, within ``open_days`` of their last day."""
    p, out = Period.containing(today).previous(), []  # today is a local calendar day
    while (today - p.last_day).days <= open_days:
        out.append(p)
        p = p.previous()
    return sorted(out)


@dataclass
class HttpSource:
    """``https://host/path/{unit_code}/{period}``: one JSON document per unit and period."""

    template: str
    units: UnitCatalog
    open_days: int = 200
    max_bytes: int = 20 * 1024 * 1024
    headers: dict[str, str] = field(default_factory=dict)
    periods: list[Period] | None = None  # a backfill names its own
    retries: int = 4
    backoff: float = 0.5
    timeout: float = 20.0  # per read
    deadline: float = 60.0  # per request, however slowly the server sends

    def __post_init__(self) -> None:
        self.uri = self.template

    @classmethod
    def from_settings(cls, template: str, settings: Any) -> HttpSource:
        if "{unit_code}" not in template or "{period}" not in template:
            raise ValueError(f"HTTP source {template!r} needs {{unit_code}} and {{period}}")
        return cls(
            template,
            load_units(settings.units_csv),
            settings.open_days,
            settings.max_file_bytes,
            dict(settings.http_headers),
        )

    def scan(self) -> Iterator[FoundFile | Skipped]:
        """Each expected unit's document; an endpoint that fails is that unit's, skipped
        this run (and asked again next run). After :data:`GIVE_UP_AFTER` units in a row
        fail to connect, the server is taken as down and the rest skipped at once."""
        periods = self.periods or open_periods(local_today(), self.open_days)
        down: str | None = None
        failed_in_row = 0
        with httpx.Client(headers=self.headers, timeout=self.timeout) as client:
            for period in periods:
                for unit in self.units.expected(period):
                    url = self.template.format(unit_code=unit.code, period=period)
                    shown = redact(url)
                    if down:
                        yield Skipped(shown, down)
                        continue
                    try:
                        body = self._fetch(client, url)
                    except HttpSourceError as exc:
                        failed_in_row = failed_in_row + 1 if exc.unreachable else 0
                        if failed_in_row >= GIVE_UP_AFTER:
                            down = f"server unreachable ({exc.reason}); not asked this run"
                        log.warning("skipped %s: %s", shown, exc.reason)
                        yield Skipped(shown, exc.reason)
                        continue
                    failed_in_row = 0
                    if body is not None:
                        data = canonical(body)
                        yield FoundFile(
                            source_uri=shown,
                            rel_path=f"{unit.code}/{period}/{unit.code}_{period}.json",
                            size=len(data),
                            received_at=datetime.now(UTC),
                            opener=partial(io.BytesIO, data),
                        )

    def _fetch(self, client: httpx.Client, url: str) -> bytes | None:
        """The body, ``None`` for 404 (not submitted yet); retries 5xx and network errors;
        raises :class:`HttpSourceError` once the endpoint has kept failing."""
        for attempt in range(self.retries + 1):
            try:
                return self._get(client, url)
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if status is not None and status not in RETRY_STATUS:
                    raise HttpSourceError(f"HTTP {status}") from exc
                if attempt == self.retries:
                    what = f"HTTP {status}" if status else type(exc).__name__
                    raise HttpSourceError(
                        f"{what} after {self.retries} retries", unreachable=status is None
                    ) from exc
                time.sleep(self.backoff * 2**attempt)
        return None

    def _get(self, client: httpx.Client, url: str) -> bytes | None:
        """One request with an overall deadline, following same-origin redirects only."""
        deadline = time.monotonic() + self.deadline
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream("GET", url) as resp:
                if resp.is_redirect:
                    target = resp.next_request.url if resp.next_request else None
                    if target is None or _origin(target) != _origin(resp.request.url):
                        raise HttpSourceError(
                            f"redirected to another host ({redact(str(target))}); not followed"
                        )
                    url = str(target)
                    continue
                if resp.status_code == 404:
                    return None
                if resp.status_code in RETRY_STATUS:
                    raise httpx.HTTPStatusError(
                        f"{resp.status_code}", request=resp.request, response=resp
                    )
                resp.raise_for_status()
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise HttpSourceError(f"larger than {self.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise HttpSourceError(f"took longer than {self.deadline:g} s")
                return bytes(body)
        raise HttpSourceError(f"more than {MAX_REDIRECTS} redirects")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)
