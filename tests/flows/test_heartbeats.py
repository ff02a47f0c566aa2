"""chiso's flow runs send Prefect's heartbeats from a thread that ends with the run
(``flows.heartbeats``): Prefect 3.9's own sleeps in one-second steps and is joined, which
made every sync flow run end up to a second late (the figure: docs/performance.md)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from flows import heartbeats


def _alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == heartbeats.THREAD_NAME]


def _heartbeats(api: str, run_id: str) -> list[dict[str, Any]]:
    body = {
        "filter": {
            "event": {"name": ["prefect.flow-run.heartbeat"]},
            "resource": {"id": [f"prefect.flow-run.{run_id}"]},
            "occurred": {"since": "2000-01-01T00:00:00Z"},
        },
        "limit": 10,
    }
    return list(httpx.post(f"{api}/events/filter", json=body, timeout=10).json()["events"])


@contextmanager
def every_30_s() -> Iterator[None]:
    """Heartbeats every 30 s (the stack's workers' setting; Prefect allows no less)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30}):
        yield


def test_chiso_flows_beat_while_running_and_stop_when_the_run_ends(prefect_api: str) -> None:
    import prefect.flow_engine
    from prefect.runtime import flow_run

    import flows.pipeline  # noqa: F401  (a flow module: the fix is in place)

    assert prefect.flow_engine._send_heartbeats is heartbeats.send_heartbeats

    @heartbeats.flow(name="heartbeat-check")
    def check() -> tuple[str, int]:
        return str(flow_run.get_id()), len(_alive())

    with every_30_s():
        run_id, beating = check()
    assert beating == 1  # the run's heartbeat thread, while it ran
    # ended with the run, not at its next beat 30 s on (nor left behind after a 2 s join)
    assert _alive() == []
    deadline = time.monotonic() + 60
    while not (found := _heartbeats(prefect_api, run_id)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(found) == 1  # the beat at the run's start; the next was 30 s away
    assert found[0]["related"][0]["prefect.resource.role"] == "flow"


def test_an_engine_of_another_shape_keeps_its_own_heartbeats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import prefect.flow_engine

    @contextmanager
    def theirs(engine: Any, join_on_exit: bool = True, every: int = 0) -> Iterator[None]:
        yield

    monkeypatch.setattr(prefect.flow_engine, "_send_heartbeats", theirs)
    assert heartbeats.install() is False
    assert prefect.flow_engine._send_heartbeats is theirs
    monkeypatch.undo()
    assert heartbeats.install() is True
