"""report.html: one self-contained page (inline CSS and SVG, no scripts) for a leader."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as e
from typing import Any

from models.catalog import Indicator
from tasks.publish.tables import number

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


def _progress(value: Any, target: float, year: int) -> str:
    share = 0.0 if value is None or not target else float(value) / target
    return (
        f'<div class="lbl">Mục tiêu {year}: {_fmt(target)} · đạt {share:.0%} '
        f'<span class="en">target {year}, {share:.0%} reached</span></div>'
        f'<div class="bar"><div style="width:{min(1.0, share) * 100:.1f}%"></div></div>'
    )


def _cards(r: ReportInput) -> str:
    province = {x["indicator"]: x for x in r.indicators if x["level"] == "province"}
    out = []
    for ind in r.definitions:
        row = province.get(ind.code)
        if row is None:
            continue
        goals = sorted(
            (t for t in r.targets if t["indicator"] == ind.code and t["kind"] == "target"),
            key=lambda t: t["year"],
        )
        bars = "".join(_progress(row["value"], t["value"], t["year"]) for t in goals)
        base = next(
            (t for t in r.targets if t["indicator"] == ind.code and t["kind"] == "baseline"), None
        )
        note = (
            (
                f'<div class="lbl">Năm gốc {base["year"]}: {_fmt(base["value"])} '
                f'<span class="en">baseline</span></div>'
            )
            if base
            else ""
        )
        out.append(
            f'<div class="card"><div class="lbl">{e(ind.label_vi)}</div>'
            f'<div class="en">{e(ind.label_en)}</div><div class="v">'
            f'{_fmt(row["value"])} <span class="lbl">{e(ind.unit)}</span></div>'
            f"{bars}{note}</div>"
        )
    return '<div class="cards">' + "".join(out) + "</div>"


def _trend(r: ReportInput, codes: tuple[str, ...] = ("DTE_COUNT", "DTE_DX_CAPABLE")) -> str:
    quarters = sorted({q for c in codes for q in r.trend.get(c, {})})
    if not quarters:
        return "<p>Chưa có dữ liệu kỳ trước. <span class='en'>No history yet.</span></p>"
    w, h, pad = 900, 260, 40
    top = max([v for c in codes for v in r.trend.get(c, {}).values() if v] + [1])
    x = {q: pad + i * (w - 2 * pad) / max(1, len(quarters) - 1) for i, q in enumerate(quarters)}

    def y(v: float) -> float:
        return h - pad - (h - 2 * pad) * v / top

    parts = [
        f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" '
        f'aria-label="Xu hướng / trend" style="background:#fff;border-radius:.5rem">'
    ]
    for q in quarters:
        parts.append(
            f'<text x="{x[q]:.0f}" y="{h - 12}" font-size="11" text-anchor="middle">{e(q)}</text>'
        )
    if BREAK in x or (quarters[0] < BREAK < quarters[-1]):
        bx = x.get(BREAK) or (x[max(q for q in quarters if q < BREAK)] + 20)
        anchor, tx = ("end", bx - 4) if bx > w / 2 else ("start", bx + 4)
        parts.append(
            f'<line x1="{bx:.0f}" x2="{bx:.0f}" y1="{pad - 20}" y2="{h - pad}" '
            'stroke="#b42318" stroke-dasharray="5 4"/>'
            f'<text x="{tx:.0f}" y="{pad - 8}" font-size="11" fill="#b42318" '
            f'text-anchor="{anchor}">Sáp nhập tỉnh 01/07/2025 (96 xã, phường) · '
            "territorial break</text>"
        )
    for c, color in zip(codes, ("#2680c2", "#0b6e4f"), strict=False):
        pts = [(x[q], y(v)) for q, v in sorted(r.trend.get(c, {}).items()) if v is not None]
        if pts:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"/>'
            )
            values = [v for _, v in sorted(r.trend.get(c, {}).items()) if v is not None]
            parts += [
                f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{color}"/>'
                f'<text x="{a:.1f}" y="{b - 8:.1f}" font-size="11" text-anchor="middle" '
                f'fill="{color}">{_fmt(v)}</text>'
                for (a, b), v in zip(pts, values, strict=True)
            ]
    legend = " · ".join(
        f'<span style="color:{c}">■</span> {e(code)}'
        for code, c in zip(codes, ("#2680c2", "#0b6e4f"), strict=False)
    )
    return "".join(parts) + f'</svg><div class="lbl">{legend}</div>'


def _completeness(r: ReportInput) -> str:
    counts: dict[str, int] = {}
    rows = []
    for c in r.completeness:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
        vi, en, color = STATUS[c["status"]]
        rows.append(
            f"<tr><td>{e(c['period'])}</td><td>{e(c['unit_code'])}</td>"
            f'<td>{e(c["unit_name"])}</td><td><span class="dot" '
            f'style="background:{color}"></span>{vi} <span class="en">{en}</span></td>'
            f"<td>{e(str(c['received_at'] or ''))[:16]}</td>"
            f"<td>{c['rejected_count']}</td></tr>"
        )
    summary = " · ".join(f"{STATUS[k][0]}: {v}" for k, v in sorted(counts.items()))
    return (
        f"<p>{e(summary)}</p><table><tr><th>Kỳ</th><th>Mã</th><th>Đơn vị</th>"
        "<th>Tình trạng</th><th>Nhận lúc (UTC)</th><th>Bị từ chối</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def render(r: ReportInput) -> bytes:
    badge = (
        ("#0b6e4f", "Chính thức · final")
        if r.status == "final"
        else ("#a15c07", "Tạm thời · provisional")
    )
    notes = "".join(f'<li>{e(vi)} <span class="en">{e(en)}</span></li>' for vi, en in r.notes)
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Chỉ số doanh nghiệp công nghệ số — {e(r.period)}</title><style>{CSS}</style></head>
<body><main><div class="en">Tây Ninh · digital-technology enterprise development plan</div>
<h1>Phát triển doanh nghiệp công nghệ số tỉnh Tây Ninh — kỳ {e(r.period)}</h1>
<p><span class="badge" style="background:{badge[0]}">{badge[1]}</span>
<span class="en">phiên bản / version {e(r.version)} ·
công bố / published {e(r.published_at)}</span></p>
<h2>Chỉ tiêu chính <span class="en">Headline indicators</span></h2>{_cards(r)}
<h2>Xu hướng theo quý <span class="en">Trend over the published quarters</span></h2>{_trend(r)}
<h2>Tình hình nộp báo cáo <span class="en">Completeness by unit</span></h2>{_completeness(r)}
<h2>Ghi chú chất lượng dữ liệu <span class="en">Data-quality notes</span></h2><ul>{notes}</ul>
</main></body></html>"""
    return page.encode("utf-8")
