"""The catalog: the real unit lists, validity by period, codes ignoring leading zeros."""

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from catalog import INDICATORS_CSV, NATIONAL_UNITS_CSV, TARGETS_CSV, UNITS_CSV
from models.catalog import (
    CatalogError,
    code_key,
    load_indicators,
    load_targets,
    load_units,
    reported_figures,
    sync_catalog,
)
from models.db import make_engine, upgrade
from models.periods import Period
from models.reference import IndicatorDefinition, ReportingUnit, Target


def test_tay_ninh_has_9_districts_then_96_communes() -> None:
    units = load_units(UNITS_CSV)
    before, after = units.expected(Period(2025, 2)), units.expected(Period(2025, 3))
    assert [u.code for u in before] == [
        "703",
        "705",
        "706",
        "707",
        "708",
        "709",
        "710",
        "711",
        "712",
    ]
    assert len(after) == 96
    assert sum(u.name.startswith("Phường") for u in after) == 14
    assert sum(u.name.startswith("Xã") for u in after) == 82
    assert {u.parent_code for u in before} == {"72"} and {u.parent_code for u in after} == {"80"}
    assert [p.code for p, _ in units.provinces(Period(2025, 2))] == ["72"]
    assert [p.code for p, _ in units.provinces(Period(2025, 3))] == ["80"]
    assert all(u.source for u in units.units)


def test_codes_match_ignoring_leading_zeros() -> None:
    units = load_units(UNITS_CSV)
    assert units.find("0703").code == "703"  # type: ignore[union-attr]
    assert units.find("703.0").code == "703"  # type: ignore[union-attr]
    assert units.find(25459.0).code == "25459"  # type: ignore[union-attr]
    assert units.find("9999") is None and units.find("") is None
    assert code_key("00070") == "70" and code_key("0") == "0"


def test_validity_is_inclusive_on_both_ends() -> None:
    tbn = load_units(UNITS_CSV).find("703")
    assert tbn is not None
    assert tbn.valid_on(Period(2025, 2).last_day)
    assert not tbn.valid_on(Period(2025, 3).last_day)


def test_national_list_has_3321_units() -> None:
    units = load_units(NATIONAL_UNITS_CSV)
    assert len(units.expected(Period(2025, 4))) == 3321
    assert len([u for u in units.units if u.level == "province"]) == 34


def test_indicator_and_target_catalog_match_the_contract() -> None:
    figures = reported_figures(load_indicators(INDICATORS_CSV))
    assert {c for c, i in figures.items() if i.required} == {"ENT_ACTIVE_TOTAL", "POPULATION"}
    assert len(figures) == 11
    assert {i.code for i in figures.values() if i.kind == "flow"} == {
        "DX_CLASSES",
        "DX_TRAINEES",
        "PROMO_EVENTS",
        "ST_PROJECTS",
    }
    targets = {
        (t["indicator"], t["kind"], t["year"]): t["value"] for t in load_targets(TARGETS_CSV)
    }
    assert targets[("DTE_COUNT", "target", 2025)] == 10
    assert targets[("DTE_COUNT", "target", 2030)] == 50
    assert targets[("DTE_DX_CAPABLE", "target", 2025)] == 3
    assert targets[("DTE_DX_CAPABLE", "target", 2030)] == 5
    assert targets[("DTE_SHARE_PCT", "baseline", 2020)] == 2.79
    assert targets[("CONVERTED_SHARE_PCT", "baseline", 2020)] == 0


def test_bad_catalog_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name,level,parent_code,valid_from,valid_to,source\n703,X,district,72,2020-13-01,,x\n",
        "utf-8",
    )
    with pytest.raises(CatalogError, match=r"units.csv:2: not an ISO date"):
        load_units(bad)


def test_catalog_loads_into_tables_idempotently(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    for _ in range(2):
        with Session(engine) as session:
            sync_catalog(
                session, load_units(UNITS_CSV), load_indicators(), load_targets(TARGETS_CSV)
            )
            session.commit()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ReportingUnit)).one() == 107
        assert session.exec(select(func.count()).select_from(IndicatorDefinition)).one() == 24
        assert session.exec(select(func.count()).select_from(Target)).one() == 13
        unit = session.get(ReportingUnit, "25459")
        assert unit is not None and unit.code_key == "25459" and unit.valid_to is None
    engine.dispose()


def test_reporting_units_win_the_match_ignoring_zeros() -> None:
    units = load_units(NATIONAL_UNITS_CSV)
    # "04" is Cao Bằng province, and also ward 00004 with its zeros lost: a code in a
    # file is matched among reporting units; provinces only by their exact code
    assert units.find("04").code == "00004"  # type: ignore[union-attr]
    assert units.find("4").code == "00004"  # type: ignore[union-attr]
    assert units.find("96").code == "96"  # type: ignore[union-attr]  (no ward 00096)
    groups = units.provinces(Period(2025, 4))
    assert [p.code for p, _ in groups][:3] == ["01", "04", "08"]


def test_two_reporting_units_with_one_key_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name,level,parent_code,valid_from,valid_to,source\n"
        "72,P,province,,2020-01-01,,x\n703,A,district,72,2020-01-01,,x\n"
        "0703,B,district,72,2020-01-01,,x\n",
        "utf-8",
    )
    with pytest.raises(CatalogError, match="703 and 0703 have the same code"):
        load_units(bad)
