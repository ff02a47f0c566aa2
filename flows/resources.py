"""The composition root's resources: settings, engine, catalog, object store, sources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlmodel import Session

from flows.settings import Settings
from models.catalog import (
    Indicator,
    UnitCatalog,
    load_indicators,
    load_targets,
    load_units,
    sync_catalog,
)
from models.db import make_engine, upgrade
from tasks.parse import Limits


@dataclass
class Resources:
    """Everything a flow or CLI command needs, built once from settings."""

    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.db_url)

    @cached_property
    def units(self) -> UnitCatalog:
        return load_units(self.settings.units_csv)

    @cached_property
    def indicators(self) -> list[Indicator]:
        return load_indicators()

    @cached_property
    def targets(self) -> list[dict[str, object]]:
        return load_targets(self.settings.targets_csv)

    @property
    def limits(self) -> Limits:
        return Limits(self.settings.max_file_bytes, self.settings.max_unpacked_bytes)

    def prepare_database(self) -> None:
        """Migrate the schema to head and load the catalog into its tables."""
        upgrade(self.engine)
        with Session(self.engine) as session:
            sync_catalog(session, self.units, self.indicators, self.targets)
            session.commit()
