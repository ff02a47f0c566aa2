"""The validation rules of a run, from the catalog tables of the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from expectations.rules import Rules
from models.catalog import Indicator, reported_figures
from models.periods import latest_ended
from models.reference import ReportingUnit


def load_rules(engine: Engine, indicators: list[Indicator], now: datetime | None = None) -> Rules:
    """The rules: the units and their validity, the figures reported, the latest ended
    quarter (no report may be for a later one)."""
    t = ReportingUnit.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        q = select(t.c.code_key, t.c.level, t.c.valid_from, t.c.valid_to)
        units = [(k, level, start, end) for k, level, start, end in conn.execute(q)]
    return Rules.build(units, reported_figures(indicators), latest_ended(now))
