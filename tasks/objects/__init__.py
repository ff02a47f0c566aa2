"""The object stores: a local folder and S3, behind one interface."""

from __future__ import annotations

from pathlib import Path

from tasks.objects.store import LocalObjectStore, ObjectStore


def open_store(uri: str, endpoint_url: str | None = None) -> ObjectStore:
    """The object store a setting names: a folder, ``file:///path`` or ``s3://bucket/prefix``."""
    if uri.startswith("s3://"):
        from tasks.objects.s3 import S3ObjectStore

        return S3ObjectStore.from_uri(uri, endpoint_url)
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return LocalObjectStore(Path(unquote(urlparse(uri).path)))
    return LocalObjectStore(Path(uri))
