"""Assemble a period's publication and its report from the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select

from models.periods import Period, is_year
from models.problems import Code, Severity
from models.submission import Status, Submission
from tasks.publish import build, queries, report
from tasks.publish.build import Context, Publication
from tasks.publish.trend import BREAK


def quarter_publication(engine: Engine, ctx: Context, period: str) -> Publication:
    """A quarter's publication (kept in ``ctx`` for its year, built in the same run)."""
    if period not in ctx.built:
        reports, facts = queries.quarter_data(engine, period)
        ctx.built[period] = build.quarter(ctx, Period.parse(period), reports, facts)
    return ctx.built[period]


def year_publication(engine: Engine, ctx: Context, year: str, include: set[str]) -> Publication:
    """The year from its quarters published so far plus ``include``."""
    quarters = sorted(set(queries.published_quarters(engine, int(year))) | include)
    return build.year(ctx, year, {q: quarter_publication(engine, ctx, q) for q in quarters})


CONFLICTS_LISTED = 10


WARNING_NAMES: dict[str, tuple[str, str]] = {
    Code.LATE: ("nộp trễ hạn", "late"),
    Code.STOCK_CHANGE: ("chỉ tiêu tồn thay đổi >50% so với quý trước", "stock changed >50 %"),
    Code.TAX_CODE_OTHER_UNIT: (
        "mã số thuế trùng với đơn vị khác (chỉ tính một lần)",
        "tax code shared with another unit (counted once)",
    ),
    Code.TAX_CODE_CONFLICT: (
        "doanh nghiệp được hai đơn vị báo cáo khác nhau (tỉnh lấy theo mã đơn vị nhỏ nhất)",
        "enterprise reported differently by two units (the province takes the lowest unit code's)",
    ),
}
Decided = list[tuple[str, int, list[dict[str, Any]]]]  # (status, warnings, problems) each


def notes(engine: Engine, pub: Publication) -> list[tuple[str, str]]:
    """Data-quality notes: rejections, warnings, conflicts, missing and late units."""
    quarters = [q for q in {r["period"] for r in pub.completeness}]
    t = Submission.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        q = select(t.c.status, t.c.warning_count, t.c.problems).where(t.c.period.in_(quarters))
        subs: Decided = [tuple(r) for r in conn.execute(q)]
    rejected = sum(status == Status.REJECTED for status, _, _ in subs)
    out = [
        (
            f"{rejected} tệp bị từ chối (xem phản hồi gửi đơn vị).",
            f"{rejected} files rejected (see the feedback sent to units).",
        )
    ]
    out += _warnings(subs) + _conflicts(subs)
    missing = sum(c["status"] == "missing" for c in pub.completeness)
    if missing:
        out.append(
            (
                f"{missing} đơn vị chưa nộp báo cáo: để trống, không tính là 0.",
                f"{missing} units did not report: blank, never zero.",
            )
        )
    if any(q >= BREAK for q in quarters) and any(q < BREAK for q in quarters):
        out.append(
            (
                "Từ 2025Q3 đơn vị báo cáo là 96 xã, phường của tỉnh mới (sáp nhập).",
                "From 2025Q3 the reporting units are the merged province's 96 communes.",
            )
        )
    return out


def _warnings(subs: Decided) -> list[tuple[str, str]]:
    """How many warnings of each code the kept submissions carry."""
    codes: dict[str, int] = {}
    for status, warnings, problems in subs:
        if status in (Status.ACCEPTED, Status.SUPERSEDED) and warnings:
            for p in problems:
                if p["severity"] == Severity.WARNING:
                    codes[p["code"]] = codes.get(p["code"], 0) + 1
    out = []
    for code, n in sorted(codes.items()):
        vi, en = WARNING_NAMES.get(code, (code, code))
        out.append((f"Cảnh báo: {n} × {vi}.", f"Warning: {n} × {en}."))
    return out


def _conflicts(subs: Decided) -> list[tuple[str, str]]:
    """Each enterprise two current submissions report differently, the first few."""
    conflicts = sorted(
        {
            (p["value"], p["expected"])
            for status, _, problems in subs
            if status == Status.ACCEPTED
            for p in problems
            if p["code"] == Code.TAX_CODE_CONFLICT
        }
    )
    out = [
        (f"Mâu thuẫn: MST {code}, {text}.", f"Conflict: tax code {code}, {text}.")
        for code, text in conflicts[:CONFLICTS_LISTED]
    ]
    if len(conflicts) > CONFLICTS_LISTED:
        more = len(conflicts) - CONFLICTS_LISTED
        out.append((f"… và {more} mâu thuẫn khác.", f"… and {more} more conflicts."))
    return out


def report_builder(engine: Engine, ctx: Context, pub: Publication) -> Callable[[str, str], bytes]:
    """A function (version, published_at) -> report.html for ``pub``."""
    last = max((r["as_of"] for r in pub.indicators), default=pub.period)
    trend: dict[str, dict[str, dict[str, float | None]]] = {}

    def add(level: str, code: str, indicator: str, period: str, value: float | None) -> None:
        if period <= last:
            series = "province" if level == "province" else code
            trend.setdefault(series, {}).setdefault(indicator, {})[period] = value

    for v in queries.indicator_history(engine):
        add(v.level, v.unit_code, v.indicator, v.period, v.value)
    for r in pub.indicators if not is_year(pub.period) else []:
        if r["level"] != "unit":
            add(r["level"], r["unit_code"], r["indicator"], r["period"], r["value"])
    dq = notes(engine, pub)

    def build(version: str, published_at: str) -> bytes:
        return report.render(
            report.ReportInput(
                pub.period,
                version,
                pub.status,
                published_at,
                pub.indicators,
                pub.completeness,
                ctx.published,
                ctx.targets,
                trend,
                dq,
                pub.territories,
                ctx.territories.places,
                {t.code: (t.name_vi, t.name_en) for t in ctx.territories.territories},
            )
        )

    return build


def lineage(flow_run_id: str | None) -> dict[str, Any]:
    from importlib.metadata import version

    return {"flow_run_id": flow_run_id, "code_version": f"chiso {version('chiso')}"}
