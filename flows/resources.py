"""The composition root's resources: settings, engine, catalog, object store, sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from expectations.rules import Rules
from flows.settings import Settings, load_settings
from models.catalog import (
    Indicator,
    Unit,
    UnitCatalog,
    install_catalog,
    load_indicators,
    load_targets,
    load_units,
)
from models.db import make_engine
from models.periods import Period
from models.territories import Territories, load_territory_catalog
from tasks.decide.rules import load_rules
from tasks.events.sender import EventSender
from tasks.intake.limits import Limits
from tasks.intake.readers import Readers
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
        """The object store; a remote one keeps a copy of each new archived file in the
        home (``<home>/nearby``), which a decision on this host reads instead of fetching
        it back (:mod:`tasks.objects.nearby`)."""
        from tasks.objects.nearby import NearbyCopies
        from tasks.objects.store import LocalObjectStore

        store = open_store(self.settings.object_store_uri, self.settings.s3_endpoint_url)
        if isinstance(store, LocalObjectStore):
            return store
        return NearbyCopies(store, self.settings.home.resolve() / "nearby")

    @cached_property
    def units(self) -> UnitCatalog:
        return load_units(self.settings.units_csv)

    @cached_property
    def indicators(self) -> list[Indicator]:
        return load_indicators()

    @cached_property
    def targets(self) -> list[dict[str, object]]:
        return load_targets(self.settings.targets_csv)

    def link(self, key: str) -> str:
        """Where a person opens a published object: under ``CHISO_PUBLIC_URL`` when set
        (the stack's read-only server), else the object store's own address."""
        if self.settings.public_url:
            return f"{self.settings.public_url.rstrip('/')}/{key}"
        return self.store.url(key)

    @cached_property
    def territories(self) -> Territories:
        s = self.settings
        return load_territory_catalog(s.territories_csv, s.crosswalk_csv, s.geo_csv)

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

    def groups(self, p: Period) -> list[tuple[str, str, str, list[Unit]]]:
        """The quarter's provinces and territories with their member units (what
        ``chiso status``, the portal's home and the officers' digest count by)."""
        out: list[tuple[str, str, str, list[Unit]]] = [
            ("province", prov.code, prov.name, units) for prov, units in self.units.provinces(p)
        ]
        out += [
            ("territory", t.code, t.name_vi, units)
            for t, units in self.territories.groups(p, self.units)
        ]
        return out

    def prepare_database(self) -> None:
        """Migrate the schema to head and load the catalog into its tables."""
        install_catalog(self.engine, self.units, self.indicators, self.targets)

    def rules(self, now: datetime | None = None) -> Rules:
        """The validation rules, from the catalog tables of the database."""
        return load_rules(self.engine, self.indicators, now)

    @cached_property
    def readers(self) -> Readers:
        return PROCESS.readers(self.limits)

    @cached_property
    def events(self) -> EventSender:
        return PROCESS.events


SHARED = (
    "engine",
    "store",
    "units",
    "indicators",
    "targets",
    "territories",
)  # the same for every source
SOURCE_SETTINGS = {"sources", "http_headers"}


class Registry:
    """The adapters this process keeps across flow runs (a worker runs many): one
    :class:`Resources` per distinct configuration, one reader pool per set of limits, one
    event sender (its thread posts to this process's Prefect API, in order)."""

    def __init__(self) -> None:
        self.events = EventSender()
        self._resources: dict[str, Resources] = {}
        self._readers: dict[Limits, Readers] = {}

    def readers(self, limits: Limits) -> Readers:
        if limits not in self._readers:
            self._readers[limits] = Readers(limits)
        return self._readers[limits]

    def forget(self) -> None:
        """Drop every configuration's resources (their engines disposed): a long-lived
        process that ran many homes (a property test) keeps none of them."""
        for res in self._resources.values():
            if "engine" in res.__dict__:
                res.engine.dispose()
        self._resources.clear()

    def resources(self, settings: Settings) -> Resources:
        """The resources of ``settings``, built and the database prepared once. Settings
        that differ only in their sources (``chiso run --inbox`` collects from a folder,
        then processes with the configured settings) share the engine, store and catalog,
        and the database is prepared once (loading a national catalog takes a few tenths
        of a second)."""
        key = settings.model_dump_json()
        if key not in self._resources:
            res = Resources(settings)
            same = settings.model_dump_json(exclude=SOURCE_SETTINGS)
            twin = next(
                (
                    r
                    for r in self._resources.values()
                    if r.settings.model_dump_json(exclude=SOURCE_SETTINGS) == same
                ),
                None,
            )
            if twin is None:
                res.prepare_database()
            else:
                for name in SHARED:
                    setattr(res, name, getattr(twin, name))
            self._resources[key] = res
        return self._resources[key]


PROCESS = Registry()


def resources(home: str | Path | None = None, inbox: str | None = None) -> Resources:
    """The composition root: this process's resources for the settings read from the
    environment now (with ``home`` and an ``--inbox`` folder applied), the database
    migrated and the catalog loaded once. The flows, the CLI, the portal and the task
    worker all start here."""
    return PROCESS.resources(load_settings(home, inbox))


def unprepared(home: str | Path | None = None) -> Resources:
    """Resources of the settings that leave the database alone (the public server,
    ``chiso template``): nothing is migrated or loaded until a part is used."""
    return Resources(load_settings(home))
