"""The object store on any S3-compatible endpoint (boto3; SeaweedFS in the tests)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any, BinaryIO

import boto3
import botocore.session
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.utils import parse_timestamp as default_timestamp_parser

from tasks.objects.many import IO_THREADS, in_threads
from tasks.objects.store import Obj

MULTIPART = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
LOCK_TTL = timedelta(minutes=10)
_HELD: set[str] = set()  # tokens of the locks this process holds now


def _timestamp(value: str) -> datetime:
    """A response's timestamp (``LastModified`` of a listing or a HEAD) as an aware UTC
    datetime: botocore's own parser goes through dateutil, half a millisecond per response
    here, a fifth of the client's CPU per request; this reads the two forms S3 sends and
    leaves anything else to botocore's."""
    try:
        if value.endswith("Z"):
            return datetime.fromisoformat(value[:-1] + "+00:00").astimezone(UTC)
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return default_timestamp_parser(value).astimezone(UTC)


def s3_client(endpoint_url: str | None) -> Any:
    """One boto3 client: standard retry mode, path-style addressing for custom endpoints.

    Per request it costs 1.9-2.6 ms of CPU (SeaweedFS on 127.0.0.1, 4 KB objects, 8
    threads; bench in docs/performance.md); two settings take 0.2-0.7 ms of that off:
    timestamps read without dateutil (:func:`_timestamp`), and a downloaded body's CRC
    checked when the operation requires it rather than whenever the server sends one (the
    archived bytes carry their sha256 in their key; uploads still send their checksum)."""
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=5,
        read_timeout=30,
        s3={"addressing_style": "path"} if endpoint_url else {},
        max_pool_connections=IO_THREADS * 2,
        response_checksum_validation="when_required",
    )
    with _SESSION_LOCK:  # a session is not safe for making clients in two threads at once
        return _session().client("s3", endpoint_url=endpoint_url, config=config)


_SESSION_LOCK = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    """This process's boto3 session for S3 (made once: a session loads the service models,
    about 0.1 s), its responses' timestamps read by :func:`_timestamp`."""
    core = botocore.session.get_session()
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_timestamp)
    return boto3.session.Session(botocore_session=core)


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix/`` -> (bucket, ``prefix/``)."""
    rest = uri[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ValueError(f"not an S3 URI: {uri!r} (expected s3://bucket[/prefix])")
    return bucket, (prefix.strip("/") + "/" if prefix.strip("/") else "")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3ObjectStore:
    """Objects under ``s3://bucket/prefix/`` with the contract's key layout."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        lock_ttl: timedelta = LOCK_TTL,
    ) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.endpoint_url = endpoint_url
        self.uri = f"s3://{bucket}/{prefix}"
        self.lock_ttl = lock_ttl  # a lock older than this is stale, whoever holds it

    @classmethod
    def from_uri(
        cls, uri: str, endpoint_url: str | None = None, lock_ttl: timedelta = LOCK_TTL
    ) -> S3ObjectStore:
        bucket, prefix = split_uri(uri)
        return cls(s3_client(endpoint_url), bucket, prefix, endpoint_url, lock_ttl)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, **extra)

    def put_if_absent(self, key: str, data: bytes, content_type: str | None = None) -> bool:
        extra = {"ContentType": content_type} if content_type else {}
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*", **extra
            )
            return True
        except ClientError as exc:
            if _code(exc) in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
                return False
            raise

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self.client.upload_fileobj(
            stream, self.bucket, self._key(key), ExtraArgs=extra, Config=MULTIPART
        )

    def put_many(self, objects: Sequence[Obj], if_absent: bool = False) -> list[bool]:
        """Many objects at once, their round trips overlapping in threads."""

        def one(o: Obj) -> bool:
            if if_absent:  # conditional: no HEAD first, the PUT itself refuses an existing key
                return self.put_if_absent(*o)
            self.put(*o)
            return True

        return in_threads(one, objects)

    def get(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        )
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self.prefix) :]
                if not any(part.startswith(".") for part in key.split("/")):
                    yield key

    def list_folders(self, folder: str) -> Iterator[str]:
        within = self._key(folder.strip("/") + "/" if folder.strip("/") else "")
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=within, Delimiter="/"
        )
        start = len(within)
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"][start:].rstrip("/")
                if name and not name.startswith("."):
                    yield name

    def url(self, key: str) -> str:
        if self.endpoint_url:
            return f"{self.endpoint_url.rstrip('/')}/{self.bucket}/{self._key(key)}"
        return f"https://{self.bucket}.s3.amazonaws.com/{self._key(key)}"

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """A lock object created with ``If-None-Match: *``. A lock left by a dead holder is
        broken: one of this host whose process is gone (or this very process, which no
        longer holds it), or any older than 10 minutes."""
        key = self._key(f".locks/{name}")
        token = uuid.uuid4().hex
        body = json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "token": token})
        while True:
            try:
                self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=body.encode(), IfNoneMatch="*"
                )
                break
            except ClientError as exc:
                if _code(exc) not in ("PreconditionFailed", "ConditionalRequestConflict"):
                    raise
                if self._stale(key):
                    self.client.delete_object(Bucket=self.bucket, Key=key)
                    continue
                time.sleep(0.5)
        _HELD.add(token)
        try:
            yield
        finally:
            _HELD.discard(token)
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def _stale(self, key: str) -> bool:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False  # released meanwhile: try again
        if datetime.now(UTC) - obj["LastModified"] > self.lock_ttl:
            return True
        try:
            holder = json.loads(obj["Body"].read())
        except ValueError:
            return False
        if holder.get("host") != socket.gethostname():
            return False
        if holder.get("pid") == os.getpid():
            return holder.get("token") not in _HELD
        try:
            os.kill(int(holder.get("pid", 0)), 0)
            return False
        except ProcessLookupError:
            return True
        except (PermissionError, ValueError):
            return False
