"""Group writes (``put_many``) on both object stores: the local folder and a real S3."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tasks.objects.durable import sync_files
from tasks.objects.many import get_all
from tasks.objects.s3 import S3ObjectStore
from tasks.objects.store import LocalObjectStore, ObjectStore
from tests.support.s3 import Seaweed


def _local(root: Path, way: str, sync: Any = None) -> LocalObjectStore:
    """The local store's two ways to write: unnamed files linked into place (Linux
    ``O_TMPFILE``), and named temp files renamed into place (other filesystems); 7 files
    open at a time (several chunks in a small test)."""
    return LocalObjectStore(root, unnamed=way == "unnamed", open_files=7, sync=sync)


@pytest.fixture(params=["unnamed", "named"])
def way(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["local-unnamed", "local-named", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param.startswith("local-"):
        return _local(tmp_path / "objects", request.param.removeprefix("local-"))
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


def test_list_folders_names_the_folders_under_one_not_their_files(store: ObjectStore) -> None:
    keys = [
        "snapshots/2025Q3/20251001T000000Z-aaa/indicators.csv",
        "snapshots/2025Q3/20251001T000000Z-aaa/report.html",
        "snapshots/2025Q3/20251002T000000Z-bbb/deeper/x.json",
        "snapshots/2025Q3/latest.json",
        "snapshots/2025Q3/.hidden/x.json",
        "snapshots/2025Q30/20251003T000000Z-ccc/indicators.csv",
    ]
    store.put_many([(k, b"x", None) for k in keys])
    versions = ["20251001T000000Z-aaa", "20251002T000000Z-bbb"]
    assert sorted(store.list_folders("snapshots/2025Q3/")) == versions
    assert sorted(store.list_folders("snapshots/2025Q3")) == versions
    assert sorted(store.list_folders("snapshots/")) == ["2025Q3", "2025Q30"]
    assert list(store.list_folders("snapshots/2026Q1/")) == []


def _open_files() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


class _Watched:
    """A store whose reads note the thread each ran in (the reads themselves are the
    store's)."""

    def __init__(self, inner: ObjectStore) -> None:
        self.inner, self.uri = inner, inner.uri
        self.threads: set[str] = set()

    def get(self, key: str) -> bytes:
        self.threads.add(threading.current_thread().name)
        return self.inner.get(key)


def test_get_all_reads_a_local_folder_in_this_thread_and_s3_in_threads(
    store: ObjectStore,
) -> None:
    objects = [(f"raw/7{i:02d}/2025Q1/f{i}.json", f"{i}".encode(), None) for i in range(12)]
    store.put_many(objects)
    watched = _Watched(store)
    assert get_all(watched, [k for k, _, _ in objects]) == [d for _, d, _ in objects]
    if store.uri.startswith("file:"):
        assert watched.threads == {threading.current_thread().name}
    else:
        assert watched.threads and all(t.startswith("chiso-io") for t in watched.threads)


def test_local_put_many_leaves_no_temp_files_even_when_it_fails(tmp_path: Path, way: str) -> None:
    store = _local(tmp_path / "objects", way)
    before = _open_files()
    store.put_many([("raw/a/1", b"1", None), ("raw/a/2", b"2", None)])
    (tmp_path / "objects" / "raw" / "b").write_text("a file where a folder is needed")
    with pytest.raises(OSError):
        store.put_many([("raw/a/3", b"3", None), ("raw/b/x/4", b"4", None)])
    store.put_many([("raw/a/1", b"one", None)])  # a replacement takes a temp name
    left = sorted(p.name for p in (tmp_path / "objects").rglob("*") if p.is_file())
    assert left == ["1", "2", "b"]  # nothing half-written, no temp file
    assert (tmp_path / "objects" / "raw" / "a" / "1").read_bytes() == b"one"
    assert _open_files() == before  # every file and folder it opened is closed


def test_local_objects_are_private_and_durable_before_they_have_a_name(
    tmp_path: Path, way: str
) -> None:
    seen: list[list[str]] = []

    def sync(fds: Sequence[int], root: Path) -> None:  # what is visible when the sync comes
        seen.append(sorted(p.name for p in root.rglob("*") if p.is_file()))
        sync_files(fds, root)

    store = _local(tmp_path / "objects", way, sync)
    objects = [(f"raw/{i % 3}/{i}.json", b"{}", None) for i in range(10)]
    assert store.put_many(objects) == [True] * 10
    assert len(seen) == 2  # 10 objects, 7 at a time
    # at each sync, only the objects of the chunks before have their names: the unnamed
    # way shows nothing else, the named way its temp files
    finals = [[n for n in names if not n.startswith(".tmp-")] for names in seen]
    assert finals == [[], sorted(f"{i}.json" for i in range(7))]
    temps = [len(names) - len(f) for names, f in zip(seen, finals, strict=True)]
    assert temps == ([0, 0] if way == "unnamed" else [7, 3])
    modes = {p.stat().st_mode & 0o777 for p in (tmp_path / "objects").rglob("*.json")}
    assert modes == {0o600}


def test_local_put_many_holds_a_bounded_number_of_files_open(tmp_path: Path, way: str) -> None:
    # a national run writes 3,321 feedback folders at once; a process may open 1,024 files
    before, during = _open_files(), []

    def counting(fds: Sequence[int], root: Path) -> None:
        during.append(_open_files() - before)
        sync_files(fds, root)

    store = _local(tmp_path / "objects", way, counting)
    objects = [(f"feedback/{i}/2025Q4/s.json", b"{}", None) for i in range(30)]
    assert store.put_many(objects) == [True] * 30
    assert len(during) == 5 and max(during) <= 2 * 7  # 7 files and their 7 folders
    assert _open_files() == before
