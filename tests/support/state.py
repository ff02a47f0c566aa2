"""Read back what a run left behind, in a form two runs can be compared by."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from models.db import make_engine
from models.submission import Decision, EnterpriseRecord, ReportedFigure, Submission
from tasks.objects.store import LocalObjectStore


def db_url(home: Path) -> str:
    """The database the flows of this test use: CHISO_DATABASE_URL, else the home's file."""
    return os.environ.get("CHISO_DATABASE_URL") or f"sqlite:///{home / 'chiso.db'}"


def db_kind(home: Path) -> str:
    return "sqlite" if db_url(home).startswith("sqlite") else "postgresql"


def feedback(home: Path, sub: Submission) -> dict[str, Any]:
    store = LocalObjectStore(home / "objects")
    keys = [k for k in store.list_keys("feedback/") if k.endswith(f"{sub.id}.json")]
    assert len(keys) == 1, keys
    return dict(json.loads(store.get(keys[0])))


def submissions(home: Path) -> dict[str, Submission]:
    """Submissions by their path under the inbox (``unit/period/file``)."""
    engine = make_engine(db_url(home))
    with Session(engine) as s:
        subs = s.exec(select(Submission)).all()
    engine.dispose()
    return {"/".join(x.source_uri.split("/")[-3:]): x for x in subs}


def problems(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["code"], p["severity"], p["sheet"], p["row"], p["field"], p["value"])
        for p in doc["problems"]
    ]


def dump(home: Path) -> dict[str, Any]:
    """Everything that must be identical after an interrupted and an uninterrupted run."""
    engine = make_engine(db_url(home))
    with Session(engine) as s:
        subs = s.exec(select(Submission)).all()
        by_id = {x.id: "/".join(x.source_uri.split("/")[-3:]) for x in subs}
        out = {
            "submissions": sorted(
                (
                    by_id[x.id],
                    x.content_sha256,
                    x.status,
                    x.unit_code,
                    x.period,
                    by_id.get(x.supersedes or ""),
                    x.error_count,
                    x.warning_count,
                    json.dumps([{k: v for k, v in p.items()} for p in x.problems], sort_keys=True),
                )
                for x in subs
            ),
            "decisions": sorted(
                (by_id[d.submission_id], d.status) for d in s.exec(select(Decision)).all()
            ),
            "figures": sorted(
                (by_id[f.submission_id], f.code, f.value)
                for f in s.exec(select(ReportedFigure)).all()
            ),
            "enterprises": sorted(
                (by_id[e.submission_id], e.tax_code, e.status, e.type)
                for e in s.exec(select(EnterpriseRecord)).all()
            ),
        }
    engine.dispose()
    store = LocalObjectStore(home / "objects")
    # snapshot versions are named by time and data hash: compare by the data hash only;
    # docs/ holds the Data Docs of the last run's validations, a report rather than state
    out["objects"] = sorted(
        re.sub(r"/\d{8}T\d{6}Z-", "/", k)
        for k in store.list_keys()
        if not k.startswith(("feedback/", "docs/"))
    )
    out["feedback"] = sorted(k for k in store.list_keys("feedback/"))
    return out
