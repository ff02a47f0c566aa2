"""Checks on a file's bytes before any parser sees them (size, zip bombs, XML entities)."""

from __future__ import annotations

import io
import re
import zipfile

from models.problems import Problem, problem

_ENTITY = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 1 << 16


def check_size(size: int, max_bytes: int) -> Problem | None:
    """Reject a file of ``size`` bytes when larger than ``max_bytes``."""
    if size > max_bytes:
        return problem(
            "file_too_large",
            value=f"{size} bytes",
            expected=f"at most {max_bytes // (1024 * 1024)} MB",
        )
    return None


def check_workbook(data: bytes, max_unpacked: int) -> Problem | None:
    """Walk every member of an XLSX zip with a byte budget, refusing DTDs and entities.

    Declared sizes can lie, so the members are actually inflated (in chunks) and the count
    stops as soon as the budget is spent; nothing is kept in memory.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        return problem("file_unreadable", value=str(exc), expected="an .xlsx workbook (zip)")
    budget_text = f"at most {max_unpacked // (1024 * 1024)} MB unpacked"
    with zf:
        infos = zf.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > max_unpacked:
            return problem("file_unpack_too_large", value=f"{declared} bytes", expected=budget_text)
        for i in infos:
            # deflate never grows data by more than a sliver: a larger compressed size
            # means the declared sizes lie (a bomb that hides its real size)
            if i.compress_size > i.file_size + i.file_size // 100 + 1024:
                return problem(
                    "file_unreadable",
                    field=i.filename,
                    value="sizes in the zip directory are inconsistent",
                    expected="an .xlsx workbook (zip)",
                )
        total = 0
        try:
            for info in infos:
                with zf.open(info) as member:
                    tail = b""
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > max_unpacked:
                            return problem(
                                "file_unpack_too_large",
                                value=f"> {total} bytes",
                                expected=budget_text,
                            )
                        if info.filename.endswith((".xml", ".rels")) and _ENTITY.search(
                            tail + chunk
                        ):
                            return problem(
                                "xml_entities",
                                field=info.filename,
                                value="<!DOCTYPE/<!ENTITY",
                                expected="no DTD or entity declarations",
                            )
                        tail = chunk[-16:]
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            return problem("file_unreadable", value=str(exc), expected="an .xlsx workbook (zip)")
    return None
