"""CSV and JSON conventions of the published tables."""

import json
from datetime import UTC, datetime

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
