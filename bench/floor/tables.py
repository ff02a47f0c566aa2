"""The snapshot's files as bytes: CSV as section 6 writes it, Parquet, the report page."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# pyarrow imports pandas (where installed) when it makes its first table: done here, with
# the module, so that the floor is timed with its imports done, as chiso's warm runs are
# (it was 0.5-0.9 s of the floor's timed run until session 13)
pq.write_table(pa.table({"warm": [0]}), io.BytesIO())

INDICATOR_COLUMNS = (
    "period as_of level unit_code unit_name indicator value numerator denominator "
    "reported_units expected_units target target_year baseline"
).split()


def ratio(value: float) -> str:
    rounded = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return f"{rounded.normalize():f}"


def cell(v: Any) -> str:
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", s) else s


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([[cell(v) for v in r] for r in rows])
    return ("\ufeff" + out.getvalue()).encode()


def parquet(records: list[dict[str, Any]]) -> bytes:
    numbers = {"value", "numerator", "denominator", "target", "baseline"}
    schema = pa.schema(
        [
            (
                c,
                pa.float64()
                if c in numbers
                else pa.int64()
                if c.endswith("units")
                else pa.string(),
            )
            for c in INDICATOR_COLUMNS
        ]
    )
    rows = [
        {k: (None if v is None else float(v) if k in numbers else v) for k, v in r.items()}
        for r in records
    ]
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out)
    return out.getvalue()


def report(period: str, rows: list[list[Any]], completeness: list[list[Any]]) -> bytes:
    body = [f"<h1>Chỉ số {html.escape(period)}</h1><table>"]
    body += [
        "<tr>" + "".join(f"<td>{html.escape(str(v or ''))}</td>" for v in r[2:8]) + "</tr>"
        for r in rows
        if r[2] != "unit"
    ]
    body.append("</table><table>")
    body += [
        f"<tr><td>{c[1]}</td><td>{html.escape(c[2])}</td><td>{c[3]}</td></tr>" for c in completeness
    ]
    return ("<!doctype html><meta charset=utf-8>" + "".join(body) + "</table>").encode()
