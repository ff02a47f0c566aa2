"""Where submissions come from: a folder, an S3 prefix, or per-unit HTTP endpoints."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoundFile:
    """A file seen in a source, not yet read."""

    source_uri: str  # stable identity of the file's location
    rel_path: str  # path under the source root, POSIX separators
    size: int
    received_at: datetime  # the source's own timestamp (aware, UTC)
    opener: Callable[[], BinaryIO]
    etag: str | None = None  # the source's own version tag (S3), to skip known objects

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
        st = path.lstat()
        real = path  # reached without following links (os.walk does not follow them)
        if stat.S_ISLNK(st.st_mode):
            real = path.resolve()
            if not real.is_relative_to(self.root):
                log.warning("ignored %s: a link that leads out of the source", path)
                return None
            if not real.is_file():
                return None
            st = real.stat()
        elif not stat.S_ISREG(st.st_mode):
            return None
        return FoundFile(
            source_uri=path.as_uri(),
            rel_path=path.relative_to(self.root).as_posix(),
            size=st.st_size,
            received_at=datetime.fromtimestamp(st.st_mtime, UTC),
            opener=lambda: real.open("rb"),
        )


class S3Source:
    """``s3://bucket/inbox/<unit>/<period>/<file>``; ``received_at`` is ``LastModified``."""

    def __init__(self, uri: str, client: Any) -> None:
        from tasks.s3store import split_uri

        self.bucket, self.prefix = split_uri(uri)
        self.client, self.uri = client, uri

    def scan(self) -> Iterator[FoundFile]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                rel = obj["Key"][len(self.prefix) :]
                if not rel or rel.endswith("/") or any(ignored(p) for p in rel.split("/")):
                    continue
                yield FoundFile(
                    source_uri=f"s3://{self.bucket}/{obj['Key']}",
                    rel_path=rel,
                    size=int(obj["Size"]),
                    received_at=obj["LastModified"].astimezone(UTC),
                    opener=self._opener(obj["Key"]),
                    etag=str(obj.get("ETag", "")) or None,
                )

    def _opener(self, key: str) -> Callable[[], BinaryIO]:
        def open_() -> BinaryIO:
            return cast(BinaryIO, self.client.get_object(Bucket=self.bucket, Key=key)["Body"])

        return open_


def open_source(uri: str, settings: Any = None) -> Source:
    """The source a setting names: a folder, ``file:///path``, ``s3://bucket/prefix/`` or
    an ``http(s)://…{unit_code}…{period}…`` template."""
    if uri.startswith("s3://"):
        from tasks.s3store import s3_client

        return S3Source(uri, s3_client(settings.s3_endpoint_url if settings else None))
    if uri.startswith(("http://", "https://")):
        from tasks.http_source import HttpSource

        if settings is None:
            raise ValueError("an HTTP source needs the settings (units, limits, headers)")
        return HttpSource.from_settings(uri, settings)
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return FolderSource(Path(unquote(urlparse(uri).path)))
    if "://" in uri:
        raise ValueError(f"unsupported source {uri!r}: use a folder, file://, s3:// or http(s)://")
    return FolderSource(Path(uri))
