"""What the benchmark scripts share: where their figures go.

``CHISO_BENCH_RESULTS`` moves them (the test tier runs every script on a tiny input and
must not overwrite the figures of a real run); by default ``bench/results/``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def results_dir() -> Path:
    out = Path(os.environ.get("CHISO_BENCH_RESULTS") or ROOT / "bench" / "results")
    out.mkdir(parents=True, exist_ok=True)
    return out
