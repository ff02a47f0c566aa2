"""What a mail says: subject, text and HTML bodies from the Jinja2 templates beside this
module, Vietnamese first with English alongside; links under the portal's address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from models.periods import Period
from tasks.templates import pages

FOLDER = Path(__file__).parent / "templates"
STATUS_VI = {"accepted": "được chấp nhận", "rejected": "bị từ chối"}


@dataclass(frozen=True)
class Written:
    subject: str
    text: str
    html: str


@cache
def _html() -> jinja2.Environment:
    return pages(FOLDER)


@cache
def _text() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(FOLDER),
        autoescape=False,  # plain text: nothing is markup
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _write(kind: str, subject: str, values: dict[str, Any]) -> Written:
    values = {**values, "subject": subject}
    return Written(
        subject,
        _text().get_template(f"{kind}.txt").render(values),
        _html().get_template(f"{kind}.html").render(values),
    )


def quarter_vi(period: str) -> str:
    """``3/2025`` for ``2025Q3``; a period that is not one (a folder's name) as it is."""
    p = Period.try_parse(period)
    return f"{p.quarter}/{p.year}" if p else _one_line(period or "?", 40)


def _one_line(text: str, limit: int = 300) -> str:
    """A unit's name or a reason inside a subject: one line, bounded."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Links:
    """The portal's pages a mail points at (``CHISO_PORTAL_URL``)."""

    def __init__(self, portal_url: str) -> None:
        self.base = portal_url.rstrip("/")

    def send(self, period: str) -> str:
        return f"{self.base}/send?period={quote(period)}"

    def template(self, period: str) -> str:
        return f"{self.base}/api/v1/template?period={quote(period)}"

    def submission(self, sid: str) -> str:
        return f"{self.base}/submissions/{quote(sid)}"

    def home(self) -> str:
        return f"{self.base}/"


def _unit_values(links: Links, unit_code: str, unit_name: str, period: str) -> dict[str, Any]:
    """What every mail to a unit says of it and its quarter, and where it sends again."""
    return {
        "unit_code": unit_code,
        "unit_name": unit_name,
        "period": period,
        "quarter_vi": quarter_vi(period),
        "send_url": links.send(period),
    }


def reminder(
    links: Links,
    unit_code: str,
    unit_name: str,
    period: str,
    due: date,
    day: int,
    rejected: int,
) -> Written:
    overdue = day > 0
    q = quarter_vi(period)
    head = "Quá hạn báo cáo" if overdue else "Nhắc nộp báo cáo"
    head_en = "Overdue report" if overdue else "Report reminder"
    subject = (
        f"[chiso] {head} quý {q} – {_one_line(unit_name, 120)} · {head_en} {period}, "
        f"due {due.isoformat()}"
    )
    return _write(
        "reminder",
        subject,
        _unit_values(links, unit_code, unit_name, period)
        | {
            "due": due.isoformat(),
            "overdue": overdue,
            "rejected": rejected,
            "template_url": links.template(period),
        },
    )


def decision(
    links: Links,
    unit_code: str,
    unit_name: str,
    period: str,
    sid: str,
    file_name: str,
    status: str,
    errors: int,
    warnings: int,
) -> Written:
    q = quarter_vi(period)
    status_vi = STATUS_VI.get(status, status)
    subject = (
        f"[chiso] Báo cáo quý {q} {status_vi} · Report {period} {status} "
        f"({errors} error(s), {warnings} warning(s))"
    )
    return _write(
        "decision",
        subject,
        _unit_values(links, unit_code, unit_name, period)
        | {
            "file_name": file_name,
            "status": status,
            "status_vi": status_vi,
            "errors": errors,
            "warnings": warnings,
            "submission_url": links.submission(sid),
        },
    )


def returned(
    links: Links,
    unit_code: str,
    unit_name: str,
    period: str,
    sid: str,
    file_name: str,
    reason: str,
) -> Written:
    q = quarter_vi(period)
    subject = f"[chiso] Báo cáo quý {q} bị trả lại · Report {period} sent back"
    return _write(
        "returned",
        subject,
        _unit_values(links, unit_code, unit_name, period)
        | {
            "file_name": file_name,
            "reason": reason,
            "submission_url": links.submission(sid),
        },
    )


def digest(
    links: Links, period: str, due: date, expected: int, groups: list[dict[str, Any]]
) -> Written:
    """``groups``: ``{"name", "units": [{"code", "name", "account"}]}`` with missing units."""
    q = quarter_vi(period)
    missing = len({u["code"] for g in groups for u in g["units"]})
    subject = (
        f"[chiso] Quý {q}: {missing}/{expected} đơn vị chưa báo cáo · "
        f"{period}: {missing} of {expected} units missing"
    )
    return _write(
        "digest",
        subject,
        {
            "period": period,
            "quarter_vi": q,
            "due": due.isoformat(),
            "missing": missing,
            "expected": expected,
            "groups": groups,
            "home_url": links.home(),
        },
    )
