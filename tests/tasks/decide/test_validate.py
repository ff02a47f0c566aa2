"""The GX run's Data Docs: what units wrote reaches them escaped, as a browser shows it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from tests.support.browser import title_after_scripts

PAYLOAD = "</title><svg onload=document.title='X'><img src=x onerror=document.title='X'>"


def test_unit_text_in_the_data_docs_cannot_run_in_a_browser(tmp_path: Path) -> None:
    import great_expectations as gx

    from tasks.decide import validate

    frame = pd.DataFrame({"submission_id": ["a", "b"], "row": [1, 2], "type": ["ICT", PAYLOAD]})
    expect = gx.expectations.ExpectColumnValuesToBeInSet(column="type", value_set=["ICT"])
    (result,) = validate.run_suite("xss", frame, [expect])
    assert not result.success
    site = validate.build_docs()
    assert site is not None
    pages = [p for p in site.rglob("*.html") if "chiso-xss" in p.name]
    assert pages
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    for page in pages:
        local = copy / page.relative_to(site)
        html = local.read_text("utf-8")
        assert "&lt;svg onload" in html and "<svg onload" not in html
        assert title_after_scripts(local, tmp_path / "profile") != "X"
    assert validate.build_docs() == site  # a second build escapes nothing twice
    assert "&amp;lt;" not in next(site.rglob("chiso-xss.html")).read_text("utf-8")
