"""The five-year backfill benchmark (issue 6): every quarter 2021Q1..2025Q4 at once.

    uv run python bench/backfill.py [--units N|all] [--years 5]

Generates one synthetic quarter per period (bench/national_inbox.py; the same units every
quarter), then runs ``chiso backfill --from 2021Q1 --to 2025Q4`` in a fresh process on a
fresh home (cold: imports, an ephemeral Prefect API, the migrations included) and reports
wall time, submissions per second and the process's peak memory, sampled every 50 ms so
that growth across the run shows. The 2025 unit list starts on 2025-07-01; the benchmark
uses a copy whose units are valid from 2021 (bench/results/units_vn_backfill.csv).

The full national size is ``--units all`` (3,321 units, 66,420 submissions; its inbox
takes about 20 minutes to generate); a smaller ``--units``
measures the same path in less time, and the JSON says which size was run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import BIN, RESULTS, ROOT, env, inbox_for


def catalog() -> Path:
    """The national unit list with every unit valid from 2021-01-01."""
    out = RESULTS / "units_vn_backfill.csv"
    with (ROOT / "catalog" / "units_vn_2025.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["valid_from"] = "2021-01-01"
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


def inboxes(units: int | None, quarters: list[str]) -> list[Path]:
    """One inbox folder per quarter, generated once; the backfill reads them all as its
    sources (CHISO_SOURCES, comma-separated). One merged folder of hard links, as this
    bench made before issue 13, is refused file by file (a file with two links is refused:
    copy it instead of linking)."""
    os.environ["CHISO_UNITS_CSV"] = str(catalog())  # the generator's unit list too
    return [inbox_for(units, q) for q in quarters]


def sources(folders: list[Path]) -> tuple[str, int]:
    """CHISO_SOURCES for the folders, and how many files they hold."""
    n = sum(1 for f in folders for p in f.rglob("*") if p.is_file() and not p.name.startswith("."))
    return ",".join(str(f) for f in folders), n


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", default="300", help="units per quarter, or all")
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    first = 2026 - args.years
    quarters = [f"{y}Q{q}" for y in range(first, 2026) for q in range(1, 5)]
    units = None if args.units == "all" else int(args.units)
    inbox, n = sources(inboxes(units, quarters))
    samples: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as home:
        environ = env(CHISO_UNITS_CSV=str(catalog()), CHISO_SOURCES=inbox, CHISO_HOME=home)
        cmd = [str(BIN / "chiso"), "backfill", "--from", quarters[0], "--to", quarters[-1]]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def sample() -> None:
            while proc.poll() is None:
                samples.append((time.perf_counter() - t0, rss_mb(proc.pid)))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, err = proc.communicate()
        wall = time.perf_counter() - t0
        sampler.join()
        if proc.returncode != 0:
            sys.exit(f"backfill failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    peaks = [
        max((m for t, m in samples if i * wall / 4 <= t < (i + 1) * wall / 4), default=0)
        for i in range(4)
    ]
    result = {
        "submissions": n,
        "quarters": len(quarters),
        "units": args.units,
        "wall_s": wall,
        "subs_per_s": n / wall,
        "peak_rss_mb": max(m for _, m in samples) if samples else None,
        "peak_rss_mb_by_quarter_of_run": peaks,
        "target": "66,420 submissions within 300 s",
        "projected_national_s": 66420 / (n / wall),
        "peak_at_s": max(samples, key=lambda x: x[1])[0] if samples else None,
        "rss_every_5s_mb": [round(m) for t, m in samples[:: max(1, int(5 / 0.05))]],
        "output_tail": out.decode()[-600:],
    }
    print(f"backfill: {n} submissions, {len(quarters)} quarters, {args.units} units each")
    print(f"wall {wall:.1f} s, {n / wall:.0f} subs/s, peak {result['peak_rss_mb']:.0f} MB")
    print("peak MB by quarter of the run:", " ".join(f"{p:.0f}" for p in peaks))
    print(f"peak at {result['peak_at_s']:.0f} s; every 5 s:", result["rss_every_5s_mb"])
    print(f"at this rate 66,420 submissions take {result['projected_national_s']:.0f} s")
    (RESULTS / f"backfill-{args.units}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
