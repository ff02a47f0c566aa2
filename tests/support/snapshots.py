"""Read published snapshots back from a local object store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tasks.objects.store import LocalObjectStore


def store(home: Path) -> LocalObjectStore:
    return LocalObjectStore(home / "objects")


def latest(home: Path, period: str) -> dict[str, Any]:
    return dict(json.loads(store(home).get(f"snapshots/{period}/latest.json")))


def read_csv(home: Path, period: str, name: str) -> list[dict[str, str]]:
    version = latest(home, period)["version"]
    data = store(home).get(f"snapshots/{period}/{version}/{name}")
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def versions(home: Path) -> dict[str, set[str]]:
    """Every version directory written, per period."""
    out: dict[str, set[str]] = {}
    for key in store(home).list_keys("snapshots/"):
        parts = key.split("/")
        if len(parts) == 4:
            out.setdefault(parts[1], set()).add(parts[2])
    return out


def province(rows: list[dict[str, str]], indicator: str) -> dict[str, str]:
    (row,) = [r for r in rows if r["level"] == "province" and r["indicator"] == indicator]
    return row
