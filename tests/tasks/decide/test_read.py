"""Reading a batch back from the archive: fetched a slice at a time, parsed in the pool,
in order; a missing object costs its submission only, a store that returns nothing fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.submission import Submission
from tasks.decide import read
from tasks.intake.parse import Limits, parse_file
from tasks.intake.readers import Readers
from tasks.objects.store import LocalObjectStore

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse"


def _archive(
    tmp_path: Path, n: int
) -> tuple[LocalObjectStore, list[Submission], list[tuple[str, bytes]]]:
    store = LocalObjectStore(tmp_path / "objects")
    files = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.is_file()][:n]
    subs = []
    for i, (name, data) in enumerate(files):
        key = f"raw/70{i}/2025Q1/{i}.{name.rsplit('.', 1)[-1]}"
        store.put(key, data)
        subs.append(
            Submission(
                id=f"s{i}",
                source_uri=f"file:///inbox/{i}",
                content_sha256=f"{i:064x}",
                filename=name,
                format=name.rsplit(".", 1)[-1],
                size_bytes=len(data),
                object_key=key,
            )
        )
    return store, subs, files


def test_a_batch_is_read_slice_by_slice_in_order(tmp_path: Path) -> None:
    store, subs, files = _archive(tmp_path, 9)
    readers = Readers(Limits(), workers=2)
    try:
        items = read.read_items(store, subs, readers, slice_size=2)
    finally:
        readers.close()
    assert [i.submission_id for i in items] == [s.id for s in subs]
    assert [i.parsed for i in items] == [parse_file(n, d, Limits()) for n, d in files]


def test_a_missing_archived_object_costs_its_submission_only(tmp_path: Path) -> None:
    store, subs, files = _archive(tmp_path, 5)
    (store.root / subs[2].object_key).unlink()
    readers = Readers(Limits(), workers=2)
    try:
        items = read.read_items(store, subs, readers, slice_size=2)
    finally:
        readers.close()
    gone = items[2].parsed
    assert [(p.code, p.value) for p in gone.problems] == [("internal_error", "archive")]
    assert gone.internal and subs[2].object_key in gone.internal
    assert [i.parsed for i in items[:2] + items[3:]] == [
        parse_file(n, d, Limits()) for n, d in files[:2] + files[3:]
    ]


def test_a_store_that_returns_nothing_fails_the_batch(tmp_path: Path) -> None:
    store, subs, _ = _archive(tmp_path, 5)
    for s in subs:
        (store.root / s.object_key).unlink()
    readers = Readers(Limits(), workers=2)
    try:
        with pytest.raises(RuntimeError, match="none of the archived files"):
            read.read_items(store, subs, readers, slice_size=2)
    finally:
        readers.close()


def test_a_batch_is_cut_where_its_parsed_files_pass_the_budget(tmp_path: Path) -> None:
    """Sized by memory as well as count: past the budget no further slice is fetched, the
    first files within it are returned (one at least), the rest stay pending."""
    from tasks.intake.bounds import parsed_size

    store, subs, files = _archive(tmp_path, 9)
    parsed = [parse_file(n, d, Limits()) for n, d in files]
    costs = [parsed_size(p) for p in parsed]
    assert [p.cost for p in parsed] == costs  # the reader's own measure, which the batch takes
    budget = sum(costs[:4])
    readers = Readers(Limits(), workers=2)
    try:
        items = read.read_items(store, subs, readers, slice_size=2, budget=budget)
        one = read.read_items(store, subs, readers, slice_size=2, budget=1)
    finally:
        readers.close()
    assert [i.submission_id for i in items] == [s.id for s in subs[:4]]
    assert [i.submission_id for i in one] == [subs[0].id]
