"""Two process-submissions runs started at the same moment decide each submission once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from examples.sample_inbox import write_sample_inbox
from tests.support.state import db_url

SCRIPT = (
    "import json, sys; from flows.process import process_submissions; "
    "r = process_submissions(home=sys.argv[1], batch_size=7); "
    "print(json.dumps(r['decided']))"
)


def test_two_concurrent_runs_decide_each_submission_exactly_once(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from flows.collect import collect_submissions

    inbox, home = write_sample_inbox(tmp_path / "inbox"), tmp_path / "home"
    collect_submissions(inbox=str(inbox), home=str(home))
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(home)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    decided = [json.loads(p.communicate(timeout=300)[0].splitlines()[-1]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    engine = create_engine(db_url(home))
    with engine.connect() as conn:
        per_sub = conn.execute(
            text("SELECT submission_id, count(*) FROM decision GROUP BY submission_id")
        ).all()
        left = conn.execute(
            text("SELECT count(*) FROM submission WHERE status = 'received'")
        ).scalar()
    engine.dispose()
    assert left == 0 and len(per_sub) == 88
    assert {n for _, n in per_sub} == {1}
    assert sum(decided) == 88  # each run reports only what it decided itself
