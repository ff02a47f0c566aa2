"""Indicator arithmetic against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from catalog import TARGETS_CSV, UNITS_CSV
from models.catalog import load_indicators, load_targets, load_units
from tasks.publish.indicators import Enterprise, UnitReport, quarter_rows, year_rows

UNITS = load_units(UNITS_CSV)
PUBLISHED = [i for i in load_indicators() if i.role == "published"]
TARGETS = load_targets(TARGETS_CSV)
T = datetime(2024, 4, 5, tzinfo=UTC)


def ent(
    unit: str, tax: str, type_: str = "ICT", dx: bool = False, status: str = "active"
) -> Enterprise:
    return Enterprise(unit, tax, tax[:10], f"DN {tax}", type_, dx, status, date(2020, 1, 1))


def report(unit: str, figures: dict[str, int], *ents: Enterprise) -> UnitReport:
    return UnitReport(unit, f"s{unit}", "0" * 64, T, figures, list(ents))


def rows_for(period: str, reports: dict[str, UnitReport]) -> dict[tuple[str, str], Any]:
    from models.periods import Period

    p = Period.parse(period)
    rows = quarter_rows(period, p.year, UNITS.provinces(p), reports, PUBLISHED, TARGETS)
    return {(r["unit_code"], r["indicator"]): r for r in rows}


@pytest.fixture
def q1() -> dict[tuple[str, str], Any]:
    reports = {
        "703": report(
            "703",
            {
                "ENT_ACTIVE_TOTAL": 200,
                "POPULATION": 100000,
                "SITES_5G": 4,
                "PROC_ELIGIBLE": 100,
                "PROC_ONLINE_FULL": 50,
                "DX_CLASSES": 2,
                "DX_TRAINEES": 60,
            },
            ent("703", "3900244389", dx=True),
            ent("703", "3901212654", "CONVERTED"),
            ent("703", "3900100520", status="dissolved"),
        ),
        "705": report(
            "705",
            {
                "ENT_ACTIVE_TOTAL": 158,
                "POPULATION": 50000,
                "PROC_ELIGIBLE": 60,
                "PROC_ONLINE_FULL": 58,
            },
            # a branch of 703's enterprise: counted once, with 703's attributes
            ent("705", "3900244389-001", "DIGITAL_STARTUP", dx=False),
            ent("705", "0100109106", "STARTUP_APPLYING_DT"),
        ),
    }
    return rows_for("2024Q1", reports)


def test_roster_counts_distinct_enterprises_once(q1: dict[tuple[str, str], Any]) -> None:
    # 3900244389 (and its branch), 3901212654, 0100109106; the dissolved one does not count
    assert q1[("72", "DTE_COUNT")]["value"] == 3
    assert q1[("703", "DTE_COUNT")]["value"] == 2  # the dissolved one does not count
    assert q1[("705", "DTE_COUNT")]["value"] == 2
    assert q1[("72", "DTE_DX_CAPABLE")]["value"] == 1  # 703's attributes win for the branch


def test_ratios_come_from_summed_parts(q1: dict[tuple[str, str], Any]) -> None:
    share = q1[("72", "DTE_SHARE_PCT")]
    # core types among distinct active: 3900244389 (ICT via 703), 0100109106 = 2 of 358
    assert (share["numerator"], share["denominator"]) == (2, 358)
    assert share["value"] == pytest.approx(100 * 2 / 358)
    online = q1[("72", "ONLINE_PROC_PCT")]
    assert (online["numerator"], online["denominator"]) == (108, 160)
    assert online["value"] == pytest.approx(67.5)  # not the mean of 50 % and 96.7 %
    per = q1[("72", "DTE_PER_1000_POP")]
    assert per["value"] == pytest.approx(1000 * 3 / 150000)
    assert q1[("72", "CONVERTED_SHARE_PCT")]["numerator"] == 1


def test_missing_units_are_blank_and_counted(q1: dict[tuple[str, str], Any]) -> None:
    assert q1[("706", "DTE_COUNT")]["value"] is None
    assert q1[("706", "SITES_5G")]["value"] is None
    assert q1[("706", "DTE_COUNT")]["reported_units"] == 0
    assert q1[("705", "SITES_5G")]["value"] is None  # 705 did not report it
    province = q1[("72", "SITES_5G")]
    assert province["value"] == 4 and province["reported_units"] == 2
    assert province["expected_units"] == 9


def test_targets_and_baselines_on_province_rows(q1: dict[tuple[str, str], Any]) -> None:
    count = q1[("72", "DTE_COUNT")]
    assert (count["target"], count["target_year"]) == (10, 2025)
    assert q1[("72", "DTE_SHARE_PCT")]["baseline"] == 2.79
    assert q1[("72", "CONVERTED_SHARE_PCT")]["baseline"] == 0
    assert q1[("703", "DTE_COUNT")]["target"] is None
    later = rows_for("2026Q1", {})
    # the plan's targets are scoped to the old province and TN_FORMER: the new province 80
    # has none until someone supplies one; the national target shows on every province row
    assert (later[("80", "DTE_COUNT")]["target"], later[("80", "DTE_COUNT")]["target_year"]) == (
        None,
        None,
    )
    assert later[("80", "DTE_SHARE_PCT")]["baseline"] is None
    assert later[("80", "DTE_PER_1000_POP")]["target"] == 1
    assert q1[("72", "DTE_PER_1000_POP")]["target"] == 1
    assert q1[("703", "DTE_PER_1000_POP")]["target"] is None
    assert later[("80", "DTE_COUNT")]["value"] is None  # nobody reported: blank, not 0


def test_the_contract_figures() -> None:
    """30 digital-tech enterprises among 1,075 active ones is the 2.79 % of the DTI baseline."""
    from tasks.publish.tables import number
    from tests.support.inbox import tax_code

    reports = {
        "703": report(
            "703",
            {"ENT_ACTIVE_TOTAL": 1075, "POPULATION": 135000},
            *[ent("703", tax_code(n)) for n in range(1, 31)],
            ent("703", tax_code(99), "CONVERTED", status="suspended"),
        )
    }
    rows = rows_for("2024Q1", reports)
    share = rows[("72", "DTE_SHARE_PCT")]
    assert (share["numerator"], share["denominator"]) == (30, 1075)
    assert number(share["value"]) == 2.7907 and round(share["value"], 2) == 2.79
    assert share["baseline"] == 2.79
    assert rows[("72", "CONVERTED_SHARE_PCT")]["value"] == 0  # suspended: not active
    count = rows[("72", "DTE_COUNT")]
    assert (count["value"], count["target"], count["target_year"]) == (30, 10, 2025)


def test_year_to_date_sums_flows_and_takes_stocks_as_of() -> None:
    q = {
        p: rows_for(
            p,
            {
                "703": report(
                    "703",
                    {
                        "ENT_ACTIVE_TOTAL": 100 + n,
                        "POPULATION": 10,
                        "DX_CLASSES": n + 1,
                        "DX_TRAINEES": 10,
                    },
                )
            },
        )
        for n, p in enumerate(["2024Q1", "2024Q2", "2024Q3"])
    }
    rows = year_rows("2024", {p: list(r.values()) for p, r in q.items()}, PUBLISHED, {})
    by = {(r["unit_code"], r["indicator"]): r for r in rows}
    assert by[("72", "DX_CLASSES")]["value"] == 1 + 2 + 3
    assert by[("703", "DX_TRAINEES")]["value"] == 30
    assert by[("72", "DTE_COUNT")]["value"] == 0
    assert all(r["as_of"] == "2024Q3" and r["period"] == "2024" for r in rows)
    share = by[("72", "DTE_SHARE_PCT")]
    assert share["denominator"] == 102  # ENT_ACTIVE_TOTAL of the as-of quarter
    assert by[("706", "DX_CLASSES")]["value"] is None


def test_a_national_catalog_gives_one_province_row_set_per_province() -> None:
    from catalog import NATIONAL_UNITS_CSV
    from models.periods import Period

    units = load_units(NATIONAL_UNITS_CSV)
    p = Period(2025, 4)
    groups = units.provinces(p)
    assert len(groups) == 34 and sum(len(g) for _, g in groups) == 3321
    hanoi, hanoi_units = groups[0]
    first = hanoi_units[0].code
    reports = {
        first: report(first, {"ENT_ACTIVE_TOTAL": 10, "POPULATION": 1000}, ent(first, "0100109106"))
    }
    rows = quarter_rows(str(p), p.year, groups, reports, PUBLISHED, TARGETS)
    provinces = {r["unit_code"] for r in rows if r["level"] == "province"}
    assert len(provinces) == 34 and hanoi.code == "01"
    by = {(r["unit_code"], r["indicator"]): r for r in rows}
    assert by[("01", "DTE_COUNT")]["value"] == 1 and by[("01", "DTE_COUNT")]["reported_units"] == 1
    assert by[("79", "DTE_COUNT")]["value"] is None


def test_a_national_year_adds_each_provinces_flows_in_its_own_series() -> None:
    # found by bench/floor/'s cross-check: every province's year added up the flows of
    # all provinces (one "province" series, right only for a one-province catalog)
    from catalog import NATIONAL_UNITS_CSV
    from models.periods import Period

    units = load_units(NATIONAL_UNITS_CSV)
    quarters = {}
    for q, classes in ((3, 2), (4, 5)):
        p = Period(2025, q)
        groups = units.provinces(p)
        first = groups[0][1][0].code  # a unit of Hà Nội (01)
        figures = {"ENT_ACTIVE_TOTAL": 10, "POPULATION": 1000, "DX_CLASSES": classes}
        reports = {first: report(first, figures | {"DX_TRAINEES": 10})}
        quarters[str(p)] = quarter_rows(str(p), p.year, groups, reports, PUBLISHED, TARGETS)
    rows = year_rows("2025", quarters, PUBLISHED, {})
    by = {(r["unit_code"], r["indicator"]): r for r in rows}
    assert by[("01", "DX_CLASSES")]["value"] == 7
    assert by[("79", "DX_CLASSES")]["value"] is None  # Hồ Chí Minh City reported nothing
    assert by[("79", "DX_TRAINEES")]["value"] is None and by[("01", "DX_TRAINEES")]["value"] == 20


def test_a_zero_denominator_gives_a_blank_ratio_with_its_parts() -> None:
    # a unit with no eligible procedures and no active enterprises: its ratios are blank
    # (never a division error, never zero), the parts still shown
    zero = report(
        "703", {"ENT_ACTIVE_TOTAL": 0, "POPULATION": 0, "PROC_ELIGIBLE": 0, "PROC_ONLINE_FULL": 0}
    )
    rows = rows_for("2024Q1", {"703": zero})
    for code, (num, den) in {
        "ONLINE_PROC_PCT": (0, 0),
        "DTE_SHARE_PCT": (0, 0),
        "DTE_PER_1000_POP": (0, 0),
    }.items():
        for unit in ("703", "72"):
            row = rows[(unit, code)]
            assert (row["value"], row["numerator"], row["denominator"]) == (None, num, den)
    # another unit's denominator makes the province ratio again, from the summed parts
    other = report(
        "705", {"ENT_ACTIVE_TOTAL": 10, "POPULATION": 5, "PROC_ELIGIBLE": 4, "PROC_ONLINE_FULL": 1}
    )
    rows = rows_for("2024Q1", {"703": zero, "705": other})
    assert rows[("72", "ONLINE_PROC_PCT")]["value"] == 25.0
    assert rows[("703", "ONLINE_PROC_PCT")]["value"] is None


def test_a_unit_row_in_full(q1: dict[tuple[str, str], Any]) -> None:
    assert q1[("703", "DTE_COUNT")] == {
        "period": "2024Q1",
        "as_of": "2024Q1",
        "level": "unit",
        "unit_code": "703",
        "unit_name": "Thành phố Tây Ninh",
        "indicator": "DTE_COUNT",
        "value": 2,
        "numerator": 2,
        "denominator": None,
        "reported_units": 1,
        "expected_units": 1,
        "target": None,
        "target_year": None,
        "baseline": None,
    }
    province = q1[("72", "DTE_COUNT")]
    assert (province["period"], province["level"], province["unit_name"]) == (
        "2024Q1",
        "province",
        "Tỉnh Tây Ninh (trước 01/07/2025)",
    )


def test_a_ratio_without_a_multiplier_is_the_plain_quotient_and_a_target_of_its_own_year() -> None:
    from dataclasses import replace

    from tasks.publish.indicators import _targets, _value

    share = next(i for i in PUBLISHED if i.code == "DTE_SHARE_PCT")
    parts = {"DTE_CORE_COUNT": 3, "ENT_ACTIVE_TOTAL": 4}
    assert _value(replace(share, multiplier=None), parts) == (0.75, 3, 4)
    assert _value(share, parts) == (75.0, 3, 4)
    assert _value(share, {"DTE_CORE_COUNT": 3, "ENT_ACTIVE_TOTAL": 0}) == (None, 3, 0)
    goals = [
        {"indicator": "X", "kind": "target", "year": 2030, "value": 50, "scope": "72"},
        {"indicator": "X", "kind": "target", "year": 2025, "value": 10, "scope": "72"},
        {"indicator": "X", "kind": "baseline", "year": 2020, "value": 2.79, "scope": "72"},
    ]
    on = ("province", "72")
    assert _targets(goals, "X", 2025, *on) == {"target": 10, "target_year": 2025, "baseline": 2.79}
    assert _targets(goals, "X", 2026, *on)["target_year"] == 2030
    assert _targets(goals, "X", 2031, *on) == {
        "target": None,
        "target_year": None,
        "baseline": 2.79,
    }
    assert _targets(goals, "X", 2025, "province", "80")["target"] is None  # not its scope
    assert _targets(goals, "X", 2025, "unit", "72")["target"] is None  # unit rows stay blank


def test_a_target_scoped_to_the_row_comes_before_a_national_one() -> None:
    from tasks.publish.indicators import _targets

    goals = [
        {"indicator": "X", "kind": "target", "year": 2030, "value": 1, "scope": "national"},
        {"indicator": "X", "kind": "target", "year": 2030, "value": 2, "scope": "TN_FORMER"},
        {"indicator": "X", "kind": "target", "year": 2025, "value": 9, "scope": "province"},
    ]
    assert _targets(goals, "X", 2026, "territory", "TN_FORMER")["target"] == 2
    assert _targets(goals, "X", 2026, "territory", "LA_FORMER")["target"] == 1
    # ``province`` (targets files older than contract v3): every province row, no territory
    assert _targets(goals, "X", 2025, "province", "80")["target"] == 9
    assert _targets(goals, "X", 2025, "territory", "TN_FORMER")["target"] == 2
