"""Test-wide settings: offline, quiet; fixtures live in tests/support."""

import os

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
for _name in [n for n in os.environ if n.startswith("CHISO_")]:
    del os.environ[_name]

pytest_plugins = [
    "tests.support.databases",
    "tests.support.prefect",
    "tests.support.s3",
    "tests.support.http",
    "tests.support.portal",
]

# The stack tier's two modules (several minutes each, a whole production stack each) run
# first and one after the other on one xdist worker, while the other takes the rest: with
# ``--dist loadscope`` and its default reordering (modules with the most tests first) they
# came last, side by side, the two stacks sharing the 2 cores and the other worker idle at
# the end. Ordered as below, with ``--no-loadscope-reorder`` (Makefile), xdist hands the
# first module to one worker and the second to the other, then a module more to each
# worker with at most two tests pending: the stack test, queued behind the fault test.
FIRST = (
    "tests/integration/test_stack_faults.py",
    "tests/bench/test_bench_scripts.py",
    "tests/integration/test_stack.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        return FIRST.index(module) if module in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the rest in collection order
