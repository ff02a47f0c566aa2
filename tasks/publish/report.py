"""report.html: one self-contained page (inline CSS and SVG, no scripts) for a leader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from models.catalog import Indicator
from tasks.publish.tables import number
from tasks.templates import pages

BREAK = "2025Q3"  # first quarter of the merged province (Resolution 202/2025/QH15)
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
    trend: dict[str, dict[str, float | None]]  # indicator -> quarter -> province value
    notes: list[tuple[str, str]]  # (Vietnamese, English)


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
    """A card per headline indicator the province has a value for, in catalog order."""
    province = {x["indicator"]: x for x in r.indicators if x["level"] == "province"}
    out = []
    for ind in r.definitions:
        row = province.get(ind.code)
        if row is None:
            continue
        mine = [t for t in r.targets if t["indicator"] == ind.code]
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


SERIES = (("DTE_COUNT", "#2680c2"), ("DTE_DX_CAPABLE", "#0b6e4f"))


def _trend(r: ReportInput) -> dict[str, Any] | None:
    """The trend chart's geometry (an SVG of 900 × 260), or None without any quarter."""
    codes = [c for c, _ in SERIES]
    quarters = sorted({q for c in codes for q in r.trend.get(c, {})})
    if not quarters:
        return None
    w, h, pad = 900, 260, 40
    top = max([v for c in codes for v in r.trend.get(c, {}).values() if v] + [1])
    x = {q: pad + i * (w - 2 * pad) / max(1, len(quarters) - 1) for i, q in enumerate(quarters)}

    def y(v: float) -> float:
        return h - pad - (h - 2 * pad) * v / top

    merger = None
    if BREAK in x or (quarters[0] < BREAK < quarters[-1]):
        bx = x.get(BREAK) or (x[max(q for q in quarters if q < BREAK)] + 20)
        anchor, tx = ("end", bx - 4) if bx > w / 2 else ("start", bx + 4)
        merger = {"x": f"{bx:.0f}", "text_x": f"{tx:.0f}", "anchor": anchor}
    series = []
    for c, color in SERIES:
        known = [(q, v) for q, v in sorted(r.trend.get(c, {}).items()) if v is not None]
        if known:
            pts = [(x[q], y(v), v) for q, v in known]
            series.append(
                {
                    "color": color,
                    "path": " ".join(f"{a:.1f},{b:.1f}" for a, b, _ in pts),
                    "points": [
                        (f"{a:.1f}", f"{b:.1f}", f"{b - 8:.1f}", _fmt(v)) for a, b, v in pts
                    ],
                }
            )
    ticks = [(q, f"{x[q]:.0f}") for q in quarters]
    return {
        "w": w,
        "h": h,
        "pad": pad,
        "ticks": ticks,
        "merger": merger,
        "series": series,
        "legend": SERIES,
    }


def _completeness(r: ReportInput) -> tuple[str, list[dict[str, Any]]]:
    """The completeness summary line and table rows."""
    counts: dict[str, int] = {}
    rows = []
    for c in r.completeness:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
        vi, en, color = STATUS[c["status"]]
        received = str(c["received_at"] or "")[:16]
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
    )
    return page.encode("utf-8")
