"""The tests' free ports: out of the range outgoing connections take theirs from, and
never the same for two xdist workers (CI lost ``weed mini`` to a taken port)."""

from __future__ import annotations

import socket

import pytest

from tests.support import ports


def test_each_worker_draws_below_the_ephemeral_range_from_a_slice_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "3")
    slices = []
    for n in range(3):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{n}")
        slices.append(set(ports._slice()))
    assert all(len(s) > 3000 for s in slices)
    assert not (slices[0] & slices[1] or slices[1] & slices[2] or slices[0] & slices[2])
    assert max(max(s) for s in slices) < ports._ephemeral_low()


def test_a_port_is_handed_out_once_and_only_while_nothing_listens_on_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = [ports.free_port() for _ in range(200)]
    assert len(set(drawn)) == 200
    with socket.socket() as held:
        held.bind(("127.0.0.1", drawn[0]))
        held.listen(1)
        ports._given.discard(drawn[0])
        monkeypatch.setattr(ports, "_slice", lambda: range(drawn[0], drawn[0] + 1))
        with pytest.raises(RuntimeError, match="no free port"):
            ports.free_port()
