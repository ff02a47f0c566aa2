"""The folder source: layout, hidden and lock files, links that leave the root."""

from __future__ import annotations

import os
from pathlib import Path

from tasks.sources import FolderSource


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
    found = {f.rel_path: f for f in FolderSource(root).scan()}
    assert sorted(found) == ["703/2025Q1/alias.json", "703/2025Q1/bc.json", "loose.xlsx"]
    bc = found["703/2025Q1/bc.json"]
    assert (bc.path_unit, bc.path_period, bc.filename) == ("703", "2025Q1", "bc.json")
    assert bc.received_at.timestamp() == 1_743_000_000 and bc.received_at.tzinfo is not None
    assert (found["loose.xlsx"].path_unit, found["loose.xlsx"].path_period) == (None, None)
    with bc.opener() as f:
        assert f.read() == b"{}"
