"""What the portal's routes are given (built by the composition root, ``chiso portal``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from models.catalog import UnitCatalog
from tasks.decide.check import Checker
from tasks.intake.sources import Source
from tasks.objects.store import ObjectStore


@dataclass
class Portal:
    """The portal's resources and settings; ``decide`` asks for pending submissions to be
    decided now (the stack's process-submissions, or this process's own worker);
    ``checker`` builds the checker on first use (the rules load the catalog's suites)."""

    engine: Engine
    store: ObjectStore
    units: UnitCatalog
    source: Source
    url: str
    max_file_bytes: int
    open_days: int
    timely_days: int
    figures: list[Any]
    decide: Callable[[list[Any]], None]  # the registered files; decided now
    send_back: Callable[[str, str], None]  # an officer returns a submission, with a reason
    make_checker: Callable[[], Checker]
    groups: Callable[
        [Any], list[tuple[str, str, str, list[Any]]]
    ]  # a quarter's provinces, territories

    @cached_property
    def checker(self) -> Checker:
        return self.make_checker()

    @property
    def secure(self) -> bool:
        """Cookies are ``Secure`` when the public address is https."""
        return self.url.startswith("https://")
