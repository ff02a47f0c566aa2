"""Run the GX suites over a batch of submissions and map every failure back to its row.

GX is imported here only, lazily: a process that has nothing to validate never pays for it.
One ephemeral context serves the whole process.
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.frames import INDEX, Item
from models.problems import Code, Problem, problem

log = logging.getLogger(__name__)
DOCS_SITE = "chiso"
DOCS_DIR: list[Path] = []  # the Data Docs folder of this process's GX context
# what the feedback needs: each failing row's (submission, row), from which its value is
# read back from the frame; no copy of the values (a batch's texts copied once per
# failing expectation, and again into the stored results), a few examples for the docs
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX,
    "exclude_unexpected_values": True,
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,
}


class SuiteError(RuntimeError):
    """An expectation itself failed to run: a defect in chiso, never the user's fault."""


@lru_cache(maxsize=1)
def context() -> Any:
    """The process's ephemeral GX context, progress bars off, custom expectations loaded."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    import expectations.custom  # noqa: F401  (registers the custom expectations)

    # no per-run chatter (this module sets itself to INFO)
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

    work = Path(tempfile.mkdtemp(prefix="chiso-gx-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    DOCS_DIR.append(work / "docs")
    # the validation results go to files, not memory: a backfill validates dozens of
    # batches, and their results (every unexpected row) are needed only for the Data Docs
    stores = InMemoryStoreBackendDefaults()
    stores.stores[stores.validation_results_store_name]["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(work / "validations"),
    }
    config = DataContextConfig(
        store_backend_defaults=stores,
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(DOCS_DIR[-1]),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.data_sources.add_pandas("chiso")
    # every library is loaded now (GX is the last and largest): move their objects out of
    # the cyclic collector's reach, so that each full collection during a national run
    # walks only the run's own objects (1.2 s of 4 full collections before)
    gc.freeze()
    gc.set_threshold(700, 10, 100)
    return ctx


def _batch_definition(name: str) -> Any:
    source = context().data_sources.get("chiso")
    try:
        asset = source.get_asset(name)
    except (LookupError, ValueError):
        asset = source.add_dataframe_asset(name)
        asset.add_batch_definition_whole_dataframe("all")
    return asset.get_batch_definition("all")


# suite name: the fingerprint of its expectations and its validation definition, as
# registered with this process's one GX context
_REGISTERED: dict[str, tuple[str, Any]] = {}


def _definition(name: str, expectations: list[Any]) -> Any:
    """The validation definition of suite ``name`` holding ``expectations``, registered
    with GX only when they differ from the last registered: registering (the suite's and
    the definition's stores serialise every expectation) was a fifth of the GX time of a
    small batch, and each batch builds the same expectations anew from its rules."""
    import great_expectations as gx

    ctx = context()
    # without the id GX gives an expectation once it is in a suite
    configs = [e.configuration.to_json_dict() for e in expectations]
    key = json.dumps(
        [{k: v for k, v in c.items() if k != "id"} for c in configs], sort_keys=True, default=str
    )
    known = _REGISTERED.get(name)
    if known is not None and known[0] == key:
        return known[1]
    suite = ctx.suites.add_or_update(
        gx.ExpectationSuite(name=f"chiso_{name}", expectations=expectations)
    )
    definition = ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"chiso_{name}", data=_batch_definition(name), suite=suite)
    )
    _REGISTERED[name] = (key, definition)
    return definition


def run_suite(name: str, frame: pd.DataFrame, expectations: list[Any]) -> list[Any]:
    """Validate ``frame`` with ``expectations``; the per-expectation results."""
    if frame.empty:
        return []
    definition = _definition(name, expectations)
    # a validation definition (not batch.validate) so the result lands in the Data Docs
    result = definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
    for r in result.results:
        info = r.exception_info or {}
        raised = info.get("raised_exception") or any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values()
        )
        if raised:
            raise SuiteError(f"{r.expectation_config.type} failed to run on {name}: {info}")
    return list(result.results)


def _plain(value: Any) -> str | None:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_problems(frame: pd.DataFrame, results: list[Any]) -> dict[str, list[Problem]]:
    """Each unexpected row of each failed expectation, as a problem of its submission."""
    out: dict[str, list[Problem]] = {}
    if not results:
        return out
    lookup = frame.set_index(INDEX)
    for r in results:
        if r.success:
            continue
        m = r.expectation_config.meta or {}
        kwargs = r.expectation_config.kwargs
        column = kwargs.get("column") or kwargs.get("column_A")
        for sid, row_key in _failing(r.result.get("unexpected_index_list") or []):
            rec = lookup.loc[(sid, row_key)]
            field = m.get("field") or _plain(rec[m["field_col"]])
            expected = m.get("expected")
            if "expected_col" in m:
                expected = m.get("expected_prefix", "") + (_plain(rec[m["expected_col"]]) or "")
            row = rec.get("sheet_row") if "sheet_row" in lookup.columns else rec.get(f"row_{field}")
            out.setdefault(sid, []).append(
                problem(
                    m["problem"],
                    sheet=m.get("sheet"),
                    row=int(row) if _plain(row) else None,
                    field=field,
                    value=_plain(rec[m.get("display") or column]),
                    expected=expected,
                )
            )
    return out


def _failing(found: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The (submission, row) of each failing row, from GX's index list: one dict per row,
    or (values excluded, as :data:`RESULT_FORMAT` asks) one dict of columns."""
    out = []
    for u in found:
        sids, rows = u["submission_id"], u["row"]
        if isinstance(sids, list):
            out += list(zip(sids, rows, strict=True))
        else:
            out.append((sids, rows))
    return out


def merge(*parts: dict[str, list[Problem]]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for part in parts:
        for sid, problems in part.items():
            out.setdefault(sid, []).extend(problems)
    return out


def validate_content(items: list[Item], rules: Any) -> dict[str, list[Problem]]:
    """Errors of every readable submission of the batch (parse problems come first)."""
    from expectations import enterprises, figures, info
    from expectations.frames import enterprises_frame, figures_frame, info_frame, wide_frame

    readable = [it for it in items if it.parsed.readable]
    parse = {it.submission_id: list(it.parsed.problems) for it in items if it.parsed.problems}
    if not readable:
        return parse
    info_df = info_frame(readable, rules.validity)
    for field in ("unit_code", "period", "reported_by", "contact"):
        info_df[f"row_{field}"] = [it.parsed.info_rows.get(field) for it in readable]
    info_df["row_period_raw"] = info_df["row_period"]
    long_df, ent_df = figures_frame(readable), enterprises_frame(readable)
    wide_df = wide_frame(readable, sorted(rules.figures))
    return merge(
        parse,
        to_problems(info_df, run_suite("info", info_df, info.expectations(rules))),
        to_problems(long_df, run_suite("figures", long_df, figures.row_expectations(rules))),
        to_problems(
            wide_df, run_suite("submission", wide_df, figures.submission_expectations(rules))
        ),
        to_problems(ent_df, run_suite("enterprises", ent_df, enterprises.expectations(rules))),
    )


def path_problems(item: Item) -> list[Problem]:
    """A file outside the ``<unit>/<period>/<file>`` layout cannot be placed."""
    if item.path_unit and item.path_period:
        return []
    return [
        problem(
            Code.PATH_MISMATCH,
            field="path",
            value=item.parsed.filename,
            expected="<unit_code>/<period>/<file>",
        )
    ]
