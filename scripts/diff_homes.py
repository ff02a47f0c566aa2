"""Compare what two chiso homes published, apart from versions and times.

    uv run python scripts/diff_homes.py HOME_A HOME_B

For every period both homes published, the latest snapshot's files are compared: CSVs and
JSON byte for byte, Parquet by table, ``datapackage.json`` without its versions, times,
hashes and flow run, ``report.html`` with version strings and times blanked. Prints each
difference and exits 1 when there is one (a restructuring should leave none).
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

EXACT = ("indicators.csv", "indicators.json", "completeness.csv", "enterprises.csv")
_VERSION = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
_LOCAL_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def latest(home: Path) -> dict[str, Path]:
    """Each period's latest snapshot folder."""
    out = {}
    for pointer in sorted((home / "objects" / "snapshots").glob("*/latest.json")):
        version = json.loads(pointer.read_text())["version"]
        out[pointer.parent.name] = pointer.parent / version
    return out


def _package(data: bytes) -> Any:
    doc = json.loads(data)
    doc.pop("lineage", None)
    doc.get("chiso", {}).pop("flow_run_id", None)  # each run's own
    for key in ("name", "created", "version", "id"):
        doc.pop(key, None)
    for res in doc.get("resources", []):
        for key in ("hash", "bytes"):
            res.pop(key, None)
    return json.loads(_TIME.sub("<time>", _VERSION.sub("<version>", json.dumps(doc))))


def _page(data: bytes) -> str:
    text = _VERSION.sub("<version>", data.decode("utf-8"))
    return _LOCAL_TIME.sub("<time>", _TIME.sub("<time>", text))


def differences(a: Path, b: Path) -> list[str]:
    out = []
    snaps_a, snaps_b = latest(a), latest(b)
    if sorted(snaps_a) != sorted(snaps_b):
        out.append(f"periods differ: {sorted(snaps_a)} vs {sorted(snaps_b)}")
    for period in sorted(set(snaps_a) & set(snaps_b)):
        da, db = snaps_a[period], snaps_b[period]
        names = sorted({p.name for p in da.iterdir()} | {p.name for p in db.iterdir()})
        for name in names:
            fa, fb = da / name, db / name
            if not (fa.exists() and fb.exists()):
                out.append(f"{period}/{name}: only in {'A' if fa.exists() else 'B'}")
                continue
            xa, xb = fa.read_bytes(), fb.read_bytes()
            if name in EXACT:
                same = xa == xb
            elif name.endswith(".parquet"):
                same = pq.read_table(io.BytesIO(xa)).equals(pq.read_table(io.BytesIO(xb)))
            elif name == "datapackage.json":
                same = _package(xa) == _package(xb)
            elif name.endswith(".html"):
                same = _page(xa) == _page(xb)
            else:
                same = xa == xb
            if not same:
                out.append(f"{period}/{name}: differs")
    return out


def main() -> int:
    a, b = (Path(x) for x in sys.argv[1:3])
    found = differences(a, b)
    for line in found:
        print(line)
    print(f"{len(latest(a))} periods compared: " + ("no difference" if not found else "DIFFERENT"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
