"""The readers' worker processes: each bounded in memory and in CPU time per file.

A file read in a worker can cost at most that worker: a native abort of the XLSX reader,
an allocation past the address-space limit or a runaway loop past the CPU limit ends the
worker, not the run. The caller learns which files were in flight and reads each of them
alone, so the one that brings a worker down is known
(see :meth:`tasks.intake.readers.Readers.many`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
ORPHAN_CHECK_S = 2.0


def _leave_with(owner: int) -> None:
    """In a pool worker: exit once the process that owns the pool is gone. A worker waits on
    its task queue, whose writing end it holds itself, and keeps the forkserver alive; so
    an owner killed with SIGKILL, which cannot stop its pool, used to leave three idle
    processes behind for good (one set per killed ``chiso run``)."""

    def watch() -> None:
        while True:
            time.sleep(ORPHAN_CHECK_S)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # alive, another user's: not ours to judge
                pass

    threading.Thread(target=watch, name="chiso-pool-owner", daemon=True).start()


def _start_worker(owner: int, memory_bytes: int) -> None:
    gc.freeze()  # the readers' modules, loaded once by the forkserver: never garbage
    _leave_with(owner)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def bounded_call(cpu_seconds: int, fn: Callable[..., T], *args: Any) -> T:
    """In a worker: ``fn(*args)`` with at most ``cpu_seconds`` more of CPU (the kernel ends
    the worker with SIGXCPU past it, even inside native code)."""
    if cpu_seconds:
        use = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(use.ru_utime + use.ru_stime) + cpu_seconds + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    return fn(*args)


class ReaderPool:
    """Worker processes for the readers, each bounded in memory, started on first use
    (forkserver: no copy of the parent's threads and locks; the server process imports the
    readers once) and started anew after a worker's death breaks them."""

    def __init__(self, workers: int, memory_bytes: int) -> None:
        self.workers = workers
        self.memory_bytes = memory_bytes
        self._executor: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._executor is not None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["tasks.intake.parse"])
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_start_worker,
                initargs=(os.getpid(), self.memory_bytes),
            )
        return self._executor

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Submit to the pool, starting a new one if the last broke."""
        try:
            return self._pool().submit(fn, *args)
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down after a break
            self.reset()
            return self._pool().submit(fn, *args)

    def over_cpu(self) -> bool:
        """Whether a worker of the current pool was ended by its CPU limit (SIGXCPU), not
        by a crash: asked after a submission failed, before :meth:`reset`."""
        procs = getattr(self._executor, "_processes", None) or {}
        return any(p.exitcode == -signal.SIGXCPU for p in list(procs.values()))

    def reset(self) -> None:
        """Drop the pool (broken: a worker died); the next submission starts a new one."""
        broken, self._executor = self._executor, None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers once their work is done."""
        done, self._executor = self._executor, None
        if done is not None:
            done.shutdown(wait=True, cancel_futures=True)
