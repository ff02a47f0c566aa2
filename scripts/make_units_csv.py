"""Generate catalog/units.csv (Tây Ninh) and catalog/units_vn_2025.csv (whole country) once.

Usage (the CSVs are committed; this only documents and repeats how they were made):

    pip download --no-deps -d /tmp/vp vietnam-provinces==0.6.0 vietnam-provinces==2025.10.1
    cd /tmp/vp && for w in *.whl; do mkdir -p "${w%.whl}" && unzip -qo "$w" -d "${w%.whl}"; done
    python scripts/make_units_csv.py \
        /tmp/vp/vietnam_provinces-0.6.0-py3-none-any/vietnam_provinces/data \
        /tmp/vp/vietnam_provinces-2025.10.1-py3-none-any/vietnam_provinces/data
"""

import csv
import json
import sys
from pathlib import Path

OLD_FROM, OLD_TO, NEW_FROM = "2020-01-01", "2025-06-30", "2025-07-01"
SRC_OLD = "GSO list via PyPI vietnam-provinces 0.6.0"
SRC_NEW = "Resolution 1682/NQ-UBTVQH15; GSO list via PyPI vietnam-provinces 2025.10.1"
HEADER = ["code", "name", "level", "parent_code", "valid_from", "valid_to", "source"]


def tay_ninh_rows(old_dir: Path, new_dir: Path) -> list[list[str]]:
    """The old province and its 9 districts, then the new province and its 96 communes."""
    old = json.loads((old_dir / "flat-divisions.json").read_text("utf-8"))
    districts = sorted(
        {(r["district_code"], r["district_name"]) for r in old if r["province_code"] == 72}
    )
    rows = [["72", "Tỉnh Tây Ninh (trước 01/07/2025)", "province", "", OLD_FROM, OLD_TO, SRC_OLD]]
    rows += [[str(c), n, "district", "72", OLD_FROM, OLD_TO, SRC_OLD] for c, n in districts]
    nested = json.loads((new_dir / "nested-divisions.json").read_text("utf-8"))
    (tn,) = [p for p in nested if p["codename"] == "tay_ninh"]
    rows.append([str(tn["code"]), "Tỉnh Tây Ninh", "province", "", NEW_FROM, "", SRC_NEW])
    wards = sorted(tn["wards"], key=lambda w: w["code"])
    rows += [
        [f"{w['code']:05d}", w["name"], "commune", str(tn["code"]), NEW_FROM, "", SRC_NEW]
        for w in wards
    ]
    return rows


def national_rows(new_dir: Path) -> list[list[str]]:
    """All 34 provinces and their 3,321 commune-level units (for the national benchmark)."""
    nested = json.loads((new_dir / "nested-divisions.json").read_text("utf-8"))
    src = "GSO list via PyPI vietnam-provinces 2025.10.1"
    rows: list[list[str]] = []
    for p in sorted(nested, key=lambda p: p["code"]):
        rows.append([f"{p['code']:02d}", p["name"], "province", "", NEW_FROM, "", src])
        rows += [
            [f"{w['code']:05d}", w["name"], "commune", f"{p['code']:02d}", NEW_FROM, "", src]
            for w in sorted(p["wards"], key=lambda w: w["code"])
        ]
    return rows


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)


if __name__ == "__main__":
    old_dir, new_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out = Path(__file__).resolve().parent.parent / "catalog"
    write(out / "units.csv", tay_ninh_rows(old_dir, new_dir))
    write(out / "units_vn_2025.csv", national_rows(new_dir))
