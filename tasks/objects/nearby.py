"""Archived files kept on this host's disk too, so they are fetched back only once.

On a stack, ``collect-submissions`` archives each new file to ``raw/`` in the object store
and ``process-submissions`` (another flow-run process, or the portal's task worker) reads
it back from there a few seconds later: 3,321 GETs of a national quarter, the same bytes
twice over the network. Every process of a host shares chiso's home; this store keeps a
copy of each new ``raw/`` file there, which the reader on the same host takes instead.

The object store stays the archive, and the copies can only ever save a request:

- a copy is written under a temporary name and renamed (never durable: it need not be);
- a copy is used only when its bytes hash to the sha256 its key names (``raw/`` keys are
  content addresses), so a torn, truncated or altered copy is fetched from the store;
- a copy is dropped once read (a run that crashes after reading fetches it again), and
  copies older than a day (files registered but read on another host) are swept when new
  ones are kept, at most once an hour;
- a reader on another host, or one whose copy is gone, fetches from the store as before.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import BinaryIO

from tasks.objects.store import Obj, ObjectStore

MAX_AGE_S = 24 * 3600
SWEEP_EVERY_S = 3600
RAW = "raw/"


def _name(key: str) -> str | None:
    """The copy's file name: the key's last part (``<sha256>.<ext>``), when it is one."""
    last = key.rsplit("/", 1)[-1]
    sha = last.split(".", 1)[0]
    if not key.startswith(RAW) or len(sha) != 64 or last.startswith("."):
        return None
    try:
        int(sha, 16)
    except ValueError:
        return None
    return last


class NearbyCopies:
    """``store`` with a copy of each new ``raw/`` object in ``folder`` (see the module)."""

    def __init__(self, store: ObjectStore, folder: Path, max_age_s: float = MAX_AGE_S) -> None:
        self.store, self.folder, self.max_age_s = store, folder, max_age_s
        self.uri = store.uri
        self.hits = self.misses = 0
        self._swept_at = float("-inf")  # when this process last swept the folder

    # -- what the copies change ------------------------------------------------------------

    def put_many(self, objects: Sequence[Obj], if_absent: bool = False) -> list[bool]:
        done = self.store.put_many(objects, if_absent)
        self._keep([(k, data) for (k, data, _), new in zip(objects, done, strict=True) if new])
        return done

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self.store.put(key, data, content_type)
        self._keep([(key, data)])

    def put_if_absent(self, key: str, data: bytes, content_type: str | None = None) -> bool:
        new = self.store.put_if_absent(key, data, content_type)
        if new:
            self._keep([(key, data)])
        return new

    def get(self, key: str) -> bytes:
        name = _name(key)
        if name is not None:
            path = self.folder / name
            try:
                data = path.read_bytes()
            except OSError:
                data = None
            if data is not None:
                with suppress(OSError):
                    path.unlink()  # read once; the store keeps the archive
                if hashlib.sha256(data).hexdigest() == name.split(".", 1)[0]:
                    self.hits += 1
                    return data
        self.misses += 1
        return self.store.get(key)

    def _keep(self, objects: list[tuple[str, bytes]]) -> None:
        """Copies of the ``raw/`` objects among ``objects``; a copy that cannot be written
        (a full disk) is only a request the reader makes again."""
        named = [(n, data) for key, data in objects if (n := _name(key)) is not None]
        if not named:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._sweep()
            for name, data in named:
                tmp = self.folder / f".{name}.{uuid.uuid4().hex[:8]}"
                tmp.write_bytes(data)
                os.replace(tmp, self.folder / name)
        except OSError:
            return

    def _sweep(self) -> None:
        """Drop copies older than ``max_age_s`` (and temporary files a killed writer left),
        at most once an hour: a collect keeps its copies a chunk at a time, and the folder
        holds every copy not yet read."""
        now = time.time()
        if now - self._swept_at < SWEEP_EVERY_S:
            return
        self._swept_at = now
        with os.scandir(self.folder) as entries:
            for entry in entries:
                with suppress(OSError):
                    mtime = entry.stat().st_mtime
                    if mtime < now - self.max_age_s or (
                        entry.name.startswith(".") and mtime < now - 600
                    ):
                        os.unlink(entry.path)

    # -- the rest is the store's -----------------------------------------------------------

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> None:
        self.store.put_stream(key, stream, content_type)

    def exists(self, key: str) -> bool:
        return self.store.exists(key)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        return self.store.list_keys(prefix)

    def list_folders(self, folder: str) -> Iterator[str]:
        return self.store.list_folders(folder)

    def url(self, key: str) -> str:
        return self.store.url(key)

    def lock(self, name: str) -> AbstractContextManager[None]:
        return self.store.lock(name)
