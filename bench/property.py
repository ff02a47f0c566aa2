"""The whole-run property's long profile (issue 25): ``tests/flows/test_whole_run_property.py``
with many examples for a time budget, the folder and HTTP sources each half of it (or only
one, ``--source``); prints how many inboxes were tried and what failed.

    uv run python bench/property.py --minutes 40 [--examples 100000] [--source folder|http]

Each example is a whole ``chiso run`` in one process against one Prefect test server, so a
minute tries a few; the tally counts the examples run within the budget (past it the
test stops, reported as skipped).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import results_dir  # noqa: E402

TEST = "tests/flows/test_whole_run_property.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=40.0)
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument(
        "--source",
        choices=("folder", "http"),
        action="append",
        help="only this source's half (repeatable; both by default, each half the time)",
    )
    args = parser.parse_args()
    sources = args.source or ["folder", "http"]
    results = []
    for name in sources:
        with tempfile.NamedTemporaryFile("w", delete=False, suffix=".tally") as tally:
            path = tally.name
        env = os.environ | {
            "WHOLE_RUN_EXAMPLES": str(args.examples),
            "WHOLE_RUN_MINUTES": str(args.minutes / len(sources)),
            "WHOLE_RUN_TALLY": path,
        }
        start = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-x",
                "--timeout=0",
                f"{TEST}",
                "-k",
                name,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        took = time.monotonic() - start
        drawn = len(Path(path).read_text().splitlines())
        os.unlink(path)
        tried = drawn
        results.append((name, done.returncode, tried, took))
        print(f"{name}: exit {done.returncode}, {tried} examples run in {took / 60:.1f} min")
        log = results_dir() / f"property-{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(done.stdout + done.stderr)
        if done.returncode:
            failing = [
                line for line in done.stdout.splitlines() if line.startswith(("E ", "Falsifying"))
            ]
            print("\n".join(failing[:40]) or done.stdout[-6000:])
            print(f"(the whole output: {log})")
    failed = [r for r in results if r[1]]
    print("property held" if not failed else f"property FAILED: {[r[0] for r in failed]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
