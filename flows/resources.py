"""The composition root's resources: settings, engine, catalog, object store, sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session

from flows.settings import Settings, load_settings
from models.catalog import (
    Indicator,
    UnitCatalog,
    load_indicators,
    load_targets,
    load_units,
    reported_figures,
    sync_catalog,
)
from models.db import make_engine, upgrade
from models.periods import Period, latest_ended
from tasks.intake.parse import Limits
from tasks.intake.sources import Source, open_source
from tasks.objects import open_store
from tasks.objects.store import ObjectStore


@dataclass
class Resources:
    """Everything a flow or CLI command needs, built once from settings."""

    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.db_url)

    @cached_property
    def store(self) -> ObjectStore:
        return open_store(self.settings.object_store_uri, self.settings.s3_endpoint_url)

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
        s = self.settings
        return Limits(
            s.max_file_bytes,
            s.max_unpacked_bytes,
            s.max_figures,
            s.max_roster_rows,
            s.max_text_chars,
            s.max_figure,
            reader_memory_mb=s.reader_memory_mb,
            reader_cpu_seconds=s.reader_cpu_seconds,
        )

    def sources(self, periods: list[str] | None = None) -> list[Source]:
        """The configured sources; an HTTP source polls ``periods`` when given."""
        out = [open_source(s, self.settings) for s in self.settings.source_list]
        if periods:
            from tasks.intake.http import HttpSource

            for src in out:
                if isinstance(src, HttpSource):
                    src.periods = [Period.parse(p) for p in periods]
        return out

    def prepare_database(self) -> None:
        """Migrate the schema to head and load the catalog into its tables."""
        upgrade(self.engine)
        with Session(self.engine) as session:
            sync_catalog(session, self.units, self.indicators, self.targets)
            session.commit()

    def rules(self, now: datetime | None = None) -> object:
        """The validation rules, from the catalog tables of the database."""
        from expectations.rules import Rules
        from models.reference import ReportingUnit

        t = ReportingUnit.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            q = sa_select(t.c.code_key, t.c.level, t.c.valid_from, t.c.valid_to)
            units = [(k, level, start, end) for k, level, start, end in conn.execute(q)]
        return Rules.build(units, reported_figures(self.indicators), latest_ended(now))


_CACHE: dict[str, Resources] = {}
SHARED = ("engine", "store", "units", "indicators", "targets")  # the same for every source
SOURCE_SETTINGS = {"sources", "http_headers"}


def resources(home: str | None = None, inbox: str | None = None) -> Resources:
    """This process's resources for these settings (built and migrated once per process).

    Settings are read from the environment on every call, so the cache is keyed by their
    values: one engine and one object store per distinct configuration. Settings that
    differ only in their sources (``chiso run --inbox`` collects from a folder, then
    processes with the configured settings) share the engine, store and catalog, and the
    database is prepared once (loading a national catalog takes a few tenths of a second).
    """
    settings = load_settings(home, inbox)
    key = settings.model_dump_json()
    if key not in _CACHE:
        res = Resources(settings)
        same = settings.model_dump_json(exclude=SOURCE_SETTINGS)
        twin = next(
            (
                r
                for r in _CACHE.values()
                if r.settings.model_dump_json(exclude=SOURCE_SETTINGS) == same
            ),
            None,
        )
        if twin is None:
            res.prepare_database()
        else:
            for name in SHARED:
                setattr(res, name, getattr(twin, name))
        _CACHE[key] = res
    return _CACHE[key]
