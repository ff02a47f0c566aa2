"""Per-unit HTTP endpoints returning the JSON document (polled for the open periods)."""

from __future__ import annotations

import io
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import anyio
import httpx
from anyio.from_thread import start_blocking_portal

from models.catalog import UnitCatalog, load_units
from models.periods import Period, local_today
from tasks.intake import jsondoc
from tasks.intake.sources import FoundFile, Skipped, guarded, read_error, redact

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
        if not jsondoc.is_plain(doc):
            return data
        text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return text.encode()  # a lone surrogate (``"\\ud800"``) cannot be: kept as sent
    except Exception:  # not a clean document (UnicodeError, RecursionError…): the validator's
        return data


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
    deadline: float = 60.0  # per request (connecting, headers, body), however slow the server

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
        fail to connect (or to answer within the deadline), the server is taken as down
        and the rest skipped at once. Whatever one endpoint's answer raises in chiso is
        that unit's skip too (:func:`~tasks.intake.sources.guarded`)."""
        periods = self.periods or open_periods(local_today(), self.open_days)
        down: str | None = None
        failed_in_row = 0
        with start_blocking_portal() as portal:
            client = portal.call(self._client)
            try:
                for period in periods:
                    for unit in self.units.expected(period):
                        url = self.template.format(unit_code=unit.code, period=period)
                        shown = redact(url)
                        if down:
                            yield Skipped(shown, down)
                            continue
                        try:
                            body = portal.call(self._fetch, client, url)
                        except HttpSourceError as exc:
                            failed_in_row = failed_in_row + 1 if exc.unreachable else 0
                            if failed_in_row >= GIVE_UP_AFTER:
                                down = f"server unreachable ({exc.reason}); not asked this run"
                            log.warning("skipped %s: %s", shown, exc.reason)
                            yield Skipped(shown, exc.reason)
                            continue
                        except Exception as exc:  # a defect, or an answer no one foresaw
                            log.exception("fetching %s failed", shown)
                            yield Skipped(shown, read_error(exc))
                            continue
                        failed_in_row = 0
                        if body is not None:
                            yield guarded(shown, self._found, shown, unit.code, period, body)
            finally:
                portal.call(client.aclose)

    async def _client(self) -> httpx.AsyncClient:
        # the body is read raw and decoded here (one content coding, a bounded output)
        headers = {"Accept-Encoding": "gzip, deflate", **self.headers}
        return httpx.AsyncClient(headers=headers, timeout=self.timeout)

    def _found(self, shown: str, unit: str, period: Period, body: bytes) -> FoundFile:
        data = canonical(body)
        return FoundFile(
            source_uri=shown,
            rel_path=f"{unit}/{period}/{unit}_{period}.json",
            size=len(data),
            received_at=datetime.now(UTC),
            opener=partial(io.BytesIO, data),
        )

    async def _fetch(self, client: httpx.AsyncClient, url: str) -> bytes | None:
        """The body, ``None`` for 404 (not submitted yet); retries 5xx and network errors;
        raises :class:`HttpSourceError` once the endpoint has kept failing. A request
        past its deadline is not retried: a server that slow stays that slow."""
        for attempt in range(self.retries + 1):
            try:
                with anyio.fail_after(self.deadline):
                    return await self._get(client, url)
            except TimeoutError as exc:
                raise HttpSourceError(
                    f"took longer than {self.deadline:g} s", unreachable=True
                ) from exc
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if status is not None and status not in RETRY_STATUS:
                    raise HttpSourceError(f"HTTP {status}") from exc
                if attempt == self.retries:
                    what = f"HTTP {status}" if status else type(exc).__name__
                    raise HttpSourceError(
                        f"{what} after {self.retries} retries", unreachable=status is None
                    ) from exc
                await anyio.sleep(self.backoff * 2**attempt)
        return None

    async def _get(self, client: httpx.AsyncClient, url: str) -> bytes | None:
        """One request, following same-origin redirects only; the body read raw, at most
        ``max_bytes`` of it, and decoded by :func:`decoded`."""
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream("GET", url) as resp:
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
                async for chunk in resp.aiter_raw():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise HttpSourceError(f"larger than {self.max_bytes} bytes")
                return decoded(
                    bytes(body), resp.headers.get("content-encoding", ""), self.max_bytes
                )
        raise HttpSourceError(f"more than {MAX_REDIRECTS} redirects")


def decoded(body: bytes, coding: str, max_bytes: int) -> bytes:
    """The body under at most one content coding (``gzip`` or ``deflate``), decompressed
    to at most ``max_bytes``: a coding chiso did not ask for, codings stacked (gzip in
    gzip: 1.8 KB became 2.4 GB), a body that is not what its coding says, or one that
    grows past the limit is the endpoint's error."""
    layers = [c.strip().lower() for c in coding.split(",") if c.strip()]
    layers = [c for c in layers if c != "identity"]
    if not layers:
        return body
    if len(layers) > 1:
        raise HttpSourceError(f"content encoded {len(layers)} times ({coding}); one at most")
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
    if layers[0] not in wbits:
        raise HttpSourceError(f"content encoding {layers[0]!r} not accepted (gzip or none)")
    inflate = zlib.decompressobj(wbits[layers[0]])
    try:
        out = inflate.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise HttpSourceError(f"the body is not the {layers[0]} data it claims: {exc}") from exc
    if len(out) > max_bytes or inflate.unconsumed_tail:
        raise HttpSourceError(f"larger than {max_bytes} bytes once decompressed")
    if not inflate.eof:
        raise HttpSourceError(f"the body is not the {layers[0]} data it claims: cut short")
    return out


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)
