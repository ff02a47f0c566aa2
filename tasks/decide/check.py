"""Checking a file: the feedback report it would get, decided by the same function as a
sent file's (:func:`tasks.decide.decisions.find_problems`), with nothing archived,
recorded, sent as an event or published."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from expectations.frames import Item
from expectations.rules import Rules
from models.catalog import UnitCatalog
from models.submission import Submission
from tasks.decide.decisions import find_problems, judge
from tasks.intake.parse import file_format
from tasks.intake.readers import Readers

CHECKED = "checked"


@dataclass(frozen=True)
class Checker:
    """What checking needs: the database (for the checks across submissions), the reader
    pool, the catalog, the rules and the timeliness setting."""

    engine: Engine
    readers: Readers
    units: UnitCatalog
    rules: Rules
    timely_days: int

    def check(self, unit: str, period: str, name: str, data: bytes) -> dict[str, Any]:
        """The report the file would get as ``<unit>/<period>/<name>``, received now:
        ``status`` ``checked``, ``would_be`` ``accepted`` or ``rejected``."""
        now = datetime.now(UTC)
        sha = hashlib.sha256(data).hexdigest()
        sub = Submission(
            id="check-" + sha[:18],
            source_uri=f"check:{unit}/{period}/{name}",
            content_sha256=sha,
            filename=name,
            format=file_format(name),
            size_bytes=len(data),
            object_key="",
            path_unit=unit,
            path_period=period,
            received_at=now,
            collected_at=now,
        )
        (parsed,) = self.readers.many([(name, data)])
        item = Item(sub.id, parsed, unit, period)
        found = find_problems(
            self.engine, [item], {sub.id: sub}, self.units, self.rules, self.timely_days
        ).get(sub.id, [])
        judged = judge(item, sub, found, self.units, now)
        doc = judged.report
        doc.update(status=CHECKED, would_be=str(judged.status), submission_id=None)
        return doc
