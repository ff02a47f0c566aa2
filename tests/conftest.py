"""Test-wide settings: offline, quiet; fixtures live in tests/support."""

import os

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
