"""Where submissions come from: a folder, an S3 prefix, or per-unit HTTP endpoints."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar, cast

from models.text import visible
from tasks.intake.times import within

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class FoundFile:
    """A file seen in a source, not yet read."""

    source_uri: str  # stable identity of the file's location
    rel_path: str  # path under the source root, POSIX separators
    size: int
    received_at: datetime  # the source's own timestamp (aware, UTC)
    opener: Callable[[], BinaryIO]
    etag: str | None = None  # the source's own version tag (S3), to skip known objects
    stated_time: str | None = None  # the source's own time, when it could not be kept
    seen_after: datetime | None = None  # chiso's previous look at the source began then

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

    @property
    def shown(self) -> str:
        """The file as its unit knows it (see :func:`shown_source`)."""
        return shown_source(self.source_uri, self.rel_path)


def shown_source(source_uri: str, rel_path: str) -> str:
    """Where a file came from, as a unit or operator may see it: the S3 key, the endpoint
    (credentials redacted), or the path under the inbox folder (never the server's own
    absolute path)."""
    if source_uri.startswith("s3://"):
        return source_uri.split("/", 3)[3] if source_uri.count("/") >= 3 else source_uri
    if source_uri.startswith(("http://", "https://")):
        return redact(source_uri)
    return rel_path


def redact(uri: str) -> str:
    """``uri`` fit to show or store: no password or user name, no query values (a token in
    a source URL must not reach a feedback report, a log line or a flow parameter)."""
    from urllib.parse import parse_qsl, urlsplit, urlunsplit

    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<an unreadable address>"
    if not parts.scheme or parts.scheme == "file":
        return uri
    netloc = parts.netloc.rpartition("@")[2]
    if "@" in parts.netloc:
        netloc = "***@" + netloc
    query = "&".join(f"{k}=***" for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class Source(Protocol):
    """Anything that can list the submission files it holds."""

    uri: str

    def scan(self) -> Iterator[FoundFile | Skipped]: ...


def ignored(name: str) -> bool:
    """Hidden files and Office lock files are never submissions."""
    return name.startswith((".", "~$")) or name.startswith(".~lock")


@dataclass(frozen=True)
class Skipped:
    """A source entry not collected this run (unreadable, vanished, a link loop, an endpoint
    that failed): reported in the run's summary, and looked at again next run."""

    where: str  # the entry as a unit or operator would name it (never with credentials)
    reason: str

    def __post_init__(self) -> None:  # a name of undecodable bytes prints like any other
        object.__setattr__(self, "where", visible(self.where))
        object.__setattr__(self, "reason", visible(self.reason))


class Refused(OSError):
    """An entry that must not be read as it stands (a link out of the root, a hard link,
    not a regular file, changed since it was listed)."""


def read_error(exc: BaseException) -> str:
    """Why an entry could not be read, in a line an operator can act on (no server path):
    an OS error, a refusal, an S3 object gone since it was listed."""
    response = getattr(exc, "response", None)  # botocore's ClientError
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    if code:
        return f"S3 {code}: the object changed or vanished since it was listed"
    if isinstance(exc, Refused):
        return f"refused: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}"


def guarded(where: str, fn: Callable[..., T], *args: Any) -> T | Skipped:
    """The containment boundary of listing one entry: whatever ``fn`` raises (a defect in
    chiso, a value no one foresaw) skips that entry this run, the traceback in the log;
    only the listing itself (the source's infrastructure) can fail the run."""
    try:
        return fn(*args)
    except Exception as exc:
        if not isinstance(exc, OSError):  # an OS refusal is the entry's state, not a defect
            log.exception("listing %s failed", visible(where))
        return Skipped(where, read_error(exc))


class S3Source:
    """``s3://bucket/inbox/<unit>/<period>/<file>``; ``received_at`` is ``LastModified``."""

    def __init__(self, uri: str, client: Any) -> None:
        from tasks.objects.s3 import split_uri

        self.bucket, self.prefix = split_uri(uri)
        self.client, self.uri = client, uri

    def scan(self) -> Iterator[FoundFile | Skipped]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        now = datetime.now(UTC)
        for page in pages:
            for obj in page.get("Contents", []):
                rel = obj["Key"][len(self.prefix) :]
                if not rel or rel.endswith("/") or any(ignored(p) for p in rel.split("/")):
                    continue
                yield guarded(rel, self.entry, obj, rel, now)

    def entry(self, obj: dict[str, Any], rel: str, now: datetime) -> FoundFile:
        received, stated = within(obj["LastModified"].astimezone(UTC), now)
        return FoundFile(
            source_uri=visible(f"s3://{self.bucket}/{obj['Key']}"),
            rel_path=rel,
            size=int(obj["Size"]),
            received_at=received,
            opener=self._opener(obj["Key"]),
            etag=str(obj.get("ETag", "")) or None,
            stated_time=stated,
        )

    def _opener(self, key: str) -> Callable[[], BinaryIO]:
        def open_() -> BinaryIO:
            return cast(BinaryIO, self.client.get_object(Bucket=self.bucket, Key=key)["Body"])

        return open_


def open_source(uri: str, settings: Any = None) -> Source:
    """The source a setting names: a folder, ``file:///path``, ``s3://bucket/prefix/`` or
    an ``http(s)://…{unit_code}…{period}…`` template."""
    from tasks.intake.folder import FolderSource

    if uri.startswith("s3://"):
        from tasks.objects.s3 import s3_client

        return S3Source(uri, s3_client(settings.s3_endpoint_url if settings else None))
    if uri.startswith(("http://", "https://")):
        from tasks.intake.http import HttpSource

        if settings is None:
            raise ValueError("an HTTP source needs the settings (units, limits, headers)")
        return HttpSource.from_settings(uri, settings)
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return FolderSource(Path(unquote(urlparse(uri).path)))
    if "://" in uri:
        raise ValueError(f"unsupported source {uri!r}: use a folder, file://, s3:// or http(s)://")
    return FolderSource(Path(uri))
