"""The folder source: ``<root>/<unit_code>/<period>/<file>`` on a local disk."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from models.text import visible
from tasks.intake.sources import FoundFile, Refused, Skipped, guarded, ignored, read_error
from tasks.intake.times import from_timestamp

log = logging.getLogger(__name__)


class FolderSource:
    """``<root>/<unit_code>/<period>/<file>`` on a local disk; links never leave the root.

    A file is opened without following a link at its last component (``O_NOFOLLOW``), and
    what was opened is checked rather than the path: a regular file, one link only (a hard
    link to a file outside would pass any path check), the very file that was listed, and
    lying under the root (``/proc/self/fd``: no folder on the way swapped for a link).
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = self.root.as_uri()

    def scan(self) -> Iterator[FoundFile | Skipped]:
        if not self.root.is_dir():
            raise FileNotFoundError(f"source folder does not exist: {self.root}")
        errors: list[OSError] = []
        now = datetime.now(UTC)
        for dirpath, dirnames, filenames in os.walk(
            self.root, followlinks=False, onerror=errors.append
        ):
            while errors:
                err = errors.pop()
                yield Skipped(self._shown(Path(err.filename or dirpath)), read_error(err))
            dirnames[:] = sorted(d for d in dirnames if not ignored(d))
            for name in sorted(filenames):
                if ignored(name):
                    continue
                path = Path(dirpath) / name
                found = guarded(self._shown(path), self.entry, path, now)
                if found:
                    yield found
        for err in errors:
            yield Skipped(self._shown(Path(err.filename or self.root)), read_error(err))

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def entry(self, path: Path, now: datetime) -> FoundFile | None:
        st = path.lstat()
        real = path  # reached without following links (os.walk does not follow them)
        if stat.S_ISLNK(st.st_mode):
            real = Path(os.path.realpath(path, strict=True))  # OSError on a loop
            if not real.is_relative_to(self.root):
                shown = visible(self._shown(path))  # a crafted name: no lone surrogate logged
                log.warning("ignored %s: a link that leads out of the source", shown)
                return None
            st = real.stat()
            if not stat.S_ISREG(st.st_mode):
                return None
        elif not stat.S_ISREG(st.st_mode):
            return None
        received, stated = from_timestamp(st.st_mtime, now)
        return FoundFile(
            source_uri=path.as_uri(),
            rel_path=path.relative_to(self.root).as_posix(),
            size=st.st_size,
            received_at=received,
            opener=partial(self._open, real, (st.st_dev, st.st_ino)),
            stated_time=stated,
        )

    def _open(self, real: Path, identity: tuple[int, int]) -> BinaryIO:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused("not a regular file")
            if (st.st_dev, st.st_ino) != identity:
                raise Refused("the file changed since it was listed; it is read next run")
            if st.st_nlink > 1:  # a hard link to a file outside would pass any path check
                raise Refused(f"{st.st_nlink} hard links to this file; copy it instead of linking")
            opened = Path(os.readlink(f"/proc/self/fd/{fd}"))
            if not opened.is_relative_to(self.root):
                raise Refused("the file lies outside the source folder")
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
