"""The local object store's group write: a national quarter's feedback files, both ways.

    uv run python bench/objectstore.py [--files 3321] [--rounds 5]

Writes ``--files`` objects of 3 KB (``feedback/<unit>/<period>/<id>.json``, a new folder
each, as a national quarter's feedback on a fresh store) with ``LocalObjectStore.put_many``,
alternating its two ways: unnamed files linked into place (Linux ``O_TMPFILE``) and named
temp files renamed into place. Prints the median wall and CPU seconds of each way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import results_dir
from tasks.objects import durable
from tasks.objects.store import LocalObjectStore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=3321)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data = b"x" * 3000
    objects = [(f"feedback/{25000 + i}/2025Q4/s{i}.json", data, None) for i in range(args.files)]
    ways = ["unnamed", "named"] if durable.HAS_UNNAMED else ["named"]
    times: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    with tempfile.TemporaryDirectory(dir=results_dir()) as root:
        for r in range(args.rounds):
            for way in times:
                store = LocalObjectStore(Path(root) / f"{way}-{r}", unnamed=way == "unnamed")
                t, c = time.perf_counter(), time.process_time()
                store.put_many(objects)
                times[way].append((time.perf_counter() - t, time.process_time() - c))
    print(f"{args.files} objects of 3 KB, each in a new folder; median of {args.rounds} rounds")
    print(f"{'way':<10}{'wall s':>8}{'cpu s':>8}")
    for way, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{way:<10}{wall:>8.3f}{cpu:>8.3f}")


if __name__ == "__main__":
    main()
