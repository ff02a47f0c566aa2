"""Work on many objects at once, for any store: reads and writes overlapped in threads."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

from tasks.objects.store import ObjectStore

T = TypeVar("T")
IO_THREADS = 8  # requests in flight at once (an S3 store answered 330-450 a second with 8)
R = TypeVar("R")


def on_disk(uri: str) -> bool:
    """Whether a location (a store's or a file's URI) is on this machine's disk. Reading
    from there is best done in the calling thread: nothing waits long enough for threads
    to overlap, and their hand-offs cost more than the reads (a national quarter's 3,321
    inbox files read and hashed: 0.60 s of wall and 0.73 s of CPU in 8 threads, 0.17 s in
    one; docs/performance.md, session 16)."""
    return uri.startswith("file:")


def in_threads(fn: Callable[[T], R], items: Sequence[T], workers: int = IO_THREADS) -> list[R]:
    """``fn`` over ``items`` in threads, in order, the first error raised (after every call
    has finished): for waits on the disk or the network to overlap. With one worker, in
    this thread, the first error raised at once."""
    if len(items) < 2 or workers < 2:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chiso-io") as pool:
        return list(pool.map(fn, items))


def put_folder(store: ObjectStore, prefix: str, folder: Path) -> None:
    """Every file under ``folder`` into ``store`` under ``prefix``, typed by its name."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            kind = mimetypes.guess_type(path.name)[0]
            if kind and kind.startswith("text/"):
                kind += "; charset=utf-8"
            store.put(prefix + path.relative_to(folder).as_posix(), path.read_bytes(), kind)


class Readable(Protocol):
    """What :func:`get_all` needs of a store."""

    uri: str

    def get(self, key: str) -> bytes: ...


def get_all(store: Readable, keys: Sequence[str]) -> list[bytes]:
    """Read many objects at once, in order (from a remote store the waits overlap in
    threads; from a local folder in this thread, see :func:`on_disk`)."""
    return in_threads(store.get, keys, 1 if on_disk(store.uri) else IO_THREADS)
