"""Which publications a run makes, in which order."""

from __future__ import annotations

from datetime import date

from models.catalog import UnitCatalog
from models.periods import Period, is_year


def publication_order(
    units: UnitCatalog, periods: list[str], today: date
) -> list[tuple[str, set[str]]]:
    """Each quarter of ``periods`` some unit may report for and that has begun, then each
    of their years (and the years asked for) right after its quarters, as ``(period,
    quarters the year takes from this run)``. A quarter's rows can then be let go once its
    year is built: memory stays flat over a backfill of many years."""
    quarters = sorted(
        str(q)
        for q in {Period.parse(p) for p in periods if not is_year(p)}
        if units.publishable(q, today)
    )
    years = sorted(
        {q[:4] for q in quarters}
        | {p for p in periods if is_year(p) and units.publishable(Period(int(p), 1), today)}
    )
    todo: list[tuple[str, set[str]]] = []
    for y in years:
        mine = {q for q in quarters if q[:4] == y}
        todo += [(q, set()) for q in sorted(mine)] + [(y, mine)]
    return todo
