"""Generate catalog/crosswalk.csv and catalog/geo.csv once (contract section 5a).

Usage (the CSVs are committed; this only documents and repeats how they were made):

    pip download --no-deps -d /tmp/vau vietnamadminunits==1.0.4 vietnam-provinces==0.6.0
    cd /tmp/vau && for w in *.whl; do mkdir -p "${w%.whl}" && unzip -qo "$w" -d "${w%.whl}"; done
    python scripts/make_crosswalk.py \
        /tmp/vau/vietnamadminunits-1.0.4-py3-none-any/vietnamadminunits/data \
        /tmp/vau/vietnam_provinces-0.6.0-py3-none-any/vietnam_provinces/data

Sources. `vietnamadminunits` 1.0.4 ships the official 2025 old-ward to new-ward mapping
(`converter_2025.json`: the new wards each formed from whole old wards, and the old wards
divided between several new ones, with a default new ward and the new wards' areas and
centroids) and the centroids of old and new units (`dataset.db`). `vietnam-provinces` 0.6.0
gives the old (63-province) codes and names, against which every old ward is checked.

Weights. An old ward that went whole into one new ward has weight 1. A divided old ward's
shares are the areas of the new wards it went into, normalised to sum to 1: the source gives
the new wards' areas but not how much of the old ward each took, so the area of the
receiving new ward is the proxy (stated in the ``source`` column of those rows).

Plausibility. Every entry of the source's list of divided wards is checked: the new ward
must lie within ``MAX_KM`` of the old ward's centroid, and (when the new ward was also formed
from whole old wards) from the same old province as those. An entry that fails is set aside
(not written), printed, and listed in the README; the old ward's remaining entries are
re-weighted.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import sys
import unicodedata
from pathlib import Path

NEW_PROVINCE_KEY = "tinhtayninh"  # the new Tây Ninh (GSO 80)
MAX_KM = 40.0  # the farthest a plausible piece of an old ward lies from its old centroid
SOURCE = "PyPI vietnamadminunits 1.0.4 (converter_2025); codes checked with vietnam-provinces 0.6.0"
SOURCE_SPLIT = SOURCE + "; divided ward: weight = receiving new ward's area share"
CATALOG = Path(__file__).resolve().parent.parent / "catalog"


def key(text: str) -> str:
    """A name compared without diacritics, spaces or case."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def load(data: Path, vp: Path) -> tuple[dict, dict, dict, dict, list]:
    db = sqlite3.connect(data / "dataset.db")
    conv = json.loads((data / "converter_2025.json").read_text("utf-8"))
    old_provinces = conv["DICT_PROVINCE"][NEW_PROVINCE_KEY]
    legacy = {}
    marks = ",".join("?" * len(old_provinces))
    for row in db.execute(
        "SELECT provinceKey, districtKey, wardKey, ward, wardCode, districtCode, provinceCode,"
        " wardLat, wardLon, district, districtLat, districtLon, provinceLat, provinceLon"
        f" FROM admin_units_legacy WHERE provinceKey IN ({marks})",
        old_provinces,
    ):
        legacy["_".join(row[:3])] = row[3:]
    new = {}
    for row in db.execute(
        "SELECT wardKey, wardCode, ward, wardLat, wardLon, wardAreaKm2, provinceCode,"
        " provinceLat, provinceLon, province FROM admin_units WHERE provinceKey = ?",
        (NEW_PROVINCE_KEY,),
    ):
        new[row[0]] = row[1:]  # keys as given: two differ only by diacritics
    national = db.execute(
        "SELECT wardCode, wardLat, wardLon, wardAreaKm2, provinceCode, provinceLat, provinceLon"
        " FROM admin_units"
    ).fetchall()
    official = {
        f"{r['ward_code']:05d}": r
        for r in json.loads((vp / "flat-divisions.json").read_text("utf-8"))
        if r.get("ward_code")
    }
    return legacy, new, conv, official, national


