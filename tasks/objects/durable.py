"""Local files written durably and atomically: nothing half-written ever has a name."""

from __future__ import annotations

import ctypes
import errno
import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path

# unnamed files (Linux O_TMPFILE), linked in through /proc
HAS_UNNAMED = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


class Pending:
    """One object on its way to ``path``: an unnamed file in its folder (Linux
    ``O_TMPFILE``), linked into place once durable, so nothing half-written ever has a
    name and a killed process leaves no temp file behind; where the filesystem has no
    unnamed files, a named temp file renamed into place. The two ways take about the same
    time (bench/objectstore.py: within the run-to-run spread here; creating the folders
    and inodes is the cost)."""

    def __init__(self, path: Path, folder: int) -> None:
        self.path, self.folder = path, folder
        self.fd = -1
        self.tmp: str | None = None  # the temp file's path, the named way

    def write(self, data: bytes, unnamed: bool) -> bool:
        """Write ``data``, in an unnamed file if ``unnamed``; whether unnamed files still
        work here (a filesystem that refuses one refuses them all)."""
        if unnamed:
            try:
                self.fd = os.open(".", os.O_TMPFILE | os.O_WRONLY, 0o600, dir_fd=self.folder)
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                    raise
                unnamed = False  # not on this filesystem (or kernel)
        if self.fd < 0:
            self.fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        return unnamed

    def place(self, if_absent: bool) -> bool:
        if self.tmp is None:
            try:  # a new key: the unnamed file takes its name
                self._link(self.path.name)
                return True
            except FileExistsError:
                if if_absent:
                    return False
            name = f".tmp-{uuid.uuid4().hex}"  # replacing: a name first, then a rename
            self._link(name)
            self.tmp = str(self.path.parent / name)
        if not if_absent:
            os.replace(self.tmp, self.path)
            return True
        try:
            os.link(self.tmp, self.path)  # atomic create-if-absent
            return True
        except FileExistsError:
            return False

    def _link(self, name: str) -> None:
        os.link(f"/proc/self/fd/{self.fd}", name, dst_dir_fd=self.folder, follow_symlinks=True)

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.tmp is not None:
            _unlink_if_there(self.tmp)  # renamed into place


def _unlink_if_there(path: str) -> None:
    with suppress(FileNotFoundError):  # renamed into place
        os.unlink(path)


def _libc_syncfs() -> Callable[[int], int] | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):  # not Linux
        return None
    return fn


_SYNCFS = _libc_syncfs()


def sync_files(fds: Sequence[int], root: Path) -> None:
    """Make the files open as ``fds`` durable: for several, one ``syncfs`` of their
    filesystem on Linux (one journal commit instead of one per file); else an fsync each."""
    if len(fds) > 1 and _SYNCFS is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for fd in fds:
        os.fsync(fd)
