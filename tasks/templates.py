"""The Jinja2 environment of chiso's pages (feedback.html, report.html)."""

from __future__ import annotations

from pathlib import Path

import jinja2


def pages(folder: Path) -> jinja2.Environment:
    """Templates of ``folder``, every value escaped (a unit's text never becomes markup)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not a blank
    )
