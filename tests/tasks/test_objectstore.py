"""Group writes (``put_many``) on both object stores: the local folder and a real S3."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.objectstore import LocalObjectStore, ObjectStore
from tasks.s3store import S3ObjectStore
from tests.support.s3 import Seaweed


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    s3: Seaweed = request.getfixturevalue("s3_server")
    bucket: str = request.getfixturevalue("bucket")
    return S3ObjectStore.from_uri(f"s3://{bucket}/chiso", s3.endpoint)


def test_put_many_writes_each_and_if_absent_keeps_the_first(store: ObjectStore) -> None:
    objects = [(f"feedback/7{i:02d}/2025Q1/s{i}.json", f"{i}".encode(), None) for i in range(30)]
    assert store.put_many(objects) == [True] * 30
    assert [store.get(k) for k, _, _ in objects] == [d for _, d, _ in objects]
    # rewriting replaces; if_absent keeps what is there and says which were new
    store.put_many([(objects[0][0], b"new", None), (objects[1][0], b"new", None)])
    assert store.get(objects[0][0]) == b"new"
    again = [(objects[2][0], b"other", None), ("raw/fresh.json", b"{}", None)]
    assert store.put_many(again, if_absent=True) == [False, True]
    assert store.get(objects[2][0]) == b"2" and store.get("raw/fresh.json") == b"{}"
    assert store.put_many([]) == []
    assert sorted(store.list_keys("raw/")) == ["raw/fresh.json"]


def test_local_put_many_leaves_no_temp_files_even_when_it_fails(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    store.put_many([("raw/a/1", b"1", None), ("raw/a/2", b"2", None)])
    (tmp_path / "objects" / "raw" / "b").write_text("a file where a folder is needed")
    with pytest.raises(OSError):
        store.put_many([("raw/a/3", b"3", None), ("raw/b/x/4", b"4", None)])
    left = sorted(p.name for p in (tmp_path / "objects").rglob("*") if p.is_file())
    assert left == ["1", "2", "b"]  # nothing half-written, no temp file
