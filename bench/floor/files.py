"""Files written durably: under temporary names, synced together, then named."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

_syncfs = ctypes.CDLL(None, use_errno=True).syncfs


class Writer:
    """Files written under temp names, made durable together (one syncfs), then named."""

    def __init__(self, root: Path) -> None:
        self.root, self.pending = root, []  # type: list[tuple[int, str, Path]]
        self.folders: set[Path] = set()

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        tmp = str(path.parent / f".tmp-{path.name}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        self.pending.append((fd, tmp, path))

    def commit(self) -> None:
        if self.pending:
            _syncfs(self.pending[0][0])
        for fd, tmp, path in self.pending:
            os.close(fd)
            os.replace(tmp, path)
        self.pending = []
