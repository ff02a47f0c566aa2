"""Published tables as bytes: CSV (RFC 4180, BOM, escaped), JSON and Parquet; their schemas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

INJECTION = ("=", "+", "-", "@")

# column -> Table Schema type (the order is the file's column order)
SCHEMAS: dict[str, dict[str, str]] = {
    "indicators": {
        "period": "string",
        "as_of": "string",
        "level": "string",
        "unit_code": "string",
        "unit_name": "string",
        "indicator": "string",
        "value": "number",
        "numerator": "number",
        "denominator": "number",
        "reported_units": "integer",
        "expected_units": "integer",
        "target": "number",
        "target_year": "integer",
        "baseline": "number",
    },
    "completeness": {
        "period": "string",
        "unit_code": "string",
        "unit_name": "string",
        "status": "string",
        "submission_id": "string",
        "received_at": "datetime",
        "rejected_count": "integer",
    },
    "enterprises": {
        "period": "string",
        "unit_code": "string",
        "unit_name": "string",
        "tax_code": "string",
        "enterprise_code": "string",
        "name": "string",
        "type": "string",
        "dx_capable": "boolean",
        "established_on": "date",
        "status": "string",
        "main_products": "string",
        "counted_at_province": "boolean",
        "submission_id": "string",
    },
}
PRIMARY_KEYS = {
    "indicators": ["period", "unit_code", "indicator"],
    "completeness": ["period", "unit_code"],
    "enterprises": ["period", "unit_code", "enterprise_code"],
}


def number(value: Any) -> int | float | None:
    """Integers stay integers; other numbers are rounded half-even to 4 decimals."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    d = Decimal(repr(float(value))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return int(d) if d == d.to_integral_value() else float(d)


def plain(value: Any, kind: str) -> Any:
    """A cell's JSON value (``None`` for blank)."""
    if value is None:
        return None
    if kind in ("number", "integer"):
        return number(value)
    if kind == "boolean":
        return bool(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(INJECTION) else text


def _converter(kind: str) -> Callable[[Any], Any]:
    """:func:`plain` for one column type, with the common case first."""
    if kind in ("number", "integer"):
        return lambda v: v if type(v) is int else number(v)
    if kind == "boolean":
        return bool
    return lambda v: v if type(v) is str else plain(v, kind)


_CONVERTERS = {
    name: [(c, _converter(t)) for c, t in schema.items()] for name, schema in SCHEMAS.items()
}


def records(name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row as JSON values in the schema's column order (``None`` for blank)."""
    conv = _CONVERTERS[name]
    return [{c: None if (v := r.get(c)) is None else f(v) for c, f in conv} for r in rows]


def _csv_cell(kind: str) -> Callable[[Any], str]:
    """:func:`_cell` for one column type of normalised records."""
    if kind in ("number", "integer"):
        return lambda v: "" if v is None else str(v)
    if kind == "boolean":
        return lambda v: "" if v is None else ("true" if v else "false")
    return _text_cell


def _text_cell(value: Any) -> str:
    if type(value) is str:
        return "'" + value if value.startswith(INJECTION) else value
    return _cell(value)


_CSV_CELLS = {name: [_csv_cell(t) for t in schema.values()] for name, schema in SCHEMAS.items()}


def to_csv(
    name: str, rows: list[dict[str, Any]], recs: list[dict[str, Any]] | None = None
) -> bytes:
    """UTF-8 with a byte-order mark, CRLF, blank for null, formula injection escaped."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(SCHEMAS[name])
    cells = _CSV_CELLS[name]
    w.writerows(
        [f(v) for f, v in zip(cells, rec.values(), strict=True)]
        for rec in (recs if recs is not None else records(name, rows))
    )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_json(
    name: str, rows: list[dict[str, Any]], recs: list[dict[str, Any]] | None = None
) -> bytes:
    recs = recs if recs is not None else records(name, rows)
    # no indent: the C encoder (indenting falls back to the pure-Python one, 20x slower)
    return json.dumps(recs, ensure_ascii=False).encode("utf-8")


def to_parquet(
    name: str, rows: list[dict[str, Any]], recs: list[dict[str, Any]] | None = None
) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {
        "string": pa.string(),
        "number": pa.float64(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "datetime": pa.string(),
        "date": pa.string(),
    }
    schema = pa.schema([(c, kinds[t]) for c, t in SCHEMAS[name].items()])
    recs = recs if recs is not None else records(name, rows)
    table = pa.Table.from_pylist(recs, schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def table_schema(name: str) -> dict[str, Any]:
    """The Frictionless Table Schema of a published table."""
    fields = [{"name": c, "type": t} for c, t in SCHEMAS[name].items()]
    return {"fields": fields, "primaryKey": PRIMARY_KEYS[name], "missingValues": [""]}
