"""One warm measurement (run by bench/national.py in a fresh process): start a Prefect API,
warm every import on a tiny inbox, then time the pipeline on the national inbox.

    python bench/warm_run.py INBOX HOME WARMUP_INBOX [PROFILE.txt]   (settings from env)
Prints one JSON line: wall seconds, peak RSS, seconds inside chiso's steps (the work; the
rest of the wall time is orchestration: Prefect's engine, API calls, events, artifacts),
and the CPU seconds of this process and of its parser pool.
With a fourth argument, the timed run is sampled by pyinstrument and its call tree written
there (figures then inflate).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Peak(threading.Thread):
    """Samples the resident set size every 20 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.running = rss_mb(), True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.02)


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pool_cpu() -> float:
    """CPU seconds of this process's reader pools (the registry's, one per set of limits)."""
    from flows.resources import PROCESS

    total = 0.0
    for readers in list(PROCESS._readers.values()):
        executor = readers.pool._executor
        for pid in list(getattr(executor, "_processes", None) or {}):
            with contextlib.suppress(OSError):  # a worker that ended meanwhile
                total += proc_cpu_s(pid)
    return total


def measure(inbox: str, home: str, warm_inbox: str) -> dict[str, object]:
    from flows.pipeline import run_pipeline
    from tasks.boundary import WORK

    run_pipeline(inbox=warm_inbox, home=home + "-warmup")
    WORK.clear()
    import gc

    gcstat = {"n": [0, 0, 0], "s": [0.0, 0.0, 0.0], "t": 0.0}

    def cb(phase: str, info: dict[str, int]) -> None:
        g = info["generation"]
        if phase == "start":
            gcstat["t"] = time.perf_counter()
        else:
            gcstat["n"][g] += 1
            gcstat["s"][g] += time.perf_counter() - gcstat["t"]

    gc.callbacks.append(cb)
    peak = Peak()
    peak.start()
    profiler = None
    if len(sys.argv) > 4:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = run_pipeline(inbox=inbox, home=home)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if profiler is not None:
        profiler.stop()
        Path(sys.argv[4]).write_text(profiler.output_text(unicode=True, show_all=False))
        profiler.last_session.save(sys.argv[4] + ".pyisession")  # pyinstrument --load
    peak.running = False
    return {
        "wall_s": wall,
        "peak_rss_mb": peak.peak,
        "work_s": sum(WORK.values()),
        # CPU seconds of this process (every thread) and of its parser pool, whose
        # workers start during the timed run (the warm-up inbox is too small for a pool)
        "cpu_s": cpu,
        "pool_cpu_s": pool_cpu(),
        "work_by_step_s": {k: round(v, 2) for k, v in sorted(WORK.items())},
        "decided": result["processed"]["decided"],
        "accepted": result["processed"]["accepted"],
        "published": len(result["published"]),
        "gc": gcstat["n"],
        "gc_s": [round(x, 2) for x in gcstat["s"]],
    }


def main() -> None:
    """Against ``PREFECT_API_URL`` when set (a running ``prefect server``), else against
    Prefect's test harness (a temporary server on SQLite)."""
    inbox, home, warm_inbox = sys.argv[1:4]
    if os.environ.get("PREFECT_API_URL"):
        print(json.dumps(measure(inbox, home, warm_inbox)))
        return
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        print(json.dumps(measure(inbox, home, warm_inbox)))


if __name__ == "__main__":
    main()