def crosswalk(data: Path, vp: Path) -> tuple[list[list[str]], list[str]]:
    legacy, new, conv, official, _ = load(data, vp)
    whole = conv["DICT_PROVINCE_WARD_NO_DIVIDED"][NEW_PROVINCE_KEY]
    divided = conv["DICT_PROVINCE_WARD_DIVIDED"].get(NEW_PROVINCE_KEY, {})
    pieces: dict[str, list[tuple[str, float, str]]] = {}  # old key -> (new key, area, source)
    for n, olds in whole.items():
        for o in olds:
            if o not in divided:
                pieces.setdefault(o, []).append((n, 1.0, SOURCE))
    set_aside: list[str] = []
    trimmed: set[str] = set()  # old wards with a piece set aside
    for o, targets in divided.items():
        o_row = legacy[o]
        o_province = o.split("_")[0]
        for t in targets:
            n = t["newWardKey"]
            homes = {x.split("_")[0] for x in whole.get(n, []) if x not in divided}
            dist = km((o_row[4], o_row[5]), (new[n][2], new[n][3]))
            if dist > MAX_KM or (homes and o_province not in homes):
                set_aside.append(
                    f"{o_row[1]} {o_row[0]} ({o_row[3]}, {o_row[6]}) -> {new[n][0]} {new[n][1]}:"
                    f" {dist:.0f} km apart, new ward otherwise formed from {sorted(homes)}"
                )
                trimmed.add(o)
                continue
            pieces.setdefault(o, []).append((n, float(t["newWardAreaKm2"]), SOURCE_SPLIT))
    rows = []
    for o, parts in pieces.items():
        ward_code, district_code, province_code = legacy[o][1:4]
        check = official[f"{int(ward_code):05d}"]
        assert check["province_code"] == int(province_code), o
        assert check["district_code"] == int(district_code), o
        total = sum(area for _, area, _ in parts)
        for n, area, source in parts:
            if o in trimmed:
                source += "; an implausible piece set aside (README)"
            weight = 1.0 if len(parts) == 1 else area / total
            rows.append(
                [
                    f"{int(ward_code):05d}",
                    check["ward_name"],
                    f"{int(district_code):03d}",
                    str(int(province_code)),
                    new[n][0],
                    new[n][1],
                    f"{weight:.4f}".rstrip("0").rstrip("."),
                    source,
                ]
            )
    rows.sort(key=lambda r: (r[3] != "72", r[0], r[4]))
    return rows, set_aside


def geo(data: Path, vp: Path, codes: dict[str, tuple[str, str]]) -> list[list[str]]:
    """Centroids (and areas where the source gives them) of every unit of the catalogs."""
    legacy, _new, _conv, _official, national = load(data, vp)
    src_new = "PyPI vietnamadminunits 1.0.4 (admin_units: ward centroid and area)"
    src_old = "PyPI vietnamadminunits 1.0.4 (admin_units_legacy: centroid; no area given)"
    out: dict[str, list[str]] = {}
    areas: dict[str, float] = {}
    for code, lat, lon, area, p_code, p_lat, p_lon in national:
        given = "" if area is None else f"{area:.2f}"  # two Quảng Trị wards have none
        out[code] = [code, f"{lat:.4f}", f"{lon:.4f}", given, src_new]
        areas[p_code] = areas.get(p_code, 0.0) + (math.nan if area is None else area)
        out.setdefault(p_code, [p_code, f"{p_lat:.4f}", f"{p_lon:.4f}", "", src_new])
    for p_code, total in areas.items():
        out[p_code][3] = "" if math.isnan(total) else f"{total:.2f}"
        out[p_code][4] = "PyPI vietnamadminunits 1.0.4 (province centroid; area = sum of its wards)"
    for row in legacy.values():
        if row[3] == "72":
            out.setdefault(row[2], [row[2], f"{row[7]:.4f}", f"{row[8]:.4f}", "", src_old])
            out.setdefault("72", ["72", f"{row[9]:.4f}", f"{row[10]:.4f}", "", src_old])
    by_name = {(r[5], key(r[6])): r[0] for r in national_named(data)}
    for code, (name, parent) in codes.items():
        found = by_name.get((parent, key(name)))
        if code not in out and found in out:  # the two packages differ on 118 ward codes
            out[code] = [code, *out[found][1:4], out[found][4] + f", matched by name ({found})"]
    missing = set(codes) - set(out)
    assert not missing, f"no coordinates for {sorted(missing)}"
    return sorted((out[c] for c in codes), key=lambda r: (len(r[0]), r[0]))


def national_named(data: Path) -> list[tuple]:
    db = sqlite3.connect(data / "dataset.db")
    return db.execute(
        "SELECT wardCode, wardLat, wardLon, wardAreaKm2, provinceCode, provinceCode, ward"
        " FROM admin_units"
    ).fetchall()


def catalog_codes() -> dict[str, tuple[str, str]]:
    """Every code of the two unit catalogs, with its name and parent."""
    codes = {}
    for name in ("units.csv", "units_vn_2025.csv"):
        with (CATALOG / name).open(encoding="utf-8") as f:
            codes |= {r["code"]: (r["name"], r["parent_code"]) for r in csv.DictReader(f)}
    return codes


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main(data: Path, vp: Path) -> None:
    rows, set_aside = crosswalk(data, vp)
    write(
        CATALOG / "crosswalk.csv",
        "old_code,old_name,old_district_code,old_province_code,new_code,new_name,weight,source".split(
            ","
        ),
        rows,
    )
    write(
        CATALOG / "geo.csv",
        ["code", "lat", "lon", "area_km2", "source"],
        geo(data, vp, catalog_codes()),
    )
    print(f"crosswalk.csv: {len(rows)} rows; set aside {len(set_aside)}:")
    for line in set_aside:
        print("  " + line)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
