"""A fresh process-submissions process (as a worker starts one per deployment run) decides
a small batch on its merits: the GX import it starts while the batch is read is finished
before the validation imports GX itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.support.inbox import at, valid_doc, write

SCRIPT = (
    "import json, sys; from flows.process import process_submissions; "
    "r = process_submissions(home=sys.argv[1]); "
    "print(json.dumps([r['accepted'], r['internal_errors']]))"
)


def test_one_file_in_a_fresh_process_is_accepted_not_failed_by_an_import_race(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from flows.collect import collect_submissions

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    write(inbox, "25459/2025Q3/report.json", valid_doc("25459"), at(date(2025, 10, 3)))
    collect_submissions(inbox=str(inbox), home=str(home))
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    accepted, internal = json.loads(done.stdout.splitlines()[-1])
    # before the fix: rejected with internal_error, "ImportError: cannot import name ...
    # (most likely due to a circular import)": the validation imported GX while the
    # warm-up thread was importing it, and Python handed it a half-made module
    assert (accepted, internal) == (1, []), done.stderr[-3000:]
