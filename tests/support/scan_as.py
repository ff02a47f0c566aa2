"""Scan a folder source and read what it lists, as collect does (also run as another user
in a subprocess: ``python -c`` with :func:`read_as_json`)."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.intake.collect import Known, matches
from tasks.intake.folder import FolderSource
from tasks.intake.sources import FoundFile, Skipped


class NoneKnown(Known):
    """A registry with nothing registered (no database needed)."""

    def __init__(self) -> None:
        self.ids, self.tagged = set(), {}


def read_listed(found: list[FoundFile | Skipped]) -> tuple[dict[str, bytes], dict[str, str]]:
    """What collect reads of what a scan listed: bytes by path, and the skipped reasons."""
    files = [f for f in found if isinstance(f, FoundFile)]
    matched, skipped = matches(files, NoneKnown(), 1 << 20)
    reasons = {s.where: s.reason for s in [*found, *skipped] if isinstance(s, Skipped)}
    return {f.rel_path: m.data or b"" for f, m in matched}, reasons


def read_as_json(root: Path) -> str:
    data, reasons = read_listed(list(FolderSource(root).scan()))
    return json.dumps([{k: v.decode() for k, v in data.items()}, reasons])
