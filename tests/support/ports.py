"""Free TCP ports on 127.0.0.1 for the servers the tests start (and the benchmarks).

Asking the kernel for port 0 hands out a port from the ephemeral range
(``/proc/sys/net/ipv4/ip_local_port_range``, 32768–60999 here), the range every outgoing
connection also takes its local port from. Between closing the probe socket and the server
binding it, a PostgreSQL or HTTP client of the other xdist worker could take that port:
CI lost ``weed mini`` (one of its fifteen ports taken) and two tests with it. So ports come
from below the ephemeral range, each xdist worker from a slice of its own, never twice from
one process, and only after a bind shows the port is free now.
"""

from __future__ import annotations

import os
import random
import socket
import threading

LOW, HIGH = 20000, 32000  # below the ephemeral range (32768 on Linux by default)
_given: set[int] = set()
_lock = threading.Lock()


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _slice() -> range:
    """This process's slice: the xdist worker's (gwN) share of the range below the
    ephemeral ports; a process outside xdist draws from the whole range."""
    high = min(HIGH, _ephemeral_low())
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if worker.startswith("gw") and worker[2:].isdigit() and count > 1:
        n = int(worker[2:]) % count
        width = (high - LOW) // count
        return range(LOW + n * width, LOW + (n + 1) * width)
    return range(LOW, high)


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing listens on now, not handed out before by this process."""
    ports = _slice()
    with _lock:
        for _ in range(1000):
            port = random.choice(ports)
            if port not in _given and _bindable(port):
                _given.add(port)
                return port
    raise RuntimeError(f"no free port in {ports.start}–{ports.stop - 1}")
