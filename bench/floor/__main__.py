"""``uv run python bench/floor INBOX [--home DIR] [--units CSV]``: one timed run, one JSON
line (submissions, decisions, periods, wall seconds)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from floor.catalog import ROOT
from floor.pipeline import run

parser = argparse.ArgumentParser(description="The contract floor: one run, timed.")
parser.add_argument("inbox", type=Path)
parser.add_argument("--home", type=Path, help="where to write (a temporary folder by default)")
parser.add_argument("--units", type=Path, default=ROOT / "catalog" / "units_vn_2025.csv")
args = parser.parse_args()
with tempfile.TemporaryDirectory() as tmp:
    t = time.perf_counter()
    out = run(args.inbox, args.home or Path(tmp), args.units)
    print(json.dumps({**out, "wall_s": round(time.perf_counter() - t, 2)}))
