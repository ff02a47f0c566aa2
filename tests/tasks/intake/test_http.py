"""Per-unit HTTP endpoints: 404 = not yet, retries on 5xx, size limit, canonical identity."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date

from catalog import UNITS_CSV
from models.catalog import load_units
from models.periods import Period
from tasks.intake.http import GIVE_UP_AFTER, HttpSource, canonical, open_periods
from tasks.intake.sources import FoundFile, Skipped, redact
from tests.support.http import Endpoints
from tests.support.inbox import valid_doc

Q = Period(2025, 3)


def source(endpoints: Endpoints, **kw: object) -> HttpSource:
    return HttpSource(
        endpoints.url + "/bc/{unit_code}/{period}",
        load_units(UNITS_CSV),
        periods=[Q],
        backoff=0.01,
        headers={"Authorization": "Bearer t"},
        **kw,
    )  # type: ignore[arg-type]


def test_fetches_units_that_submitted_with_retries(endpoints: Endpoints) -> None:
    doc = json.dumps(valid_doc("25459"), ensure_ascii=False).encode()
    endpoints.serve("/bc/25459/2025Q3", (503, b""), (502, b""), (200, doc))
    endpoints.serve("/bc/25480/2025Q3", (200, b'{"b": 1, "a": [1, 2]}'))
    found = {f.rel_path: f for f in source(endpoints).scan()}
    assert sorted(found) == ["25459/2025Q3/25459_2025Q3.json", "25480/2025Q3/25480_2025Q3.json"]
    assert endpoints.hits["/bc/25459/2025Q3"] == 3  # two 5xx, then the document
    assert len(endpoints.hits) == 96  # every expected unit was asked
    f = found["25480/2025Q3/25480_2025Q3.json"]
    assert f.source_uri == endpoints.url + "/bc/25480/2025Q3"
    with f.opener() as body:
        assert body.read() == b'{"a":[1,2],"b":1}'
    assert all(h.get("Authorization") == "Bearer t" for h in endpoints.headers)


def test_reserialised_document_is_the_same_submission() -> None:
    a = json.dumps({"unit_code": "703", "x": [1, 2]}, indent=4).encode()
    b = b'{"x":[1,2],   "unit_code":"703"}'
    assert hashlib.sha256(canonical(a)).digest() == hashlib.sha256(canonical(b)).digest()
    for raw in (b'{"a": NaN}', b'{"a": 1, "a": 2}', b"not json", "\ufeff{}".encode()[:2]):
        assert canonical(raw) == raw  # left for the validator to reject precisely
    huge = json.dumps({"indicators": {f"X{i}": 1 for i in range(5000)}}).encode()
    assert canonical(huge) == huge  # an object past any part's size: never rebuilt here


def _skipped(found: list[FoundFile | Skipped]) -> dict[str, str]:
    return {s.where.rsplit("/bc/", 1)[1]: s.reason for s in found if isinstance(s, Skipped)}


def test_one_endpoint_failing_is_that_units_not_the_runs(endpoints: Endpoints) -> None:
    doc = json.dumps(valid_doc("25489"), ensure_ascii=False).encode()
    endpoints.serve("/bc/25459/2025Q3", (500, b""))
    endpoints.serve("/bc/25480/2025Q3", (403, b""))
    endpoints.serve("/bc/25486/2025Q3", (200, b"{" + b" " * 5000 + b"}"))
    endpoints.serve("/bc/25489/2025Q3", (200, doc))
    found = list(source(endpoints, retries=2, max_bytes=4000).scan())
    assert _skipped(found) == {
        "25459/2025Q3": "HTTP 500 after 2 retries",
        "25480/2025Q3": "HTTP 403",
        "25486/2025Q3": "larger than 4000 bytes",
    }
    assert [f.rel_path for f in found if isinstance(f, FoundFile)] == [
        "25489/2025Q3/25489_2025Q3.json"
    ]
    assert len(endpoints.hits) == 96  # every other unit was still asked


def test_a_server_that_is_down_is_given_up_after_a_few_units() -> None:
    dead = HttpSource(
        "http://127.0.0.1:9/bc/{unit_code}/{period}",  # the discard port: refused
        load_units(UNITS_CSV),
        periods=[Q],
        retries=0,
    )
    found = list(dead.scan())
    assert all(isinstance(f, Skipped) for f in found) and len(found) == 96
    assert sum("not asked this run" in f.reason for f in found) == 96 - GIVE_UP_AFTER  # type: ignore[union-attr]


def test_a_slow_endpoint_meets_an_overall_deadline(endpoints: Endpoints) -> None:
    endpoints.drip("/bc/25459/2025Q3", b'{"unit_code": "25459"}', delay=0.2)
    start = time.monotonic()
    found = list(source(endpoints, deadline=1.0, timeout=0.5).scan())
    assert time.monotonic() - start < 5
    assert _skipped(found)["25459/2025Q3"] == "took longer than 1 s"


def test_redirects_stay_on_the_origin_and_headers_never_leave_it(endpoints: Endpoints) -> None:
    doc = json.dumps(valid_doc("25459"), ensure_ascii=False).encode()
    endpoints.redirect("/bc/25459/2025Q3", "/moved/25459")  # same origin: followed
    endpoints.serve("/moved/25459", (200, doc))
    other = endpoints.url.replace("127.0.0.1", "localhost")  # another origin
    endpoints.redirect("/bc/25480/2025Q3", other + "/steal")
    found = list(source(endpoints).scan())
    assert [f.rel_path for f in found if isinstance(f, FoundFile)] == [
        "25459/2025Q3/25459_2025Q3.json"
    ]
    assert _skipped(found)["25480/2025Q3"].startswith("redirected to another host")
    assert "/steal" not in endpoints.hits
    assert dict(endpoints.seen)["/moved/25459"].get("Authorization") == "Bearer t"


def test_credentials_in_the_url_are_never_shown(endpoints: Endpoints) -> None:
    template = endpoints.url.replace("://", "://unit:PW@") + "/bc/{unit_code}/{period}?token=T"
    src = HttpSource(template, load_units(UNITS_CSV), periods=[Q], retries=0)
    endpoints.serve("/bc/25480/2025Q3?token=T", (403, b""))
    found = list(src.scan())
    shown = [f.source_uri if isinstance(f, FoundFile) else f"{f.where} {f.reason}" for f in found]
    assert shown and not any("PW" in s or "=T" in s for s in shown)
    assert redact("https://u:p@h.vn/x?token=T&a=1") == "https://***@h.vn/x?token=***&a=***"


def test_open_periods() -> None:
    assert [str(p) for p in open_periods(date(2026, 11, 26), 200)] == ["2026Q2", "2026Q3"]
    assert [str(p) for p in open_periods(date(2026, 1, 10), 15)] == ["2025Q4"]


def _reply(body: bytes, *headers: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", *headers]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def test_hostile_replies_cost_their_unit_only(endpoints: Endpoints) -> None:
    """A reply that decodes to a lone surrogate, one that claims gzip and is not, gzip
    inside gzip (a bomb: 1.8 KB that took 2.4 GB), an unknown coding: each is its unit's
    skip or document, never the run's failure, and nothing is inflated past the limit."""
    import gzip

    doc = valid_doc("25489")
    surrogate = json.dumps(doc, ensure_ascii=False).replace("Bà Đen", "\\ud800").encode()
    assert b"\\ud800" in surrogate
    endpoints.raw("/bc/25459/2025Q3", _reply(surrogate))
    endpoints.raw("/bc/25480/2025Q3", _reply(b"not gzip at all", "Content-Encoding: gzip"))
    bomb = gzip.compress(gzip.compress(b" " * 50_000_000))
    endpoints.raw("/bc/25486/2025Q3", _reply(bomb, "Content-Encoding: gzip, gzip"))
    single = gzip.compress(b"[" * 10 + b" " * 50_000_000)
    endpoints.raw("/bc/25489/2025Q3", _reply(single, "Content-Encoding: gzip"))
    endpoints.raw("/bc/25498/2025Q3", _reply(b"x", "Content-Encoding: br"))
    good = json.dumps(valid_doc("25510")).encode()
    endpoints.raw("/bc/25510/2025Q3", _reply(gzip.compress(good), "Content-Encoding: gzip"))
    found = list(source(endpoints, max_bytes=1_000_000).scan())
    skipped = _skipped(found)
    assert skipped["25480/2025Q3"].startswith("the body is not the gzip data it claims")
    assert skipped["25486/2025Q3"] == "content encoded 2 times (gzip, gzip); one at most"
    assert skipped["25489/2025Q3"] == "larger than 1000000 bytes once decompressed"
    assert skipped["25498/2025Q3"] == "content encoding 'br' not accepted (gzip or none)"
    files = {f.rel_path.split("/")[0]: f for f in found if isinstance(f, FoundFile)}
    assert sorted(files) == ["25459", "25510"]
    with files["25459"].opener() as f:
        assert f.read() == surrogate  # kept as sent: the validator names the character
    with files["25510"].opener() as f:
        assert json.loads(f.read()) == valid_doc("25510")
    assert len(endpoints.hits) + len(endpoints.raws) >= 96


def test_headers_sent_a_byte_at_a_time_meet_the_deadline(endpoints: Endpoints) -> None:
    """A server that sends its status line and headers one byte every second: the
    deadline covers connecting, headers and body, so the unit is skipped in about the
    deadline, not after minutes (each byte well within the per-read timeout)."""
    endpoints.raw("/bc/25459/2025Q3", _reply(b"{}"), delay=1.0)
    start = time.monotonic()
    found = list(source(endpoints, deadline=3.0, timeout=2.0).scan())
    took = time.monotonic() - start
    assert _skipped(found) == {"25459/2025Q3": "took longer than 3 s"}
    assert took < 20, took  # one deadline, no retries of a server that slow
