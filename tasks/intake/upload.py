"""A file a unit sends through the portal: its name made safe, its bytes put in the first
source as ``<unit>/<period>/<name>``, and registered there at once (the same rows and
``raw/`` object the collector would make, so a later scan knows it)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine

from models.text import INVALID_CHARS
from tasks.intake.collect import Known, Registered, register
from tasks.intake.folder import FolderSource
from tasks.intake.sources import FoundFile, S3Source, Source
from tasks.objects.store import ObjectStore

MAX_NAME_BYTES = 120
_SEPARATORS = re.compile(r"[/\\]")


class UploadError(ValueError):
    """A sent file that cannot be taken (a name that is nothing, a source that takes none)."""


def safe_name(sent: str) -> str:
    """The sent name's last component (after any ``/`` or ``\\``), without control
    characters, cut to :data:`MAX_NAME_BYTES` bytes keeping its extension; empty or
    dot-only names are refused."""
    name = _SEPARATORS.split(sent)[-1]
    name = INVALID_CHARS.sub("", name).strip()
    if not name.strip("."):
        raise UploadError("the file has no name")
    stem, ext = _split(name)
    if len(ext.encode()) > 16:  # an "extension" that long is part of the name
        stem, ext = name, ""
    room = MAX_NAME_BYTES - len(ext.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore")
    return stem + ext


def _split(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    return (name[: -len(suffix)], suffix) if suffix and name != suffix else (name, "")


def numbered(name: str, n: int) -> str:
    """``name`` with `` (n)`` before its extension (``n`` > 1)."""
    if n == 1:
        return name
    stem, ext = _split(name)
    mark = f" ({n})"
    stem = stem.encode()[: MAX_NAME_BYTES - len(ext.encode()) - len(mark)].decode("utf-8", "ignore")
    return f"{stem}{mark}{ext}"


def place_file(source: Source, unit: str, period: str, name: str, temp: Path) -> str:
    """Move the received bytes (``temp``, beside the destination for a folder) to the
    first free ``<unit>/<period>/<name>``, `` (2)``… of the source; the name used."""
    if isinstance(source, FolderSource):
        folder = source.root / unit / period
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            candidate = numbered(name, n)
            try:
                os.link(temp, folder / candidate)  # fails if taken: never overwrites
            except FileExistsError:
                continue
            temp.unlink()
            return candidate
        raise UploadError("too many files of that name")
    if isinstance(source, S3Source):
        from botocore.exceptions import ClientError

        for n in range(1, 10_000):
            candidate = numbered(name, n)
            key = f"{source.prefix}{unit}/{period}/{candidate}"
            try:
                with temp.open("rb") as body:
                    source.client.put_object(
                        Bucket=source.bucket, Key=key, Body=body, IfNoneMatch="*"
                    )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                    continue
                raise
            temp.unlink()
            return candidate
        raise UploadError("too many files of that name")
    raise UploadError("the first configured source takes no files (a folder or S3 does)")


def temp_file(source: Source, unit: str) -> Path:
    """Where an upload is written while it arrives: a hidden file in the unit's folder of
    a folder source (the collector ignores hidden files; the final link stays on the same
    file system), else a temporary file."""
    import tempfile

    if isinstance(source, FolderSource):
        folder = source.root / unit
        folder.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix=".upload-", dir=folder)
    else:
        fd, path = tempfile.mkstemp(prefix="chiso-upload-")
    os.close(fd)
    return Path(path)


def register_placed(
    source: Source,
    rel_path: str,
    store: ObjectStore,
    engine: Engine,
    max_bytes: int,
) -> Registered:
    """Register the placed file as the collector would (archive, then the row)."""
    found = _entry(source, rel_path)
    if found is None:
        raise UploadError("the file could not be read back from the inbox")
    got, skipped = register([found], Known(engine, found.source_uri), store, engine, max_bytes)
    if skipped or not got:
        raise UploadError(skipped[0].reason if skipped else "the file could not be registered")
    return got[0]


def _entry(source: Source, rel_path: str) -> FoundFile | None:
    """The placed file as its source lists it."""
    now = datetime.now(UTC)
    if isinstance(source, FolderSource):
        return source.entry(source.root / rel_path, now)
    assert isinstance(source, S3Source)
    key = source.prefix + rel_path
    head = source.client.head_object(Bucket=source.bucket, Key=key)
    obj = {
        "Key": key,
        "Size": head["ContentLength"],
        "LastModified": head["LastModified"],
        "ETag": head.get("ETag"),
    }
    return source.entry(obj, rel_path, now)
