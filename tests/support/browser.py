"""Headless Chromium (Debian's), as a person's browser would open a page: scripts run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(page: Path | str, profile: Path, *args: str) -> str:
    """Open ``page`` (a file, or a URL as a person's link would) and return what Chromium
    printed (``--dump-dom``: the DOM after the page's scripts ran)."""
    assert shutil.which("chromium"), "Debian's chromium is needed (make test installs it)"
    out = subprocess.run(
        [
            "chromium",
            *FLAGS,
            f"--user-data-dir={profile}",
            *args,
            page if isinstance(page, str) else page.as_uri(),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout


def title_after_scripts(page: Path, profile: Path) -> str:
    """The page's ``document.title`` once its scripts (and any injected ones) have run."""
    dom = chromium(page, profile, "--dump-dom", "--virtual-time-budget=3000")
    start = dom.find("<title>")
    return dom[start + 7 : dom.find("</title>", start)] if start != -1 else ""
