"""The Jinja2 environment of chiso's pages (feedback.html, report.html)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup


def _escaped(value: Any) -> Any:
    """Every value as :func:`html.escape` writes it (quotes as ``&quot;`` and ``&#x27;``,
    as the pages were written before they had templates); markup made by chiso as is."""
    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


def pages(folder: Path) -> jinja2.Environment:
    """Templates of ``folder``, every value escaped (a unit's text never becomes markup)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        finalize=_escaped,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not a blank
    )
    env.filters["local"] = local_moment
    return env


def local_moment(value: Any) -> str:
    """An instant as the province reads it (``07/12/2026 16:04``); a value that is not an
    instant, as it is."""
    from models.periods import local_text

    try:
        return local_text(value)
    except (TypeError, ValueError):
        return str(value)
