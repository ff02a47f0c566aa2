"""Parse one submission file (XLSX or JSON) into the typed form; never raises on content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from models.form import ParsedSubmission
from models.problems import problem
from tasks.filesafety import check_size, check_workbook
from tasks.jsondoc import read_json
from tasks.xlsx import read_xlsx

FORMATS = (".xlsx", ".json")


@dataclass(frozen=True)
class Limits:
    """Size limits applied before parsing."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024


def file_format(filename: str) -> str:
    """``xlsx``, ``json`` or ``other`` from a file name."""
    suffix = PurePosixPath(filename).suffix.lower()
    return suffix[1:] if suffix in FORMATS else "other"


def parse_file(filename: str, data: bytes, limits: Limits | None = None) -> ParsedSubmission:
    """Read a submission; every problem found is in ``problems`` (nothing is raised)."""
    limits = limits or Limits()
    fmt = file_format(filename)
    out = ParsedSubmission(filename=filename, format=fmt)
    if fmt == "other":
        out.problems.append(
            problem(
                "file_format", value=PurePosixPath(filename).suffix or "", expected=".xlsx or .json"
            )
        )
        return out
    too_large = check_size(len(data), limits.max_file_bytes)
    if too_large:
        out.problems.append(too_large)
        return out
    if fmt == "xlsx":
        unsafe = check_workbook(data, limits.max_unpacked_bytes)
        if unsafe:
            out.problems.append(unsafe)
            return out
        read_xlsx(data, out)
    else:
        read_json(data, out)
    return out
