"""The production stack of scripts/stack-up.sh as tests and benchmarks drive it."""

from __future__ import annotations

from pathlib import Path


def stack_env(stack_dir: Path) -> dict[str, str]:
    """The variables stack-up wrote to ``<stack_dir>/env`` (one ``export NAME='value'``
    per line; lines exporting several at once are the telemetry switches, set anyway)."""
    out = {}
    for line in (stack_dir / "env").read_text().splitlines():
        body = line.removeprefix("export ")
        if line.startswith("export ") and " " not in body:
            name, value = body.split("=", 1)
            out[name] = value.strip("'")
    return out
