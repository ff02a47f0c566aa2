"""Scan a folder source and read what it lists, as collect does (also as another user:
:func:`read_as`)."""

from __future__ import annotations

import json
import os
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


def read_as(uid: int, root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Scan and read ``root`` as user ``uid`` (and its group of the same number).

    A forked child drops to that user, so it needs nothing from the disk: every module
    is already imported, and the checkout and its virtual environment may sit where that
    user cannot reach (a clone in a private folder)."""
    read_listed(list(FolderSource(root).scan()))  # import what a scan imports lazily
    out, into = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's result comes back through the pipe
        code = 1
        try:
            os.close(out)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            data, reasons = read_listed(list(FolderSource(root).scan()))
            result = [{k: v.decode() for k, v in data.items()}, reasons]
            os.write(into, json.dumps(result).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(into)
    with os.fdopen(out, "rb") as reader:
        raw = reader.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the scan as another user failed"
    data, reasons = json.loads(raw)
    return data, reasons
