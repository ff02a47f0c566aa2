"""The quarter's map (pure): a circle per unit at its centroid, area proportional to
``DTE_COUNT``, colour by ``DTE_PER_1000_POP``, units without a report hollow. Drawn as
inline SVG by chiso: no tiles, no network, no script."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from models.territories import Place

W, H, PAD = 900, 560, 30
LEGEND_W = 230  # the legend's column on the right
R_MAX = 22.0  # the radius of the largest count
R_ZERO = 2.5  # a reported count of 0 still shows where the unit is
R_BLANK = 5.0
LABELLED = 20  # up to this many units, each is named on the map (the districts)
# DTE_PER_1000_POP classes (sequential blues); the last is open-ended
CLASSES = ((0.02, "#c6dbef"), (0.05, "#9ecae1"), (0.1, "#6baed6"), (0.2, "#3182bd"))
TOP_COLOR = "#08519c"
NO_RATIO = "#bdbdbd"  # reported, but no population to divide by


@dataclass(frozen=True)
class MapUnit:
    """One unit of the quarter on the map."""

    code: str
    name: str
    place: Place
    count: float | None  # DTE_COUNT; None when the unit did not report
    per_1000: float | None


def colour(per_1000: float | None) -> str:
    if per_1000 is None:
        return NO_RATIO
    for upper, fill in CLASSES:
        if per_1000 < upper:
            return fill
    return TOP_COLOR


def units_of(rows: list[dict[str, Any]], places: dict[str, Place]) -> list[MapUnit]:
    """The unit rows of a publication, with their centroids (units without one are left
    off: the caller says how many)."""
    by: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["level"] == "unit" and r["indicator"] in ("DTE_COUNT", "DTE_PER_1000_POP"):
            unit = by.setdefault(r["unit_code"], {"name": r["unit_name"]})
            unit[r["indicator"]] = r["value"]
            unit["reported"] = unit.get("reported") or bool(r["reported_units"])
    out = []
    for code, u in by.items():
        if code in places:
            count = u.get("DTE_COUNT") if u["reported"] else None
            if u["reported"] and count is None:
                count = 0.0
            out.append(MapUnit(code, u["name"], places[code], count, u.get("DTE_PER_1000_POP")))
    return out


def geometry(units: list[MapUnit]) -> dict[str, Any] | None:
    """Everything the template draws, in SVG user units; None without any unit."""
    if not units:
        return None
    lat0 = sum(u.place.lat for u in units) / len(units)
    kx = math.cos(math.radians(lat0))  # equirectangular, true to scale at the mean latitude
    xs = [u.place.lon * kx for u in units]
    ys = [u.place.lat for u in units]
    x_min, y_max = min(xs), max(ys)
    width, height = max(xs) - x_min, y_max - min(ys)
    span = max(width, height, 1e-6)
    inner_w, inner_h = W - LEGEND_W - 2 * PAD - 2 * R_MAX, H - 2 * PAD - 2 * R_MAX
    scale = min(inner_w / max(width, 1e-6), inner_h / max(height, 1e-6))
    scale = min(scale, inner_w / span * 4)  # a single unit or a line stays readable
    cx0 = PAD + R_MAX + (inner_w - width * scale) / 2
    cy0 = PAD + R_MAX + (inner_h - height * scale) / 2
    top = max((u.count or 0) for u in units) or 1
    circles = []
    # the largest first, so small circles are drawn on top and stay visible
    for u, x, y in sorted(zip(units, xs, ys, strict=True), key=lambda t: -(t[0].count or 0)):
        px = cx0 + (x - x_min) * scale
        py = cy0 + (y_max - y) * scale
        blank = u.count is None
        r = R_BLANK if u.count is None else max(R_ZERO, R_MAX * math.sqrt(u.count / top))
        circles.append(
            {
                "code": u.code,
                "name": u.name,
                "x": f"{px:.1f}",
                "y": f"{py:.1f}",
                "r": f"{r:.1f}",
                "fill": "none" if blank else colour(u.per_1000),
                "blank": blank,
                "count": u.count,
                "per_1000": u.per_1000,
                "label_y": f"{py + r + 12:.1f}",
            }
        )
    return {
        "w": W,
        "h": H,
        "legend_x": W - LEGEND_W + 10,
        "circles": circles,
        "labelled": len(circles) <= LABELLED,
        "classes": legend_classes(),
        "sizes": [
            (f"{R_MAX * math.sqrt(n / top):.1f}", int(n))
            for n in sorted({top, max(1, round(top / 4))}, reverse=True)
        ],
        "reported": sum(not c["blank"] for c in circles),
        "blank": sum(c["blank"] for c in circles),
    }


def legend_classes() -> list[tuple[str, str]]:
    """(label, colour) of each DTE_PER_1000_POP class."""
    out, lower = [], 0.0
    for upper, fill in CLASSES:
        out.append((f"{lower:g}–{upper:g}".replace(".", ","), fill))
        lower = upper
    out.append((f"≥ {lower:g}".replace(".", ","), TOP_COLOR))
    return out
