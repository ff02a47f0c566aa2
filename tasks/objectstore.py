"""Object storage behind one small interface; the local-folder implementation lives here.

Keys follow the contract's layout (``raw/…``, ``feedback/…``, ``snapshots/…``, ``docs/…``).
The S3 implementation is in :mod:`tasks.s3store` and is chosen by settings.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol


class ObjectStore(Protocol):
    """Where raw files, feedback reports, snapshots and docs are kept."""

    uri: str

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None: ...

    def put_if_absent(self, key: str, data: bytes, content_type: str | None = None) -> bool: ...

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self, prefix: str = "") -> Iterator[str]: ...

    def url(self, key: str) -> str: ...

    def lock(self, name: str) -> AbstractContextManager[None]: ...


def _safe_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a valid object key: {key!r}")
    return key


class LocalObjectStore:
    """A folder with the contract's layout; every write is atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = self.root.as_uri()

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def _temp(self, path: Path) -> tuple[int, str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=".tmp-")

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        path = self._path(key)
        fd, tmp = self._temp(path)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def put_if_absent(self, key: str, data: bytes, content_type: str | None = None) -> bool:
        """Write only if the key does not exist yet; ``False`` when it already did."""
        path = self._path(key)
        fd, tmp = self._temp(path)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.link(tmp, path)  # atomic create-if-absent
            return True
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> None:
        path = self._path(key)
        fd, tmp = self._temp(path)
        with os.fdopen(fd, "wb") as f:
            shutil.copyfileobj(stream, f, 1 << 20)
        os.replace(tmp, path)

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


def put_all(
    store: ObjectStore, objects: Sequence[tuple[str, bytes, str | None]], workers: int = 8
) -> None:
    """Write many objects at once: each write is still atomic, and the waits on the disk's
    syncs or on S3 round trips overlap in threads (the first error is raised)."""
    if len(objects) < 2:
        for key, data, content_type in objects:
            store.put(key, data, content_type)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chiso-put") as pool:
        for _ in pool.map(lambda o: store.put(*o), objects):
            pass


def get_all(store: ObjectStore, keys: Sequence[str], workers: int = 8) -> list[bytes]:
    """Read many objects at once, in order (the waits overlap in threads, as in
    :func:`put_all`)."""
    if len(keys) < 2:
        return [store.get(k) for k in keys]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chiso-get") as pool:
        return list(pool.map(store.get, keys))


def open_store(uri: str, endpoint_url: str | None = None) -> ObjectStore:
    """The object store a setting names: a folder, ``file:///path`` or ``s3://bucket/prefix``."""
    if uri.startswith("s3://"):
        from tasks.s3store import S3ObjectStore

        return S3ObjectStore.from_uri(uri, endpoint_url)
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return LocalObjectStore(Path(unquote(urlparse(uri).path)))
    return LocalObjectStore(Path(uri))
