"""Startup benchmark for ``chiso run`` (issue 4 targets), printed as a table and JSON.

    uv run python bench/startup.py [--repeat 3]

Measures, in fresh processes on this machine: ``chiso --help``; the main job on the sample
inbox from a cold start (fresh home, Prefect's ephemeral API, nothing imported); and a
rerun with nothing new. Targets: 1 s, 30 s, 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import results_dir  # noqa: E402

CHISO = str(Path(sys.executable).parent / "chiso")
TARGETS = {"help": 1.0, "cold_main_job": 30.0, "rerun_nothing_new": 10.0}


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_API"))}
    env |= {
        "GX_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        subprocess.run(
            [sys.executable, str(ROOT / "examples" / "sample_inbox.py"), str(inbox)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        runs: dict[str, list[float]] = {k: [] for k in TARGETS}
        for n in range(repeat):
            runs["help"].append(timed([CHISO, "--help"], env))
            home = Path(tmp) / f"home{n}"
            cmd = [CHISO, "run", "--inbox", str(inbox), "--home", str(home)]
            runs["cold_main_job"].append(timed(cmd, env))
            runs["rerun_nothing_new"].append(timed(cmd, env))
    result = {
        k: {
            "median_s": round(statistics.median(v), 2),
            "runs_s": [round(x, 2) for x in v],
            "target_s": TARGETS[k],
            "ratio_to_target": round(statistics.median(v) / TARGETS[k], 2),
        }
        for k, v in runs.items()
    }
    print(f"{'measure':<20}{'median s':>10}{'target s':>10}{'ratio':>8}   runs")
    for k, r in result.items():
        print(
            f"{k:<20}{r['median_s']:>10}{r['target_s']:>10}{r['ratio_to_target']:>8}   "
            f"{r['runs_s']}"
        )
    out = results_dir()
    out.mkdir(exist_ok=True)
    (out / "startup.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
