"""The GX run's Data Docs: what units wrote reaches them escaped, as a browser shows it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from tests.support.browser import title_after_scripts

PAYLOAD = "</title><svg onload=document.title='X'><img src=x onerror=document.title='X'>"


def test_unit_text_in_the_data_docs_cannot_run_in_a_browser(tmp_path: Path) -> None:
    import great_expectations as gx

    from tasks.decide import docs, validate

    frame = pd.DataFrame({"submission_id": ["a", "b"], "row": [1, 2], "type": ["ICT", PAYLOAD]})
    expect = gx.expectations.ExpectColumnValuesToBeInSet(column="type", value_set=["ICT"])
    (result,) = validate.run_suite("xss", frame, [expect])
    assert not result.success
    site = docs.build_docs()
    assert site is not None
    pages = [p for p in site.rglob("*.html") if "chiso-xss" in p.name]
    assert pages
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    for page in pages:
        local = copy / page.relative_to(site)
        html = local.read_text("utf-8")
        # the docs are public (python -m flows.serve): they count failing rows and never
        # carry what a unit wrote (a reporter's name, a contact), escaped or not
        assert "svg onload" not in html and "svg%20onload" not in html
        assert "xss" in html
        assert title_after_scripts(local, tmp_path / "profile") != "X"
    validate.run_suite("xss", frame, [expect])  # a second run and build escape once
    assert docs.build_docs() == site
    assert "&amp;lt;" not in next(site.rglob("chiso-xss.html")).read_text("utf-8")


def test_each_build_renders_only_what_was_validated_since_the_last() -> None:
    """A long-lived process (the task worker) builds and uploads the pages of its new
    validations only, not every page of its life again."""
    import great_expectations as gx

    from tasks.decide import docs, validate

    frame = pd.DataFrame({"submission_id": ["a"], "row": [1], "type": ["OTHER"]})

    def expect() -> object:
        return gx.expectations.ExpectColumnValuesToBeInSet(column="type", value_set=["ICT"])

    validate.run_suite("first", frame, [expect()])
    site = docs.build_docs()
    assert site is not None and list(site.rglob("chiso-first.html"))
    assert docs.build_docs() is None  # nothing validated since
    validate.run_suite("second", frame, [expect()])
    site = docs.build_docs()
    assert site is not None
    # the validations' pages (each suite's own page, one per suite name, is built anew)
    pages = {p.name for p in (site / "validations").rglob("*.html")}
    assert pages == {"chiso-second.html"}
    index = (site / "index.html").read_text("utf-8")
    assert "validations/chiso_second/" in index and "validations/chiso_first/" not in index


def test_results_carry_the_failing_rows_not_their_values() -> None:
    """GX hands back each failing row's index, never a copy of the values (a batch's
    texts once per failing expectation): the feedback reads values from the frame."""
    import great_expectations as gx

    from tasks.decide import validate

    frame = pd.DataFrame(
        {"submission_id": ["a", "b", "c"], "row": [1, 2, 3], "type": ["ICT", "x" * 900, "y"]}
    )
    expect = gx.expectations.ExpectColumnValuesToBeInSet(
        column="type", value_set=["ICT"], meta={"problem": "type_unknown", "field": "type"}
    )
    (result,) = validate.run_suite("values", frame, [expect])
    assert "unexpected_list" not in result.result
    assert "x" * 900 not in json.dumps(result.to_json_dict())
    found = validate.to_problems(frame, [result])
    assert {sid: [p.value for p in ps] for sid, ps in found.items()} == {
        "b": ["x" * 200 + "…"],
        "c": ["y"],
    }


def test_a_suite_is_registered_again_only_when_its_expectations_change() -> None:
    """Each batch builds its expectations anew from the rules; the same ones reuse the
    registered suite, changed ones (a rule edited between batches) replace it."""
    import great_expectations as gx

    from tasks.decide import validate

    frame = pd.DataFrame({"submission_id": ["a", "b"], "row": [1, 2], "type": ["ICT", "OTHER"]})

    def expect(*allowed: str) -> list[object]:
        return [gx.expectations.ExpectColumnValuesToBeInSet(column="type", value_set=allowed)]

    (first,) = validate.run_suite("rules", frame, expect("ICT"))
    registered = validate._REGISTERED["rules"]
    (again,) = validate.run_suite("rules", frame, expect("ICT"))
    assert validate._REGISTERED["rules"] is registered
    assert not first.success and not again.success
    (edited,) = validate.run_suite("rules", frame, expect("ICT", "OTHER"))
    assert edited.success and validate._REGISTERED["rules"] is not registered
