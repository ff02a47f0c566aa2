"""``chiso run``'s cheap check: anything new, pending or unpublished means a run."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from catalog import UNITS_CSV
from models.catalog import install_catalog, load_indicators, load_units
from models.db import make_engine
from models.submission import Submission
from tasks.idle import nothing_to_do
from tasks.intake.folder import FolderSource
from tests.support.inbox import valid_doc, write

UNITS = load_units(UNITS_CSV)


def test_a_run_is_needed_until_everything_is_known_and_decided(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'chiso.db'}")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = [FolderSource(inbox)]
    assert not nothing_to_do(engine, UNITS, source, 1 << 20)  # no schema yet: a run makes it
    install_catalog(engine, UNITS, load_indicators(), [])
    assert nothing_to_do(engine, UNITS, source, 1 << 20)  # an empty inbox, nothing pending
    now = datetime.now(UTC)
    path = write(inbox, "25459/2025Q3/r.json", valid_doc(), now)
    assert not nothing_to_do(engine, UNITS, source, 1 << 20)  # a new file
    path.unlink()
    with Session(engine) as session:  # a submission received, not yet decided
        session.add(
            Submission(
                id="s1",
                source_uri="file:///elsewhere/25459/2025Q3/r.json",
                content_sha256="0" * 64,
                filename="r.json",
                format="json",
                size_bytes=2,
                object_key="raw/s1",
                received_at=now,
                collected_at=now,
            )
        )
        session.commit()
    assert not nothing_to_do(engine, UNITS, source, 1 << 20)
    engine.dispose()


def test_an_entry_that_cannot_be_read_is_worth_a_run(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'chiso.db'}")
    install_catalog(engine, UNITS, load_indicators(), [])
    inbox = tmp_path / "inbox"
    (inbox / "25459" / "2025Q3").mkdir(parents=True)
    os.symlink("loop", inbox / "25459" / "2025Q3" / "loop")  # its summary says why
    assert not nothing_to_do(engine, UNITS, [FolderSource(inbox)], 1 << 20)
    engine.dispose()
