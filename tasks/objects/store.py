"""Object storage behind one small interface; the local-folder implementation lives here.

Keys follow the contract's layout (``raw/…``, ``feedback/…``, ``snapshots/…``, ``docs/…``).
The S3 implementation is in :mod:`tasks.objects.s3` and is chosen by settings.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from tasks.objects.durable import HAS_UNNAMED, Pending, sync_files

T = TypeVar("T")
R = TypeVar("R")
Obj = tuple[str, bytes, str | None]  # key, bytes, content type


class ObjectStore(Protocol):
    """Where raw files, feedback reports, snapshots and docs are kept."""

    uri: str

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None: ...

    def put_if_absent(self, key: str, data: bytes, content_type: str | None = None) -> bool: ...

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> None: ...

    def put_many(self, objects: Sequence[Obj], if_absent: bool = False) -> list[bool]: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self, prefix: str = "") -> Iterator[str]: ...

    def list_folders(self, folder: str) -> Iterator[str]:
        """The names of the folders directly under ``folder`` (``a/b/``), not what they hold."""
        ...

    def url(self, key: str) -> str: ...

    def lock(self, name: str) -> AbstractContextManager[None]: ...


def _safe_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a valid object key: {key!r}")
    return key


OPEN_FILES = 256  # files a put_many holds open at once (and syncs together)


class LocalObjectStore:
    """A folder with the contract's layout; every write is atomic (an unnamed file linked
    into place, or a temp file renamed)."""

    def __init__(
        self,
        root: Path,
        unnamed: bool = True,
        open_files: int = OPEN_FILES,
        sync: Callable[[Sequence[int], Path], None] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.uri = self.root.as_uri()
        # unnamed files where the system has them (cleared when a filesystem refuses them)
        self.unnamed = unnamed and HAS_UNNAMED
        self.open_files = open_files
        self.sync = sync or sync_files  # how written files are made durable

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def _temp(self, path: Path) -> tuple[int, str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=".tmp-")

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self.put_many([(key, data, content_type)])

    def put_if_absent(self, key: str, data: bytes, content_type: str | None = None) -> bool:
        """Write only if the key does not exist yet; ``False`` when it already did."""
        return self.put_many([(key, data, content_type)], if_absent=True)[0]

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> None:
        path = self._path(key)
        fd, tmp = self._temp(path)
        with os.fdopen(fd, "wb") as f:
            shutil.copyfileobj(stream, f, 1 << 20)
        os.replace(tmp, path)

    def put_many(self, objects: Sequence[Obj], if_absent: bool = False) -> list[bool]:
        """Write many objects with one sync of the filesystem per few hundred instead of
        one per file: each file is written unnamed (or under a temp name), the filesystem
        is synced, then each is linked (or renamed) into place. Each object is still
        atomic, and durable before it becomes visible. Which were written (``False``: it
        existed already and ``if_absent``).

        One thread: threads contend on the folders' locks and the GIL and were 2.5x slower
        here (6,642 feedback files: 0.8 s in one thread, 2.0 s in 8). ``put`` and
        ``put_if_absent`` are this, for one object."""
        placed: list[bool] = []
        for start in range(0, len(objects), self.open_files):
            placed += self._put_chunk(objects[start : start + self.open_files], if_absent)
        return placed

    def _put_chunk(self, objects: Sequence[Obj], if_absent: bool) -> list[bool]:
        """At most ``open_files`` objects: their files and folders stay open until
        placed (an unnamed file has no other handle)."""
        folders: dict[Path, int] = {}
        pending: list[Pending] = []
        try:
            for key, data, _ in objects:
                path = self._path(key)
                if path.parent not in folders:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    folders[path.parent] = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
                pending.append(Pending(path, folders[path.parent]))
                self.unnamed = pending[-1].write(data, self.unnamed)
            self.sync([p.fd for p in pending], self.root)
            return [p.place(if_absent) for p in pending]
        finally:
            for p in pending:
                p.discard()
            for fd in folders.values():
                os.close(fd)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root
        folder = self._path(prefix.rsplit("/", 1)[0]) if "/" in prefix else base
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*")):
            key = path.relative_to(base).as_posix()
            hidden = any(part.startswith(".") for part in key.split("/"))
            if path.is_file() and not hidden and key.startswith(prefix):
                yield key

    def list_folders(self, folder: str) -> Iterator[str]:
        base = self._path(folder.rstrip("/")) if folder.strip("/") else self.root
        if base.is_dir():
            yield from sorted(
                p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")
            )

    def url(self, key: str) -> str:
        return self._path(key).as_uri()

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """An exclusive lock shared by every process using this folder."""
        path = self.root / ".locks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
