"""The folder source: layout, hidden and lock files, links that leave the root."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tasks.intake.folder import FolderSource
from tasks.intake.sources import FoundFile
from tests.support.scan_as import read_as, read_listed


def test_layout_hidden_lock_files_and_links(tmp_path: Path) -> None:
    root, outside = tmp_path / "inbox", tmp_path / "secret"
    (root / "703" / "2025Q1").mkdir(parents=True)
    outside.mkdir()
    (outside / "passwd.json").write_text("{}")
    good = root / "703" / "2025Q1" / "bc.json"
    good.write_text("{}")
    os.utime(good, (1_743_000_000, 1_743_000_000))
    (root / "703" / "2025Q1" / "~$bc.xlsx").write_bytes(b"lock")
    (root / "703" / "2025Q1" / ".~lock.bc.xlsx#").write_bytes(b"lock")
    (root / "703" / "2025Q1" / ".DS_Store").write_bytes(b"x")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.json").write_text("{}")
    (root / "703" / "2025Q1" / "leak.json").symlink_to(outside / "passwd.json")
    (root / "703" / "linked").symlink_to(outside, target_is_directory=True)
    (root / "703" / "2025Q1" / "alias.json").symlink_to(good)  # inside the root: fine
    (root / "loose.xlsx").write_bytes(b"x")
    found = {f.rel_path: f for f in FolderSource(root).scan() if isinstance(f, FoundFile)}
    assert sorted(found) == ["703/2025Q1/alias.json", "703/2025Q1/bc.json", "loose.xlsx"]
    bc = found["703/2025Q1/bc.json"]
    assert (bc.path_unit, bc.path_period, bc.filename) == ("703", "2025Q1", "bc.json")
    assert bc.received_at.timestamp() == 1_743_000_000 and bc.received_at.tzinfo is not None
    assert (found["loose.xlsx"].path_unit, found["loose.xlsx"].path_period) == (None, None)
    with bc.opener() as f:
        assert f.read() == b"{}"


def test_what_the_source_logs_of_a_crafted_name_is_printable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A name that is not UTF-8 (a lone surrogate once decoded) is logged made visible:
    Prefect's API log handler, a UTF-8 file or the test runner's pipe refuse a lone
    surrogate (the suite's worker was once lost to one in its captured log)."""
    root, outside = tmp_path / "inbox", tmp_path / "secret"
    (root / "703" / "2025Q1").mkdir(parents=True)
    outside.mkdir()
    (outside / "x.json").write_text("{}")
    os.symlink(
        outside / "x.json", os.path.join(os.fsencode(root / "703" / "2025Q1"), b"\xff\x9d.json")
    )
    with caplog.at_level(logging.INFO, logger="tasks.intake"):
        found = list(FolderSource(root).scan())
    assert not [f for f in found if isinstance(f, FoundFile)]
    messages = [r.getMessage() for r in caplog.records]
    assert any("\\udcff\\udc9d.json" in m for m in messages), messages
    for m in messages:
        m.encode("utf-8")


def test_entries_that_cannot_be_read_are_skipped_not_fatal(tmp_path: Path) -> None:
    root, here = tmp_path / "inbox", tmp_path / "inbox" / "703" / "2025Q1"
    here.mkdir(parents=True)
    (here / "ok.json").write_text("{}")
    os.symlink("b.json", here / "a.json")  # a loop: a -> b -> a
    os.symlink("a.json", here / "b.json")
    outside = tmp_path / "outside.json"
    outside.write_text('{"secret": 1}')
    os.link(outside, here / "hard.json")  # a hard link to a file outside the inbox
    for name in ("gone.json", "replaced.json", "swapped.json"):
        (here / name).write_text("{}")
    found = list(FolderSource(root).scan())
    (here / "gone.json").unlink()  # deleted between listing and reading
    (here / "replaced.json").unlink()  # replaced by a new file (a unit re-uploading)
    (here / "replaced.json").write_text('{"new": 1}')
    (here / "swapped.json").unlink()  # swapped for a link to a file outside
    os.symlink(outside, here / "swapped.json")
    data, reasons = read_listed(found)
    assert data == {"703/2025Q1/ok.json": b"{}"}
    assert reasons == {
        "703/2025Q1/a.json": "Too many levels of symbolic links",
        "703/2025Q1/b.json": "Too many levels of symbolic links",
        "703/2025Q1/hard.json": "refused: 2 hard links to this file; copy it instead of linking",
        "703/2025Q1/gone.json": "No such file or directory",
        "703/2025Q1/replaced.json": "refused: the file changed since it was listed; "
        "it is read next run",
        "703/2025Q1/swapped.json": "Too many levels of symbolic links",
    }
    _, again = read_listed(list(FolderSource(root).scan()))  # next run: read, loops still skipped
    assert set(again) == {"703/2025Q1/a.json", "703/2025Q1/b.json", "703/2025Q1/hard.json"}


def test_a_file_the_service_account_cannot_read_is_skipped(tmp_path: Path) -> None:
    # sessions and CI run as root, which reads a mode-000 file: scan as nobody instead
    root = Path(tempfile.mkdtemp(prefix="chiso-perm-"))
    try:
        here = root / "703" / "2025Q1"
        here.mkdir(parents=True)
        (here / "ok.json").write_text("{}")
        (here / "private.json").write_text("{}")
        (here / "private.json").chmod(0)
        for p in (root, root / "703", here, here / "ok.json"):
            p.chmod(0o755)
        data, reasons = read_as(65534, root)
        assert data == {"703/2025Q1/ok.json": "{}"}
        assert reasons == {"703/2025Q1/private.json": "Permission denied"}
    finally:
        shutil.rmtree(root)
