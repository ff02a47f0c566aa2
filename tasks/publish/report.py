"""report.html: one self-contained page (inline CSS and SVG, no scripts) for a leader."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import Markup

from models.catalog import Indicator
from models.periods import LOCAL_NOTE, local_text
from models.territories import Place
from tasks.publish import map as unit_map
from tasks.publish import trend
from tasks.publish.indicators import applies
from tasks.publish.tables import number
from tasks.templates import pages

STATUS = {
    "on_time": ("Đúng hạn", "on time", "#0b6e4f"),
    "late": ("Trễ hạn", "late", "#a15c07"),
    "missing": ("Chưa nộp", "missing", "#b42318"),
    "pending": ("Chưa đến hạn", "pending", "#52606d"),
}
CSS = """body{font-family:system-ui,'Segoe UI',sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
main{max-width:1100px;margin:0 auto;padding:1.5rem}h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem}.en{color:#616e7c;font-size:.85em}
.badge{display:inline-block;padding:.15rem .5rem;border-radius:.3rem;color:#fff;font-size:.8rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:.8rem}
.card{background:#fff;border-radius:.5rem;padding:.8rem 1rem;box-shadow:0 1px 2px #0002}
.card .v{font-size:1.8rem;font-weight:700}.bar{background:#e4e7eb;border-radius:.3rem;
height:.7rem;margin:.2rem 0 .4rem}.bar div{height:100%;border-radius:.3rem;background:#2680c2}
.lbl{font-size:.8rem;color:#3e4c59}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e4e7eb;padding:.3rem .5rem;text-align:left;font-size:.85rem}
th{background:#e9eef3}.dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;
margin-right:.3rem}ul{background:#fff;padding:.8rem 2rem;border-radius:.5rem}"""


@dataclass
class ReportInput:
    """What the page shows."""

    period: str
    version: str
    status: str
    published_at: str
    indicators: list[dict[str, Any]]
    completeness: list[dict[str, Any]]
    definitions: list[Indicator]
    targets: list[dict[str, Any]]
    # series ("province" or a territory code) -> indicator -> quarter -> value
    trend: dict[str, dict[str, dict[str, float | None]]]
    notes: list[tuple[str, str]]  # (Vietnamese, English)
    members: list[dict[str, Any]] = field(default_factory=list)  # territories.csv rows
    places: dict[str, Place] = field(default_factory=dict)
    territory_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # vi, en

    @cached_property
    def lead(self) -> tuple[str, str]:
        """The (level, code) the page leads with: the plan's territory (the one its targets
        are set for), else the province."""
        planned = {t["scope"] for t in self.targets}
        scoped = [r for r in self.indicators if r["level"] == "territory"]
        scoped = [r for r in scoped if r["unit_code"] in planned] or scoped[:1]
        if scoped:
            return "territory", scoped[0]["unit_code"]
        province = next((r for r in self.indicators if r["level"] == "province"), None)
        return "province", province["unit_code"] if province else ""


def _fmt(value: Any) -> str:
    n = number(value)
    if n is None:
        return "—"
    return f"{n:,}".replace(",", ".") if isinstance(n, int) else f"{n:.2f}".replace(".", ",")


def _bars(value: Any, goals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A progress bar per target year: the value's share of the target."""
    out = []
    for t in goals:
        share = 0.0 if value is None or not t["value"] else float(value) / t["value"]
        out.append(
            {
                "year": t["year"],
                "target": _fmt(t["value"]),
                "share": f"{share:.0%}",
                "width": f"{min(1.0, share) * 100:.1f}",
            }
        )
    return out


def _cards(r: ReportInput) -> list[dict[str, Any]]:
    """A card per headline indicator the lead row has a value for, in catalog order, with
    the targets scoped to it."""
    level, code = r.lead
    lead = {
        x["indicator"]: x for x in r.indicators if (x["level"], x["unit_code"]) == (level, code)
    }
    out = []
    for ind in r.definitions:
        row = lead.get(ind.code)
        if row is None:
            continue
        mine = [
            t for t in r.targets if t["indicator"] == ind.code and applies(t["scope"], level, code)
        ]
        goals = sorted((t for t in mine if t["kind"] == "target"), key=lambda t: t["year"])
        base = next((t for t in mine if t["kind"] == "baseline"), None)
        out.append(
            {
                "label_vi": ind.label_vi,
                "label_en": ind.label_en,
                "value": _fmt(row["value"]),
                "unit": ind.unit,
                "bars": _bars(row["value"], goals),
                "base": base and {"year": base["year"], "value": _fmt(base["value"])},
            }
        )
    return out


def _columns(r: ReportInput) -> list[dict[str, Any]]:
    """The aggregates side by side: the lead, the other territories, the province(s)."""
    cols: dict[tuple[str, str], dict[str, Any]] = {}
    for x in r.indicators:
        if x["level"] != "unit":
            col = cols.setdefault(
                (x["level"], x["unit_code"]),
                {"code": x["unit_code"], "name": x["unit_name"], "values": {}},
            )
            col["values"][x["indicator"]] = _fmt(x["value"])
            col["reported"] = f"{x['reported_units']}/{x['expected_units']}"
            col["en"] = r.territory_names.get(x["unit_code"], ("", ""))[1]
    order = sorted(cols, key=lambda k: (k != r.lead, k[0] != "territory", k[1]))
    return [cols[k] for k in order]


def _trend(r: ReportInput) -> dict[str, Any] | None:
    return trend.chart(trend.lines(r.lead, r.territory_names, r.trend), _fmt)


def _map(r: ReportInput) -> dict[str, Any] | None:
    units = unit_map.units_of(r.indicators, r.places)
    drawn = unit_map.geometry(units)
    if drawn is not None:
        expected = {x["unit_code"] for x in r.indicators if x["level"] == "unit"}
        drawn["unplaced"] = len(expected) - len(units)
        drawn["as_of"] = next((x["as_of"] for x in r.indicators), r.period)
    return drawn


def _by_territory(r: ReportInput) -> list[dict[str, Any]]:
    """Completeness per (quarter, territory): expected units and how they stand, counted
    by :func:`completeness.by_group` as everywhere else."""
    from tasks.publish.completeness import by_group

    out = []
    for period in sorted({c["period"] for c in r.completeness}):
        rows = [c for c in r.completeness if c["period"] == period]
        listed = {c["unit_code"] for c in rows}
        members: dict[str, list[str]] = {}
        for m in r.members:
            if m["period"] == period and m["unit_code"] in listed:
                members.setdefault(m["territory"], []).append(m["unit_code"])
        groups: list[tuple[str, str, str, list[Any]]] = [
            ("territory", t, r.territory_names.get(t, (t, ""))[0], codes)
            for t, codes in sorted(members.items())
        ]
        for g in by_group(rows, groups):
            out.append(
                {"period": period, "territory": g["code"], "expected": g["units"]}
                | {k: g[k] for k in STATUS}
                | {"name": g["name"]}
            )
    return out


def _completeness(r: ReportInput) -> tuple[str, list[dict[str, Any]]]:
    """The completeness summary line and table rows."""
    counts: dict[str, int] = {}
    rows = []
    for c in r.completeness:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
        vi, en, color = STATUS[c["status"]]
        received = local_text(c["received_at"])
        rows.append(c | {"vi": vi, "en": en, "color": color, "received": received})
    summary = " · ".join(f"{STATUS[k][0]}: {v}" for k, v in sorted(counts.items()))
    return summary, rows


_PAGES = pages(Path(__file__).parent / "templates")


def render(r: ReportInput) -> bytes:
    badge = (
        ("#0b6e4f", "Chính thức · final")
        if r.status == "final"
        else ("#a15c07", "Tạm thời · provisional")
    )
    summary, completeness = _completeness(r)
    page = _PAGES.get_template("report.html.j2").render(
        r=r,
        css=Markup(CSS),
        badge=badge,
        cards=_cards(r),
        trend=_trend(r),
        summary=summary,
        completeness=completeness,
        lead=r.lead,
        columns=_columns(r),
        definitions=r.definitions,
        unit_map=_map(r),
        by_territory=_by_territory(r),
        status_names=STATUS,
        published_local=local_text(r.published_at),
        local_note=LOCAL_NOTE,
    )
    return page.encode("utf-8")
