"""The trend chart of report.html (pure): which series it draws across the 2025 merger,
and their geometry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BREAK = "2025Q3"  # first quarter of the merged province (Resolution 202/2025/QH15)
Line = tuple[str, str, str, bool, dict[str, float | None]]  # indicator, label, colour, dashed


SERIES = (("DTE_COUNT", "#2680c2"), ("DTE_DX_CAPABLE", "#0b6e4f"))


def lines(
    lead: tuple[str, str],
    names: dict[str, tuple[str, str]],
    trend: dict[str, dict[str, dict[str, float | None]]],
) -> list[Line]:
    """(indicator, label, colour, dashed, quarter -> value) of each line of the trend: the
    lead territory's series whole; the province's from the break on (before it, the old
    province is the plan's territory); the province's whole when there is no territory."""
    level, code = lead
    out = []
    for ind, color in SERIES:
        if level == "territory":
            vi = names.get(code, (code, ""))[0]
            out.append(
                (ind, f"{ind} · {vi} ({code})", color, False, trend.get(code, {}).get(ind, {}))
            )
            after = {q: v for q, v in trend.get("province", {}).get(ind, {}).items() if q >= BREAK}
            if after:
                out.append((ind, f"{ind} · toàn tỉnh mới / new province", color, True, after))
        else:
            out.append((ind, ind, color, False, trend.get("province", {}).get(ind, {})))
    return out


def chart(lines: list[Line], fmt: Callable[[Any], str]) -> dict[str, Any] | None:
    """The trend chart's geometry (an SVG of 900 × 260), or None without any quarter."""
    quarters = sorted({q for *_, values in lines for q in values})
    if not quarters:
        return None
    w, h, pad = 900, 260, 40
    top = max([v for *_, values in lines for v in values.values() if v] + [1])
    x = {q: pad + i * (w - 2 * pad) / max(1, len(quarters) - 1) for i, q in enumerate(quarters)}

    def y(v: float) -> float:
        return h - pad - (h - 2 * pad) * v / top

    merger = None
    if BREAK in x or (quarters[0] < BREAK < quarters[-1]):
        bx = x.get(BREAK) or (x[max(q for q in quarters if q < BREAK)] + 20)
        anchor, tx = ("end", bx - 4) if bx > w / 2 else ("start", bx + 4)
        merger = {"x": f"{bx:.0f}", "text_x": f"{tx:.0f}", "anchor": anchor}
    series = []
    for _ind, label, color, dashed, values in lines:
        known = [(q, v) for q, v in sorted(values.items()) if v is not None]
        if known:
            pts = [(x[q], y(v), v) for q, v in known]
            series.append(
                {
                    "color": color,
                    "label": label,
                    "dash": "6 4" if dashed else "",
                    "path": " ".join(f"{a:.1f},{b:.1f}" for a, b, _ in pts),
                    "points": [
                        (f"{a:.1f}", f"{b:.1f}", f"{b + 16 if dashed else b - 8:.1f}", fmt(v))
                        for a, b, v in pts
                    ],
                }
            )
    ticks = [(q, f"{x[q]:.0f}") for q in quarters]
    return {"w": w, "h": h, "pad": pad, "ticks": ticks, "merger": merger, "series": series}
