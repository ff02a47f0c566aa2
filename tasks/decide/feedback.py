"""Feedback reports for units: machine-readable JSON and a small self-contained HTML page."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from models.expected import vietnamese
from models.periods import LOCAL_NOTE, local_text
from models.problems import Problem, Severity, counts_by_code
from models.submission import Status
from tasks.intake.collect import place
from tasks.intake.sources import shown_source
from tasks.templates import pages

STATUS_VI = {Status.ACCEPTED: "Đã tiếp nhận", Status.REJECTED: "Bị từ chối"}
SEVERITY_VI = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo"}


def feedback_key(path_unit: str | None, path_period: str | None, sid: str, ext: str) -> str:
    return f"feedback/{place(path_unit, path_period)}/{sid}.{ext}"


def objects(sub: Any, doc: dict[str, Any]) -> tuple[str, list[tuple[str, bytes, str]]]:
    """The feedback report's key and its one object, the JSON, for ``sub`` (the
    Submission row, for its path) and ``doc`` (:func:`report`). Contract v4: its page is
    rendered from it (:func:`to_html`) by the portal and ``chiso feedback``, not stored."""
    key = feedback_key(sub.path_unit, sub.path_period, sub.id, "json")
    return key, [(key, to_json(doc), "application/json")]


def placed_path(sub: Any) -> str:
    """The file's path as its unit put it: ``<unit>/<period>/<file>`` (just the name for a
    file outside that layout, never a path of the server's)."""
    if sub.path_unit and sub.path_period:
        return f"{sub.path_unit}/{sub.path_period}/{sub.filename}"
    return str(sub.filename)


def report(
    sub: Any,
    status: str,
    problems: list[Problem],
    decided_at: datetime,
    counts: dict[str, int] | None = None,
    unit_name: str | None = None,
) -> dict[str, Any]:
    """The feedback document of one decision (``sub`` is the Submission row); ``problems``
    may be the first of each code (``counts`` gives every code's total); ``unit_name`` the
    catalog's name of the unit, when it is known."""
    counts = counts or counts_by_code(problems)
    errors = sum(n for code, n in counts.items() if _severity(problems, code) == Severity.ERROR)
    total = sum(counts.values())
    return {
        "submission_id": sub.id,
        "file": {
            "name": sub.filename,
            "sha256": sub.content_sha256,
            "size_bytes": sub.size_bytes,
            "source": shown_source(sub.source_uri, placed_path(sub)),
        },
        "unit_code": sub.unit_code or sub.path_unit,
        "unit_name": unit_name,
        "period": sub.period or sub.path_period,
        "folder": f"{sub.path_unit}/{sub.path_period}/"
        if sub.path_unit and sub.path_period
        else None,
        "status": status,
        "received_at": sub.received_at.isoformat(),
        "decided_at": decided_at.isoformat(),
        "summary": {"errors": errors, "warnings": total - errors},
        "message_vi": STATUS_VI[Status(status)]
        + ("" if not total else f": {errors} lỗi, {total - errors} cảnh báo"),
        "message_en": {Status.ACCEPTED: "Accepted", Status.REJECTED: "Rejected"}[Status(status)]
        + ("" if not total else f": {errors} errors, {total - errors} warnings"),
        "problems": [with_vietnamese(p.to_dict()) for p in problems],
        "problem_counts": counts,
    }


def with_vietnamese(found: dict[str, Any]) -> dict[str, Any]:
    """A problem's record with ``expected_vi`` beside its ``expected``."""
    return {**found, "expected_vi": vietnamese(found.get("expected"))}


def _severity(problems: list[Problem], code: str) -> str:
    return next(p.severity for p in problems if p.code == code)


def to_json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933;max-width:72rem}
h1{font-size:1.4rem}.ok{color:#0b6e4f}.bad{color:#b42318}table{border-collapse:collapse;
width:100%}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;
vertical-align:top;font-size:.9rem}th{background:#f3f6f9}.en{color:#52606d;font-size:.85em}
tr.error td:first-child{color:#b42318;font-weight:600}tr.warning td:first-child{color:#a15c07}"""


_PAGES = pages(Path(__file__).parent / "templates")


def to_html(doc: dict[str, Any]) -> bytes:
    """A self-contained page (no scripts, no external assets), Vietnamese first."""
    shown = counts_by_code([Problem.of(p) for p in doc["problems"]])
    more = [
        (code, n, shown.get(code, 0))
        for code, n in doc.get("problem_counts", {}).items()
        if n > shown.get(code, 0)
    ]
    page = _PAGES.get_template("feedback.html.j2").render(
        doc=doc,
        ok=doc["status"] == Status.ACCEPTED,
        css=Markup(_CSS),
        severity_vi=SEVERITY_VI,
        more=more,
        received=local_text(doc["received_at"]),
        decided=local_text(doc["decided_at"]),
        local_note=LOCAL_NOTE,
    )
    return page.encode("utf-8")
