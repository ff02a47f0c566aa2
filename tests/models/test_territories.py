"""The crosswalk, territories and coordinates of the catalog (contract section 5a)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from catalog import CROSSWALK_CSV, GEO_CSV, NATIONAL_UNITS_CSV, TERRITORIES_CSV, UNITS_CSV
from models.catalog import CatalogError, load_units
from models.periods import Period
from models.territories import load_crosswalk, load_territories, load_territory_catalog

ROWS = load_crosswalk(CROSSWALK_CSV)
UNITS = load_units(UNITS_CSV)
TERR = load_territory_catalog(TERRITORIES_CSV, CROSSWALK_CSV, GEO_CSV)
# wards per old district of province 72 (the count from the 2025 source)
WARDS_72 = {"703": 10, "705": 10, "706": 12, "707": 11, "708": 15, "709": 8, "710": 9}
WARDS_72 |= {"711": 9, "712": 10}


def test_every_old_ward_of_province_72_appears() -> None:
    olds = {(r["old_district_code"], r["old_code"]) for r in ROWS if r["old_province_code"] == "72"}
    assert Counter(d for d, _ in olds) == WARDS_72
    assert len(olds) == 94
    assert len({r["old_code"] for r in ROWS if r["old_province_code"] == "80"}) == 186


def test_the_weights_of_each_old_unit_sum_to_one() -> None:
    totals: dict[str, float] = defaultdict(float)
    for r in ROWS:
        totals[r["old_province_code"] + "/" + r["old_code"]] += float(r["weight"])
    assert all(abs(t - 1) < 1e-3 for t in totals.values())
    divided = {
        k
        for k, n in Counter(f"{r['old_province_code']}/{r['old_code']}" for r in ROWS).items()
        if n > 1
    }
    assert len(divided) == 22  # 24 in the source; Phường 4 of each city lost its far piece
    assert all(
        0 < float(r["weight"]) < 1
        for r in ROWS
        if f"{r['old_province_code']}/{r['old_code']}" in divided
    )


def test_every_new_unit_has_exactly_one_territory() -> None:
    communes = UNITS.expected(Period(2025, 3))
    assert len(communes) == 96
    assert {code for code in (r["new_code"] for r in ROWS)} == {u.code for u in communes}
    found = Counter(getattr(TERR.territory_of(u, UNITS), "code", None) for u in communes)
    assert found == {"TN_FORMER": 36, "LA_FORMER": 60}


def test_the_name_collision_of_the_two_phuong_4_is_set_aside() -> None:
    # The source sends Phường 4 of Tân An partly into Phường Tân Ninh (Tây Ninh city) and
    # Phường 4 of Tây Ninh city partly into Phường Long An (Tân An): ~90 km apart.
    pairs = {(r["old_province_code"], r["old_code"], r["new_code"]) for r in ROWS}
    assert ("80", "27691", "25459") not in pairs and ("72", "25462", "27694") not in pairs
    assert ("80", "27691", "27694") in pairs and ("72", "25462", "25459") in pairs
    places = TERR.places
    for r in ROWS:  # every piece lies near the new unit it went into
        new = places[r["new_code"]]
        assert new.lat and 10 < new.lat < 12 and 105 < new.lon < 107


def test_districts_belong_to_tn_former_before_the_merger() -> None:
    districts = UNITS.expected(Period(2025, 2))
    assert [t.code for t, members in TERR.groups(Period(2025, 2), UNITS)] == ["TN_FORMER"]
    assert len(TERR.groups(Period(2025, 2), UNITS)[0][1]) == len(districts) == 9
    groups = dict((t.code, len(m)) for t, m in TERR.groups(Period(2025, 3), UNITS))
    assert groups == {"TN_FORMER": 36, "LA_FORMER": 60}


def test_every_unit_of_both_catalogs_has_coordinates() -> None:
    national = load_units(NATIONAL_UNITS_CSV)
    for u in [*UNITS.units, *national.units]:
        place = TERR.place(u.code)
        assert place is not None, u.code
        assert 6 <= place.lat <= 24 and 102 <= place.lon <= 117, u.code  # with the islands
    tan_ninh, old_city = TERR.place("25459"), TERR.place("703")
    assert tan_ninh and old_city
    # the new Phường Tân Ninh lies in the old Tây Ninh city (under 0.05° ≈ 5 km apart)
    assert abs(tan_ninh.lat - old_city.lat) < 0.05 and abs(tan_ninh.lon - old_city.lon) < 0.05
    assert tan_ninh.area_km2 == pytest.approx(21.35)


def test_territories_and_their_rule() -> None:
    terr = load_territories(TERRITORIES_CSV)
    assert [(t.code, t.old_province) for t in terr] == [("TN_FORMER", "72"), ("LA_FORMER", "80")]
    assert terr[0].name_vi == "Địa bàn tỉnh Tây Ninh cũ"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


HEAD = "old_code,old_name,old_district_code,old_province_code,new_code,new_name,weight,source"


def test_a_broken_crosswalk_is_named(tmp_path: Path) -> None:
    bad = write(tmp_path / "x.csv", [HEAD.split(","), ["1", "a", "1", "72", "9", "b", "0.5", ""]])
    with pytest.raises(CatalogError, match="do not sum to 1"):
        load_crosswalk(bad)
    nan = write(tmp_path / "y.csv", [HEAD.split(","), ["1", "a", "1", "72", "9", "b", "nan", ""]])
    with pytest.raises(CatalogError, match=r"y\.csv:2"):
        load_crosswalk(nan)
    rule = write(tmp_path / "t.csv", [["code", "name_vi", "name_en", "rule"], ["T", "", "", "x"]])
    with pytest.raises(CatalogError, match="old_province=<code>"):
        load_territories(rule)


def test_a_new_unit_formed_from_two_old_provinces_belongs_to_neither(tmp_path: Path) -> None:
    from models.territories import Territories

    rows = [
        dict(zip(HEAD.split(","), ["1", "a", "1", "72", "25459", "b", "1", ""], strict=True)),
        dict(zip(HEAD.split(","), ["2", "a", "1", "80", "25459", "b", "1", ""], strict=True)),
    ]
    t = Territories(load_territories(TERRITORIES_CSV), rows)
    unit = UNITS.get("25459")
    assert unit is not None and t.territory_of(unit, UNITS) is None
    district = UNITS.get("703")
    assert (
        district is not None and getattr(t.territory_of(district, UNITS), "code", "") == "TN_FORMER"
    )
