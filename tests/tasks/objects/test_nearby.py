"""Archived files kept on this host's disk too (work once, issue 24): against a real S3
server, a copy is read instead of the store only when it is whole, once, and never for
anything but ``raw/``."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import boto3

from tasks.objects.nearby import NearbyCopies
from tasks.objects.s3 import S3ObjectStore
from tests.support.s3 import Seaweed


def _raw(data: bytes, ext: str = "json") -> str:
    return f"raw/703/2025Q1/{hashlib.sha256(data).hexdigest()}.{ext}"


def _store(s3_server: Seaweed, bucket: str, folder: Path) -> NearbyCopies:
    return NearbyCopies(S3ObjectStore.from_uri(f"s3://{bucket}/c", s3_server.endpoint), folder)


def test_a_new_archived_file_is_read_from_its_copy_once(
    s3_server: Seaweed, bucket: str, tmp_path: Path
) -> None:
    store = _store(s3_server, bucket, tmp_path / "nearby")
    a, b = b'{"a": 1}', b'{"b": 2}'
    feedback = ("feedback/703/2025Q1/s1.json", b"{}", None)
    assert store.put_many([(_raw(a), a, None), (_raw(b), b, None), feedback], if_absent=True)
    copies = sorted(p.name for p in (tmp_path / "nearby").iterdir())
    assert copies == sorted(k.rsplit("/", 1)[1] for k in (_raw(a), _raw(b)))  # raw/ only
    # the copy is gone once read: the next read is the store's
    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint)
    s3.delete_object(Bucket=bucket, Key="c/" + _raw(a))  # only the copy has it now
    assert store.get(_raw(a)) == a and (store.hits, store.misses) == (1, 0)
    assert store.get(_raw(b)) == b and store.get(_raw(b)) == b
    assert (store.hits, store.misses) == (2, 1)
    assert list((tmp_path / "nearby").iterdir()) == []
    assert store.get(feedback[0]) == b"{}"  # not a raw/ key: the store's


def test_a_copy_is_used_only_when_it_hashes_to_its_key(
    s3_server: Seaweed, bucket: str, tmp_path: Path
) -> None:
    store = _store(s3_server, bucket, tmp_path / "nearby")
    data = b"x" * 1000
    store.put(_raw(data, "xlsx"), data)
    copy = tmp_path / "nearby" / _raw(data, "xlsx").rsplit("/", 1)[1]
    copy.write_bytes(data[:10])  # torn (a crash while copying) or altered
    assert store.get(_raw(data, "xlsx")) == data and store.misses == 1
    assert not copy.exists()


def test_another_host_or_a_file_seen_before_reads_from_the_store(
    s3_server: Seaweed, bucket: str, tmp_path: Path
) -> None:
    here, there = (_store(s3_server, bucket, tmp_path / n) for n in ("here", "there"))
    data = b'{"u": 1}'
    assert here.put_if_absent(_raw(data), data)
    assert there.get(_raw(data)) == data and there.misses == 1  # no copy on that host
    assert not there.put_if_absent(_raw(data), data)  # already archived: no copy kept
    assert not (tmp_path / "there").exists()


def test_copies_no_one_read_are_swept_after_a_day(
    s3_server: Seaweed, bucket: str, tmp_path: Path
) -> None:
    store = _store(s3_server, bucket, tmp_path / "nearby")
    old, new = b"old", b"new"
    store.put(_raw(old), old)
    stale = tmp_path / "nearby" / _raw(old).rsplit("/", 1)[1]
    left = tmp_path / "nearby" / ".abandoned.tmp"  # a killed writer's temporary file
    left.write_bytes(b"half")
    day_ago = time.time() - 25 * 3600
    for path in (stale, left):
        os.utime(path, (day_ago, day_ago))
    later = _store(s3_server, bucket, tmp_path / "nearby")  # the next collect's process
    later.put(_raw(new), new)
    assert sorted(p.name for p in (tmp_path / "nearby").iterdir()) == [_raw(new)[-69:]]
    assert later.get(_raw(old)) == old  # the archive still has it
