"""Per-unit HTTP endpoints: 404 = not yet, retries on 5xx, size limit, canonical identity."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from catalog import UNITS_CSV
from models.catalog import load_units
from models.periods import Period
from tasks.http_source import HttpSource, HttpSourceError, canonical, open_periods
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


def test_gives_up_with_a_clear_error_and_honours_the_size_limit(endpoints: Endpoints) -> None:
    endpoints.serve("/bc/25459/2025Q3", (500, b""))
    with pytest.raises(HttpSourceError, match=r"/bc/25459/2025Q3: .* after 2 retries"):
        list(source(endpoints, retries=2).scan())
    endpoints.serve("/bc/25459/2025Q3", (200, b"{" + b" " * 5000 + b"}"))
    assert list(source(endpoints, max_bytes=1000).scan()) == []
    endpoints.serve("/bc/25459/2025Q3", (403, b""))
    with pytest.raises(HttpSourceError, match="HTTP 403"):
        list(source(endpoints).scan())


def test_open_periods() -> None:
    assert [str(p) for p in open_periods(date(2026, 11, 26), 200)] == ["2026Q2", "2026Q3"]
    assert [str(p) for p in open_periods(date(2026, 1, 10), 15)] == ["2025Q4"]
