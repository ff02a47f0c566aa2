"""Writing a snapshot: a version a dead run left half-written is completed and reused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog import UNITS_CSV
from models.catalog import install_catalog, load_indicators, load_units
from models.db import make_engine
from tasks.objects.store import LocalObjectStore
from tasks.publish import write
from tasks.publish.build import Publication


def test_a_half_written_version_of_the_same_data_is_completed_not_doubled(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'chiso.db'}")
    install_catalog(engine, load_units(UNITS_CSV), load_indicators(), [])
    store = LocalObjectStore(tmp_path / "store")
    pub = Publication("2025Q3", "provisional", indicators=[], completeness=[], enterprises=[])
    now = datetime(2025, 10, 3, 9, tzinfo=UTC)
    left = pub.version(now - timedelta(hours=1))  # the run that died after one file
    other = f"{now - timedelta(days=1):%Y%m%dT%H%M%SZ}-{'0' * 12}"  # other data, published
    store.put(f"snapshots/2025Q3/{left}/indicators.csv", b"half")
    store.put(f"snapshots/2025Q3/{other}/datapackage.json", b"{}")

    done = write.publish(engine, store, pub, lambda v, s: b"<html></html>", {}, now)

    assert done.version == left and done.new_version
    assert store.get(f"snapshots/2025Q3/{left}/indicators.csv") == pub.files["indicators.csv"]
    assert store.exists(f"snapshots/2025Q3/{left}/datapackage.json")
    assert sorted(store.list_folders("snapshots/2025Q3/")) == sorted([left, other])
    engine.dispose()
