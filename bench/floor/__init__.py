"""The contract floor: everything the contract asks of one run, in plain Python.

    uv run python bench/floor INBOX [--home DIR] [--units CSV]

One process, one thread, no orchestration, no GX, no ORM: what a careful programmer would
write to do the contract's work once, so that chiso's time can be set beside it
(bench/national.py prints the ratio). For every file of the inbox (``unit/period/file``):
read and hash it; archive it durably under ``raw/<unit>/<period>/<sha256>.<ext>``; parse
it (JSON, or XLSX with python-calamine); check it (section 4's errors: fields, unit and
period against the path and the catalog, indicator codes, non-negative integers, pairs,
``PROC_ONLINE_FULL`` ≤ ``PROC_ELIGIBLE``, classes and trainees, tax codes valid and unique,
types, statuses, establishment dates, the active roster against ``ENT_ACTIVE_TOTAL``,
text that is not Vietnamese; warnings: late, a stock changed by half, a tax code another
unit reported); store the submission, its decision, figures and roster in SQLite; write its
feedback report as JSON under ``feedback/``. Then, per affected quarter and its year:
indicators per unit, province and territory (summed numerators and denominators, targets
by scope), completeness, enterprises, territories and the crosswalk as CSV (BOM, sorted,
rounded half-even, formula-escaped), the indicators as JSON and Parquet, a Data Package
with every file's size and sha256, a report page, then ``latest.json`` and
``snapshots/index.json``, each file written durably before a pointer moves; a one-page
summary of the checks under ``docs/``.

Timed as chiso's warm runs are: its imports done before the clock starts (bench/national.py
imports it, then times ``run``). What it leaves out, which chiso's run does: the Prefect
API (flow and task runs, events, artifacts), GX's suites and Data Docs site (a plain page
stands in), the report's charts and map (a table stands in), resubmissions and backfills
(a fresh home holds none).
"""

from __future__ import annotations

from .pipeline import run

__all__ = ["run"]
