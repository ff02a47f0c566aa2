"""What the suites need to know about the world: the catalog and today's date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.catalog import Indicator
from models.periods import Period


@dataclass
class Rules:
    """Inputs of the suites, read from the database's catalog tables."""

    validity: dict[str, list[Any]]  # unit code key -> [valid_from, valid_to] (ISO)
    figures: dict[str, Indicator]
    last_ended: Period  # the latest quarter that has ended
    pairs: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        units: list[tuple[str, str, date, date | None]],
        figures: dict[str, Indicator],
        last_ended: Period,
    ) -> Rules:
        """``units``: (code_key, level, valid_from, valid_to) of every catalog unit."""
        validity = {
            k: [start.isoformat(), end.isoformat() if end else None]
            for k, level, start, end in units
            if level != "province"
        }
        pairs = sorted({tuple(sorted((i.code, i.pair))) for i in figures.values() if i.pair})
        return cls(validity, figures, last_ended, [(a, b) for a, b in pairs])

    @property
    def last_ended_index(self) -> int:
        return self.last_ended.year * 4 + self.last_ended.quarter - 1


def meta(problem: str, **kw: Any) -> dict[str, Any]:
    """An expectation's ``meta``: which problem it reports and how to show it."""
    return {"problem": problem, **kw}
