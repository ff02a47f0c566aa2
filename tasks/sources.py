"""Where submissions come from: a folder now (S3 and HTTP sources come beside it)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoundFile:
    """A file seen in a source, not yet read."""

    source_uri: str  # stable identity of the file's location
    rel_path: str  # path under the source root, POSIX separators
    size: int
    received_at: datetime  # the source's own timestamp (aware, UTC)
    opener: Callable[[], BinaryIO]

    @property
    def filename(self) -> str:
        return self.rel_path.rsplit("/", 1)[-1]

    @property
    def path_unit(self) -> str | None:
        parts = self.rel_path.split("/")
        return parts[0] if len(parts) == 3 else None

    @property
    def path_period(self) -> str | None:
        parts = self.rel_path.split("/")
        return parts[1] if len(parts) == 3 else None


class Source(Protocol):
    """Anything that can list the submission files it holds."""

    uri: str

    def scan(self) -> Iterator[FoundFile]: ...


def ignored(name: str) -> bool:
    """Hidden files and Office lock files are never submissions."""
    return name.startswith((".", "~$")) or name.startswith(".~lock")


class FolderSource:
    """``<root>/<unit_code>/<period>/<file>`` on a local disk; links never leave the root."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = self.root.as_uri()

    def scan(self) -> Iterator[FoundFile]:
        if not self.root.is_dir():
            raise FileNotFoundError(f"source folder does not exist: {self.root}")
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not ignored(d))
            for name in sorted(filenames):
                if ignored(name):
                    continue
                path = Path(dirpath) / name
                found = self._found(path)
                if found:
                    yield found

    def _found(self, path: Path) -> FoundFile | None:
        real = path.resolve()
        if not real.is_relative_to(self.root):
            log.warning("ignored %s: a link that leads out of the source", path)
            return None
        if not real.is_file():
            return None
        st = real.stat()
        return FoundFile(
            source_uri=path.as_uri(),
            rel_path=path.relative_to(self.root).as_posix(),
            size=st.st_size,
            received_at=datetime.fromtimestamp(st.st_mtime, UTC),
            opener=lambda: real.open("rb"),
        )


def open_source(uri: str) -> Source:
    """The source a setting names: a folder path or ``file:///path`` (S3/HTTP later)."""
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return FolderSource(Path(unquote(urlparse(uri).path)))
    if "://" in uri:
        raise ValueError(f"unsupported source {uri!r}: use a folder path or file:///path")
    return FolderSource(Path(uri))
