"""Write a publication as an immutable snapshot version, then move the pointers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from models.db import insert_rows, upsert
from models.publication import IndicatorValue, PublishMark, Snapshot
from tasks.objects.store import ObjectStore
from tasks.publish import tables
from tasks.publish.build import Publication

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".parquet": "application/vnd.apache.parquet",
    ".html": "text/html; charset=utf-8",
}
DESCRIPTIONS = {
    "indicators": "Published indicators per unit and for the province",
    "completeness": "Completeness and timeliness per expected unit",
    "enterprises": "Digital-technology enterprises of the current submissions",
    "territories": "The member units each territory's rows were computed from",
    "crosswalk": "Old to new commune-level units (2025 merger) the territories are built on",
}


@dataclass(frozen=True)
class Published:
    """The outcome of one publish call."""

    period: str
    version: str
    status: str
    new_version: bool


def _ctype(name: str) -> str:
    return CONTENT_TYPES["." + name.rsplit(".", 1)[-1]]


def _resource(name: str, data: bytes) -> dict[str, Any]:
    stem, ext = name.rsplit(".", 1)
    res: dict[str, Any] = {
        "name": f"{stem}-{ext}" if ext != "csv" else stem,
        "path": name,
        "format": ext,
        "mediatype": _ctype(name).split(";")[0],
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
    }
    if ext == "csv":
        res |= {
            "profile": "tabular-data-resource",
            "encoding": "utf-8",
            "title": DESCRIPTIONS[stem],
            "schema": tables.table_schema(stem),
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        }
    return res


def datapackage(
    pub: Publication, version: str, files: dict[str, bytes], lineage: dict[str, Any]
) -> bytes:
    """A Frictionless Tabular Data Package describing every file of the version."""
    doc = {
        "profile": "data-package",
        "name": f"chiso-{pub.period.lower()}",
        "title": f"chiso snapshot {pub.period} ({version})",
        "version": version,
        "created": lineage["published_at"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [_resource(n, d) for n, d in files.items()],
        "chiso": {
            **lineage,
            "period": pub.period,
            "status": pub.status,
            "data_hash": pub.data_hash,
            "submissions": pub.lineage,
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _pointer(store: ObjectStore, key: str) -> dict[str, Any] | None:
    return json.loads(store.get(key)) if store.exists(key) else None


def _existing_version(store: ObjectStore, period: str, data_hash: str) -> str | None:
    """A version with this data left by a run that died before moving the pointer (whole
    or partly written): it is completed and reused, so a rerun makes no second version."""
    suffix = f"-{data_hash[:12]}"
    # the version folders only: listing every file of every version grew with each
    # publication (a portal publishes the quarter after each send)
    found = [v for v in store.list_folders(f"snapshots/{period}/") if v.endswith(suffix)]
    return max(found) if found else None


def write_version(
    store: ObjectStore, pub: Publication, version: str, report: bytes, lineage: dict[str, Any]
) -> None:
    """Every file of the version; ``datapackage.json`` last, as the version's seal."""
    files = dict(pub.files)
    files["indicators.json"] = tables.to_json("indicators", pub.indicators, pub.columns)
    files["indicators.parquet"] = tables.to_parquet("indicators", pub.indicators, pub.columns)
    files["territories.csv"] = tables.to_csv("territories", pub.territories)
    files["crosswalk.csv"] = tables.to_csv("crosswalk", pub.crosswalk)
    files["report.html"] = report
    base = f"snapshots/{pub.period}/{version}/"
    for name, data in files.items():
        store.put(base + name, data, _ctype(name))
    store.put(
        base + "datapackage.json", datapackage(pub, version, files, lineage), "application/json"
    )


def record(
    engine: Engine, pub: Publication, version: str, now: datetime, flow_run_id: str | None
) -> None:
    """The snapshot row and the period's indicator values (replacing the old ones)."""
    values = IndicatorValue.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        upsert(
            conn,
            Snapshot,
            [
                {
                    "period": pub.period,
                    "version": version,
                    "data_hash": pub.data_hash,
                    "published_at": now,
                    "status": pub.status,
                    "flow_run_id": flow_run_id,
                    "files": {n: len(d) for n, d in pub.files.items()},
                }
            ],
            ["period", "version"],
            update=["status"],
        )
        conn.execute(delete(values).where(values.c.period == pub.period))
        insert_rows(conn, values, pub.indicators)  # the table's columns of each row


def mark(engine: Engine, period: str, version: str, now: datetime) -> None:
    with Session(engine) as s:
        upsert(
            s, PublishMark, [{"period": period, "checked_at": now, "version": version}], ["period"]
        )
        s.commit()


def write_index(engine: Engine, store: ObjectStore, now: datetime) -> None:
    """``snapshots/index.json`` from the latest version of each period."""
    with Session(engine) as s:
        snaps = s.exec(
            select(Snapshot).order_by(col(Snapshot.period), col(Snapshot.published_at))
        ).all()
    latest = {x.period: x for x in snaps}
    periods = [
        {"period": p, "version": x.version, "status": x.status} for p, x in sorted(latest.items())
    ]
    old = _pointer(store, "snapshots/index.json")
    if old is None or old.get("periods") != periods:
        doc = {"generated_at": _utc(now), "periods": periods}
        store.put("snapshots/index.json", json.dumps(doc, indent=2).encode(), "application/json")


def publish(
    engine: Engine,
    store: ObjectStore,
    pub: Publication,
    report: Any,
    lineage: dict[str, Any],
    now: datetime | None = None,
) -> Published:
    """Publish ``pub`` unless its data equals the current version; move the pointers."""
    now = now or datetime.now(UTC)
    latest_key = f"snapshots/{pub.period}/latest.json"
    with store.lock("publish"):
        current = _pointer(store, latest_key) or {}
        new = not current.get("version", "").endswith(pub.data_hash[:12])
        if not new:
            version = current["version"]
        else:
            version = _existing_version(store, pub.period, pub.data_hash) or pub.version(now)
            if not store.exists(f"snapshots/{pub.period}/{version}/datapackage.json"):
                # rewritten whole: a partial version's files are replaced, never trusted
                stamp = _utc(now)
                write_version(
                    store, pub, version, report(version, stamp), {**lineage, "published_at": stamp}
                )
        if new or current.get("status") != pub.status:
            pointer = {
                "period": pub.period,
                "version": version,
                "published_at": _utc(now),
                "status": pub.status,
            }
            store.put(latest_key, json.dumps(pointer, indent=2).encode(), "application/json")
        record(engine, pub, version, now, lineage.get("flow_run_id"))
        write_index(engine, store, now)
        mark(engine, pub.period, version, now)
    return Published(pub.period, version, pub.status, new)
