"""The S3 object store and the S3 inbox source against a real S3 server (SeaweedFS)."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import boto3

from tasks.intake.sources import open_source
from tasks.objects.s3 import S3ObjectStore
from tests.support.s3 import Seaweed
from tests.support.scan_as import read_listed


def test_store_round_trip_conditional_writes_and_multipart(s3_server: Seaweed, bucket: str) -> None:
    store = S3ObjectStore.from_uri(f"s3://{bucket}/chiso", s3_server.endpoint)
    store.put("raw/703/2025Q1/abc.json", b"{}", "application/json")
    assert store.get("raw/703/2025Q1/abc.json") == b"{}"
    assert store.exists("raw/703/2025Q1/abc.json") and not store.exists("raw/nope")
    assert store.put_if_absent("raw/x", b"1") and not store.put_if_absent("raw/x", b"2")
    assert store.get("raw/x") == b"1"
    big = bytes(range(256)) * (40 * 1024)  # 10 MiB: multipart
    store.put_stream("raw/big.bin", io.BytesIO(big))
    assert store.get("raw/big.bin") == big
    assert sorted(store.list_keys("raw/")) == ["raw/703/2025Q1/abc.json", "raw/big.bin", "raw/x"]
    head = boto3.client("s3", endpoint_url=s3_server.endpoint).head_object(
        Bucket=bucket, Key="chiso/raw/703/2025Q1/abc.json"
    )
    assert head["ContentType"] == "application/json"
    assert store.url("raw/x") == f"{s3_server.endpoint}/{bucket}/chiso/raw/x"


def test_lock_is_exclusive(s3_server: Seaweed, bucket: str) -> None:
    # two holders never overlap: each counts who is inside while it holds the lock
    store = S3ObjectStore.from_uri(f"s3://{bucket}", s3_server.endpoint)
    inside, most, rounds = [0], [0], []

    def hold(name: str) -> None:
        for _ in range(4):
            with store.lock("publish"):
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0.05)  # work inside: a second holder would overlap it
                inside[0] -= 1
                rounds.append(name)

    threads = [threading.Thread(target=hold, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert most[0] == 1 and sorted(rounds) == ["a"] * 4 + ["b"] * 4
    assert list(store.list_keys()) == []  # the lock object is gone (and hidden)


def _left(store: S3ObjectStore, holder: dict[str, object]) -> None:
    """A lock object as a holder that never released it left it."""
    store.client.put_object(
        Bucket=store.bucket, Key=store._key(".locks/publish"), Body=json.dumps(holder).encode()
    )


def test_a_lock_left_by_a_dead_process_of_this_host_is_broken(
    s3_server: Seaweed, bucket: str
) -> None:
    store = S3ObjectStore.from_uri(f"s3://{bucket}", s3_server.endpoint)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    _left(store, {"host": socket.gethostname(), "pid": int(gone.stdout), "token": "x"})
    done = threading.Event()

    def take() -> None:
        with store.lock("publish"):
            done.set()

    threading.Thread(target=take, daemon=True).start()
    assert done.wait(10)


def test_a_live_or_foreign_lock_is_waited_for_until_its_time_runs_out(
    s3_server: Seaweed, bucket: str
) -> None:
    ttl = timedelta(seconds=4)
    store = S3ObjectStore.from_uri(f"s3://{bucket}", s3_server.endpoint, lock_ttl=ttl)
    _left(store, {"host": "another-host", "pid": 1, "token": "x"})
    done = threading.Event()

    def take() -> None:
        with store.lock("publish"):
            done.set()

    threading.Thread(target=take, daemon=True).start()
    assert not done.wait(2)  # another host's lock, fresh: waited for
    assert done.wait(15)  # once older than its time to live, taken


def test_s3_inbox_source(s3_server: Seaweed, bucket: str) -> None:
    client = boto3.client("s3", endpoint_url=s3_server.endpoint)
    for key in (
        "inbox/703/2025Q1/a.json",
        "inbox/703/2025Q1/~$a.xlsx",
        "inbox/.hidden",
        "other/703/2025Q1/b.json",
    ):
        client.put_object(Bucket=bucket, Key=key, Body=b"{}")
    found = list(open_source(f"s3://{bucket}/inbox/", _Settings(s3_server.endpoint)).scan())
    assert [f.rel_path for f in found] == ["703/2025Q1/a.json"]
    (f,) = found
    assert f.source_uri == f"s3://{bucket}/inbox/703/2025Q1/a.json"
    assert (f.path_unit, f.path_period, f.size) == ("703", "2025Q1", 2) and f.etag
    assert f.received_at.tzinfo is not None
    with f.opener() as body:
        assert body.read() == b"{}"
    assert f.shown == "inbox/703/2025Q1/a.json"  # what feedback shows: the key, not a URL
    client.delete_object(Bucket=bucket, Key="inbox/703/2025Q1/a.json")  # gone since listed
    data, reasons = read_listed(found)
    assert data == {}
    assert reasons == {
        "inbox/703/2025Q1/a.json": "S3 NoSuchKey: the object changed or vanished since it was "
        "listed"
    }


class _Settings:
    def __init__(self, endpoint: str) -> None:
        self.s3_endpoint_url = endpoint


def test_timestamps_read_as_botocore_reads_them(s3_server: Seaweed, bucket: str) -> None:
    """The client's own timestamp reader gives what botocore's gives, for the forms S3
    sends (a listing's ISO time, a HEAD's HTTP date) and, through botocore's, any other."""
    from botocore.utils import parse_timestamp

    from tasks.objects.s3 import _timestamp, s3_client

    for text in (
        "2026-12-02T18:00:00.000Z",
        "2026-12-02T18:00:00Z",
        "Wed, 02 Dec 2026 18:00:00 GMT",
        "1764698400",
        "2026-12-02T18:00:00+07:00",
    ):
        assert _timestamp(text) == parse_timestamp(text), text
        assert _timestamp(text).utcoffset() == timedelta(0), text
    client = s3_client(s3_server.endpoint)
    client.put_object(Bucket=bucket, Key="when/x", Body=b"1")
    listed = client.list_objects_v2(Bucket=bucket, Prefix="when/")["Contents"][0]["LastModified"]
    head = client.head_object(Bucket=bucket, Key="when/x")["LastModified"]
    assert listed.utcoffset() == timedelta(0) and abs((listed - head).total_seconds()) < 1
