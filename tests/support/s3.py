"""A real S3 server for the tests: SeaweedFS (``weed mini``) on 127.0.0.1, free ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.ports import free_port

WEED = str(Path(sys.executable).parent / "weed")
PORT_FLAGS = [
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
    "metricsPort",
    "debug.port",
]
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "chiso-test",
    "AWS_SECRET_ACCESS_KEY": "chiso-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class Seaweed:
    """One ``weed mini`` process that can be stopped and started again on the same data."""

    data: Path
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def start(self) -> None:
        """Start and wait until S3 writes and reads. A first start draws its ports; if one
        of them was taken before weed bound it, the start is tried again on others."""
        fresh = not self.ports
        for attempt in range(3):
            if fresh:
                self.ports = {flag: free_port() for flag in PORT_FLAGS}
            log = self.data / "weed.log"
            logged = log.stat().st_size if log.exists() else 0
            try:
                return self._start()
            except RuntimeError:
                with log.open("rb") as f:
                    f.seek(logged)
                    said = f.read()
                # weed checks its ports before it binds them ("Port allocation failed: port
                # … is not available"); a bind that loses the race says "address already in use"
                taken = b"is not available" in said or b"address already in use" in said
                if not (fresh and taken) or attempt == 2:
                    raise

    def _start(self) -> None:
        args = [
            WEED,
            "mini",
            f"-dir={self.data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-master.telemetry=false",
        ]
        args += [f"-{flag}={port}" for flag, port in self.ports.items()]
        log = (self.data / "weed.log").open("ab")
        self.proc = subprocess.Popen(
            args, stdout=log, stderr=log, env={**os.environ, **CREDENTIALS}
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.ports["s3.port"]), 0.2):
                    pass
                import boto3

                # the S3 gateway answers before the volumes serve data (after a restart,
                # reads fail with InternalError for a while): wait for a write and a read
                # (objects written before the restart included)
                probe = boto3.client("s3", endpoint_url=self.endpoint)
                if "ready-probe" in {b["Name"] for b in probe.list_buckets()["Buckets"]}:
                    probe.get_object(Bucket="ready-probe", Key="probe")["Body"].read()
                else:
                    probe.create_bucket(Bucket="ready-probe")
                probe.put_object(Bucket="ready-probe", Key="probe", Body=b"ok")
                assert probe.get_object(Bucket="ready-probe", Key="probe")["Body"].read() == b"ok"
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"weed mini exited: see {self.data / 'weed.log'}") from None
                time.sleep(0.2)
        raise RuntimeError("weed mini did not answer S3 within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seaweed]:
    """SeaweedFS for the whole session (credentials in the environment for boto3)."""
    for k, v in CREDENTIALS.items():
        os.environ[k] = v
    server = Seaweed(tmp_path_factory.mktemp("seaweed"))
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.data, ignore_errors=True)


@contextmanager
def new_bucket(s3_server: Seaweed) -> Iterator[str]:
    """A bucket of its own on ``s3_server``, emptied and removed afterwards."""
    import boto3

    name = f"chiso-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server.endpoint)
    client.create_bucket(Bucket=name)
    yield name
    if s3_server.proc and s3_server.proc.poll() is None:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for obj in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=obj["Key"])
        client.delete_bucket(Bucket=name)


@pytest.fixture
def bucket(s3_server: Seaweed) -> Iterator[str]:
    """A bucket of the test's own, emptied and removed afterwards."""
    with new_bucket(s3_server) as name:
        yield name
