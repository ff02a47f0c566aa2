"""Checks on a file's bytes before any parser sees them (size, zip bombs, XML entities)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from models.problems import Code, Problem, problem
from tasks.intake.limits import Limits
from tasks.intake.sheets import FORMULA, SheetExtent, column_letters, sheet_names, surely_within

_ENTITY = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 1 << 16


def check_size(size: int, max_bytes: int) -> Problem | None:
    """Reject a file of ``size`` bytes when larger than ``max_bytes``."""
    if size > max_bytes:
        return problem(
            Code.FILE_TOO_LARGE,
            value=f"{size} bytes",
            expected=f"at most {max_bytes // (1024 * 1024)} MB",
        )
    return None


@dataclass(frozen=True)
class Checked:
    """What :func:`check_workbook` found: the workbook's first problem, or none; and the
    sheets (by name) that may hold a formula, the only ones whose cells the reader must
    look at again for formulas without a computed value (most workbooks have none, and
    are not opened a second time)."""

    problem: Problem | None
    formula_sheets: frozenset[str] = frozenset()


def check_workbook(data: bytes, limits: Limits) -> Checked:
    """Walk every member of an XLSX zip with a byte budget, refusing DTDs and entities, and
    sheets declared or used beyond the row and column limits.

    Declared sizes can lie, so the members are actually inflated (in chunks) and the count
    stops as soon as the budget is spent; nothing is kept in memory. A sheet's extent is
    read from its XML (its ``<dimension>`` and every row and cell reference) before the
    reader sees it: the reader allocates a sheet's whole declared rectangle, so one cell
    at ``XFD1048576`` in a 6 KB file would cost it half a terabyte.
    """
    max_unpacked = limits.max_unpacked_bytes
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # whatever a broken zip raises: the file's, never the run's
        return _unreadable(exc)
    budget = f"at most {max_unpacked // (1024 * 1024)} MB unpacked"
    with zf:
        infos = zf.infolist()
        found = _directory_problem(infos, max_unpacked, budget)
        if found is not None:
            return Checked(found)
        try:
            return _inflate(zf, infos, limits, budget)
        except Exception as exc:  # zlib.error, NotImplementedError, BadZipFile… all the file's
            return _unreadable(exc)


def _unreadable(exc: Exception) -> Checked:
    return Checked(
        problem(Code.FILE_UNREADABLE, value=str(exc), expected="an .xlsx workbook (zip)")
    )


def _directory_problem(
    infos: list[zipfile.ZipInfo], max_unpacked: int, budget: str
) -> Problem | None:
    """What the zip's directory alone shows: too much declared, or sizes that lie."""
    declared = sum(i.file_size for i in infos)
    if declared > max_unpacked:
        return problem(Code.FILE_UNPACK_TOO_LARGE, value=f"{declared} bytes", expected=budget)
    for i in infos:
        # deflate never grows data by more than a sliver: a larger compressed size
        # means the declared sizes lie (a bomb that hides its real size)
        if i.compress_size > i.file_size + i.file_size // 100 + 1024:
            return problem(
                Code.FILE_UNREADABLE,
                field=i.filename,
                value="sizes in the zip directory are inconsistent",
                expected="an .xlsx workbook (zip)",
            )
    return None


def _inflate(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, budget: str
) -> Checked:
    """Inflate every member in chunks, nothing kept: the first problem the bytes show (past
    the unpacked budget, an entity declaration, a sheet past its extent), and the sheets
    that may hold a formula (one read in more than one chunk may: a tag cut between two)."""
    total = 0
    names = sheet_names(zf)
    formulas: set[str] = set()
    for info in infos:
        extent = SheetExtent() if info.filename in names else None
        xml = info.filename.endswith((".xml", ".rels"))
        with zf.open(info) as member:
            tail, n = b"", 0
            while chunk := member.read(_CHUNK):
                n += 1
                total += len(chunk)
                if total > limits.max_unpacked_bytes:
                    too_much = f"> {total} bytes"
                    return Checked(
                        problem(Code.FILE_UNPACK_TOO_LARGE, value=too_much, expected=budget)
                    )
                if xml and _ENTITY.search(tail + chunk):
                    return Checked(
                        problem(
                            Code.XML_ENTITIES,
                            field=info.filename,
                            value="<!DOCTYPE/<!ENTITY",
                            expected="no DTD or entity declarations",
                        )
                    )
                tail = chunk[-16:]
                if extent is not None:
                    if n > 1 or FORMULA.search(chunk):
                        formulas.add(names[info.filename])
                    # a first read shorter than asked is the whole sheet (a buffered read
                    # returns less only at the end): plainly within the limits, no walk
                    if n == 1 and len(chunk) < _CHUNK and surely_within(chunk, limits):
                        continue
                    extent.feed(chunk)
                    if extent.beyond(limits):
                        return Checked(_too_large(names[info.filename], extent, limits))
    return Checked(None, frozenset(formulas))


def _too_large(sheet: str, extent: SheetExtent, limits: Limits) -> Problem:
    return problem(
        Code.SHEET_TOO_LARGE,
        sheet=sheet,
        value=f"{column_letters(extent.cols)}{extent.rows}",
        expected=f"at most {limits.max_sheet_rows} rows and "
        f"{limits.max_sheet_columns} columns ({column_letters(limits.max_sheet_columns)})",
    )
