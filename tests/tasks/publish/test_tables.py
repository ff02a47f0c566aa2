"""CSV and JSON conventions of the published tables."""

import json
from datetime import UTC, date, datetime

from tasks.publish.tables import number, to_csv, to_json


def test_rounding_is_half_even_to_four_decimals() -> None:
    assert number(0.12345) == 0.1234 and number(0.12355) == 0.1236
    assert number(2.5) == 2.5 and number(10.0) == 10 and number(7) == 7
    assert number(None) is None and number(100 * 30 / 1075) == 2.7907


def test_csv_has_bom_crlf_blank_nulls_and_escaped_formulas() -> None:
    rows = [
        {
            "period": "2025Q3",
            "unit_code": "25459",
            "unit_name": '=HYPERLINK("x")',
            "status": "missing",
            "submission_id": None,
            "received_at": None,
            "rejected_count": 0,
        },
        {
            "period": "2025Q3",
            "unit_code": "25480",
            "unit_name": "+cmd",
            "status": "on_time",
            "submission_id": "abc",
            "received_at": datetime(2025, 10, 2, 9, tzinfo=UTC),
            "rejected_count": 1,
        },
    ]
    data = to_csv("completeness", rows)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "period,unit_code,unit_name,status,submission_id,received_at,rejected_count"
    )
    assert lines[1] == """2025Q3,25459,"'=HYPERLINK(""x"")",missing,,,0"""
    assert lines[2] == "2025Q3,25480,'+cmd,on_time,abc,2025-10-02T09:00:00Z,1"
    recs = json.loads(to_json("completeness", rows))
    assert recs[0]["submission_id"] is None and recs[0]["unit_name"] == '=HYPERLINK("x")'


def test_csv_columns_equal_the_per_cell_rule_on_random_values() -> None:
    import random

    from tasks.publish.tables import _cell, _csv_column

    rng = random.Random(4)
    words = ["Xã A", "=SUM(A1)", "+84", "-1", "@x", "", "Phường B", "'quoted", " =lead"]
    for _ in range(200):
        n = rng.randrange(0, 60)
        text = [rng.choice([*words, None]) for _ in range(n)]
        assert _csv_column("string", text) == [_cell(v) for v in text]
        plain = [rng.choice(["2025Q3", "unit", "province"]) for _ in range(n)]
        assert _csv_column("string", plain) == plain
        nums = [rng.choice([None, 0, 7, 2.5, -3]) for _ in range(n)]
        assert _csv_column("number", nums) == [_cell(v) for v in nums]
        flags = [rng.choice([None, True, False]) for _ in range(n)]
        assert _csv_column("boolean", flags) == [_cell(v) for v in flags]


def _enterprise(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "period": "2025Q3",
        "unit_code": "25459",
        "unit_name": "Phường Tân Ninh",
        "tax_code": "3900244389",
        "enterprise_code": "3900244389",
        "name": "Công ty A",
        "type": "ICT",
        "dx_capable": True,
        "established_on": None,
        "status": "active",
        "main_products": None,
        "counted_at_province": False,
        "submission_id": "s1",
    }
    return base | values


def test_every_kind_of_cell_in_json_csv_and_parquet() -> None:
    import io

    import pyarrow.parquet as pq

    from tasks.publish.tables import plain, table_schema, to_parquet

    rows = [
        _enterprise(dx_capable=1, established_on=date(2019, 3, 1), main_products="=1+1"),
        _enterprise(dx_capable=None, counted_at_province=True, type=7),
    ]
    recs = json.loads(to_json("enterprises", rows))
    assert [r["dx_capable"] for r in recs] == [True, None]  # a boolean, however given
    assert [r["counted_at_province"] for r in recs] == [False, True]
    assert [r["established_on"] for r in recs] == ["2019-03-01", None]
    assert recs[1]["type"] == "7" and recs[0]["main_products"] == "=1+1"  # text, not escaped
    assert "Phường Tân Ninh".encode() in to_json("enterprises", rows)  # UTF-8, not \u escapes
    lines = to_csv("enterprises", rows).decode("utf-8-sig").split("\r\n")
    assert lines[1].split(",")[6:12] == ["ICT", "true", "2019-03-01", "active", "'=1+1", "false"]
    assert lines[2].split(",")[6:12] == ["7", "", "", "active", "", "true"]
    parquet = pq.read_table(io.BytesIO(to_parquet("enterprises", rows)))
    assert parquet.to_pylist() == recs  # the same values, typed
    types = {f.name: str(f.type) for f in parquet.schema}
    assert (types["dx_capable"], types["established_on"], types["type"]) == (
        "bool",
        "string",
        "string",
    )
    indicators = [
        {"period": "2025Q3", "value": 2.79069, "reported_units": 9, "target": 10, "baseline": None},
        {"period": "2025Q3", "value": True, "reported_units": 2.0, "target": 0.5, "baseline": 3},
    ]
    values = [(r["value"], r["reported_units"], r["target"], r["baseline"])
              for r in json.loads(to_json("indicators", indicators))]  # fmt: skip
    assert values == [(2.7907, 9, 10, None), (1, 2, 0.5, 3)]
    assert [type(v) for v in values[1]] == [int, int, float, int]
    table = pq.read_table(io.BytesIO(to_parquet("indicators", indicators)))
    assert [(r["value"], r["reported_units"]) for r in table.to_pylist()] == [(2.7907, 9), (1.0, 2)]
    types = {f.name: str(f.type) for f in table.schema}
    assert (types["target"], types["reported_units"], types["period"]) == (
        "double",
        "int64",
        "string",
    )
    completeness = [{"period": "2025Q3", "received_at": datetime(2025, 10, 2, 9, tzinfo=UTC)}]
    received = pq.read_table(io.BytesIO(to_parquet("completeness", completeness)))
    assert received.to_pylist()[0]["received_at"] == "2025-10-02T09:00:00Z"  # text, as in CSV
    assert plain(None, "number") is None and plain(0, "boolean") is False
    assert plain(datetime(2025, 10, 2, 9, tzinfo=UTC), "datetime") == "2025-10-02T09:00:00Z"
    assert plain(3, "string") == "3" and plain(2.5, "integer") == 2.5
    schema = table_schema("completeness")
    assert schema["primaryKey"] == ["period", "unit_code"] and schema["missingValues"] == [""]
    assert schema["fields"][5] == {"name": "received_at", "type": "datetime"}
