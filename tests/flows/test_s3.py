"""The pipeline on S3 (inbox and object store), and an S3 outage in the middle of a publish."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import boto3
import pytest

from examples.sample_inbox import write_sample_inbox
from tests.support.s3 import Seaweed


def _upload(client: object, bucket: str, inbox: Path) -> None:
    for path in sorted(inbox.rglob("*")):
        if path.is_file():
            key = "inbox/" + path.relative_to(inbox).as_posix()
            client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())  # type: ignore[attr-defined]


@pytest.fixture
def s3_env(s3_server: Seaweed, bucket: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHISO_OBJECT_STORE", f"s3://{bucket}/")
    monkeypatch.setenv("CHISO_S3_ENDPOINT_URL", s3_server.endpoint)
    monkeypatch.setenv("CHISO_SOURCES", f"s3://{bucket}/inbox/")
    return bucket


def _complete(client: object, bucket: str, period: str, version: str) -> bool:
    """Every file the version's data package lists is there with its hash."""
    base = f"snapshots/{period}/{version}/"
    desc = json.loads(
        client.get_object(Bucket=bucket, Key=base + "datapackage.json")[  # type: ignore[attr-defined]
            "Body"
        ].read()
    )
    for res in desc["resources"]:
        data = client.get_object(Bucket=bucket, Key=base + res["path"])["Body"].read()  # type: ignore[attr-defined]
        if res["hash"] != "sha256:" + hashlib.sha256(data).hexdigest():
            return False
    return True


def _versions(client: object, bucket: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for page in client.get_paginator("list_objects_v2").paginate(  # type: ignore[attr-defined]
        Bucket=bucket, Prefix="snapshots/"
    ):
        for obj in page.get("Contents", []):
            parts = obj["Key"].split("/")
            if len(parts) == 4:
                out.setdefault(parts[1], set()).add(parts[2])
    return out


# the object store is what these test: on PostgreSQL only, as in production (S3 with
# PostgreSQL); the database's part of the flows runs on both elsewhere in the flow tier
ON_POSTGRESQL = pytest.mark.parametrize("chiso_db", ["postgresql"], indirect=True)


@ON_POSTGRESQL
def test_pipeline_on_s3_survives_an_outage_mid_publish(
    s3_env: str, s3_server: Seaweed, tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from flows.collect import collect_submissions
    from flows.pipeline import run_pipeline
    from flows.process import process_submissions

    bucket, home = s3_env, str(tmp_path / "home")
    client = boto3.client("s3", endpoint_url=s3_server.endpoint)
    _upload(client, bucket, write_sample_inbox(tmp_path / "inbox"))
    assert collect_submissions(home=home)["new"] == 88
    assert process_submissions(home=home)["decided"] == 88
    stopped = threading.Event()

    def stop_mid_publish() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            listed = client.list_objects_v2(Bucket=bucket, Prefix="snapshots/")
            if listed.get("KeyCount", 0) >= 12:  # a version or so is written, more to come
                s3_server.stop()
                stopped.set()
                return
            time.sleep(0.01)

    killer = threading.Thread(target=stop_mid_publish)
    killer.start()
    with pytest.raises(Exception, match="Could not connect to the endpoint URL"):
        run_pipeline(home=home)
    killer.join()
    assert stopped.is_set()
    s3_server.start()
    for period, versions in _versions(client, bucket).items():
        key = f"snapshots/{period}/latest.json"
        try:
            pointer = json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())
        except client.exceptions.NoSuchKey:
            continue
        assert pointer["version"] in versions and _complete(
            client, bucket, period, pointer["version"]
        )
    run_pipeline(home=home)
    final = _versions(client, bucket)
    assert len(final) == 9 and all(len(v) == 1 for v in final.values()), final
    for period, (version,) in final.items():
        pointer = json.loads(
            client.get_object(Bucket=bucket, Key=f"snapshots/{period}/latest.json")["Body"].read()
        )
        assert pointer["version"] == version and _complete(client, bucket, period, version)
    index = json.loads(client.get_object(Bucket=bucket, Key="snapshots/index.json")["Body"].read())
    assert len(index["periods"]) == 9


@ON_POSTGRESQL
def test_the_decisions_read_the_files_collect_archived_on_this_host(
    s3_env: str, s3_server: Seaweed, tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    """Work once: process-submissions takes the bytes collect just archived from the copies
    in the home, not from the store (the archive removed from S3 to show it), then fetches
    from the store what has no copy (the copies removed to show it)."""
    from flows.collect import collect_submissions
    from flows.process import process_submissions

    bucket, home = s3_env, tmp_path / "home"
    client = boto3.client("s3", endpoint_url=s3_server.endpoint)
    inbox = write_sample_inbox(tmp_path / "inbox")
    _upload(client, bucket, inbox)
    assert collect_submissions(home=str(home))["new"] == 88
    raw = [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="raw/")["Contents"]]
    kept = {p.name: p.read_bytes() for p in (home / "nearby").iterdir()}
    assert len(kept) == len(raw) and {k.rsplit("/", 1)[1] for k in raw} == set(kept)
    for key in raw:
        client.delete_object(Bucket=bucket, Key=key)
    done = process_submissions(home=str(home))
    assert done["decided"] == 88 and not done["internal_errors"]
    assert list((home / "nearby").iterdir()) == []  # each copy read once
    # a file whose copy is gone (decided on another host, say): the store's bytes are read
    client.put_object(Bucket=bucket, Key="inbox/703/2025Q3/again.json", Body=b"{}")
    assert collect_submissions(home=str(home))["new"] == 1
    for copy in (home / "nearby").iterdir():
        copy.unlink()
    again = process_submissions(home=str(home))
    assert again["decided"] == 1 and not again["internal_errors"]
