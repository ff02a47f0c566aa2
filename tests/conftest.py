"""Test-wide settings: offline, quiet; fixtures live in tests/support."""

import os
from typing import Any

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


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """A lone surrogate in a test's captured output (a crafted file name logged as it was
    decoded) fails that test with a clear message: sent as it is, it cannot be encoded,
    and xdist loses the worker and hangs (a fresh-clone CI of 2026-12-07)."""
    report: pytest.TestReport = yield
    bad = [name for name, text in report.sections if not _encodable(text)]
    if bad:
        report.sections = [
            (name, text.encode("utf-8", "backslashreplace").decode("utf-8"))
            for name, text in report.sections
        ]
        report.outcome = "failed"
        report.longrepr = (
            f"a lone surrogate in {', '.join(bad)}: something logged or printed a name "
            "without making it visible (models.text.visible)"
        )
    return report


STACK_TIER = "tests/integration/"


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """loadscope, with the stack tier one scope (its tests share one stack, one after the
    other) sent first: started last, as loadscope's order (most tests first) put it, the
    tier's seven minutes ran after the rest of the suite, or its two stacks side by side."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class StackFirst(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(STACK_TIER):
                return STACK_TIER
            return str(super()._split_scope(nodeid))

        def _assign_work_unit(self, node: Any) -> None:
            # the queue is loadscope's own (most tests first); only the tier moves ahead.
            # (Reordering the collections instead sends a worker indexes into a list it
            # does not hold: it runs other tests than the scope's.)
            if STACK_TIER in self.workqueue:
                self.workqueue.move_to_end(STACK_TIER, last=False)
            super()._assign_work_unit(node)

    return StackFirst(config, log)
