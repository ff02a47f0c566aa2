"""Prefect's ``flow``, with a flow run's heartbeats stopped the moment the run ends.

Prefect 3.9's flow engine sends a run's heartbeats (``prefect.flow-run.heartbeat``, every
``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds, 180 by default) from a thread that sleeps
in steps of one second, and a sync flow run joins that thread when it ends: every sync
flow run ends up to a second late. Measured against a running ``prefect server``: an
empty sync flow run takes 1.07 s, an async one (whose engine does not join) 0.10 s.
chiso runs flows one after another in one process (``chiso run``, the portal's decider
after each upload, the tests), so that second was paid by every run.

:func:`install` gives the engine the same heartbeats (the same events, interval and
resources, built by the engine's own methods) from a thread that waits on the stop
signal instead of sleeping, so it ends with the run. chiso's flow modules take ``flow``
from here, which installs it once; with a Prefect whose engine no longer has the shape
this relies on, Prefect's own is left in place (``pyproject.toml`` pins Prefect 3.9, and
``tests/flows/test_heartbeats.py`` fails if it is not replaced).
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow

__all__ = ["flow", "install"]

log = logging.getLogger(__name__)
THREAD_NAME = "chiso-flow-heartbeats"
_ENGINE_METHODS = ("_build_heartbeat_event_template", "_emit_flow_run_heartbeat")


@contextmanager
def send_heartbeats(engine: Any, join_on_exit: bool = True) -> Iterator[None]:
    """Prefect's ``prefect.flow_engine._send_heartbeats``, the thread ending on exit."""
    from prefect.flow_engine import MINIMUM_HEARTBEAT_INTERVAL

    seconds = engine.heartbeat_seconds
    if seconds is None:
        yield
        return
    seconds = max(seconds, MINIMUM_HEARTBEAT_INTERVAL)
    resource, related = engine._build_heartbeat_event_template()
    stop = threading.Event()

    def beat() -> None:
        while True:
            run = engine.flow_run
            if run and run.state and run.state.is_final():
                return
            try:
                engine._emit_flow_run_heartbeat(resource, related)
            except Exception:
                engine.logger.debug("Failed to emit heartbeat", exc_info=True)
            if stop.wait(seconds):
                return

    # the run's context (its settings, so its API URL) in the thread, as Prefect does
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(beat,), daemon=True, name=THREAD_NAME
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        if join_on_exit:
            thread.join(timeout=2)


def install() -> bool:
    """Put :func:`send_heartbeats` in Prefect's flow engine; ``False`` (Prefect's own left
    in place) when the engine is not the shape it was written for."""
    import prefect.flow_engine as engine

    current = getattr(engine, "_send_heartbeats", None)
    if current is send_heartbeats:
        return True
    fits = (
        current is not None
        and list(inspect.signature(current).parameters) == ["engine", "join_on_exit"]
        and hasattr(engine, "MINIMUM_HEARTBEAT_INTERVAL")
        and all(hasattr(engine.FlowRunEngine, m) for m in _ENGINE_METHODS)
    )
    if not fits:
        log.warning("Prefect's flow engine changed: its own heartbeats are left in place")
        return False
    engine._send_heartbeats = send_heartbeats
    return True


install()
