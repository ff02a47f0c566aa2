"""Parsing: every normalisation case and every malformed file (one fixture each)."""

import io
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tasks.intake.parse import Limits, parse_file
from tasks.intake.readers import Readers

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "parse"


def parse(name: str, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    return parse_file(name, (FIXTURES / name).read_bytes(), limits)


def test_workbook_with_every_normalisation() -> None:
    sub = parse("normalisation.xlsx")
    assert sub.problems == []
    assert sub.info == {
        "unit_code": "703",
        "period": "Quý III/2024",
        "reported_by": "Nguyễn Thị Hoà",
        "reported_on": "05/10/2024",
    }
    assert [(f.code, f.raw, f.value, f.row) for f in sub.figures] == [
        ("ENT_ACTIVE_TOTAL", "1.234", 1234, 2),
        ("POPULATION", "135000", 135000, 3),
        ("SITES_5G", "12", 12, 4),
        ("DX_CLASSES", "", None, 5),
    ]
    assert sub.figures[1].note == "số liệu Cục Thống kê"
    e = sub.enterprises
    assert [x.row for x in e] == [2, 3, 4, 5]  # trailing empty rows dropped
    assert e[0].tax_code == "0100109106" and e[0].enterprise_code == "0100109106"
    assert e[0].name == "Công ty Cổ phần Phần mềm Hà Nội"  # NFD became NFC
    assert (e[0].type, e[0].dx_capable, e[0].established_on, e[0].status) == (
        "ICT",
        True,
        date(2019, 3, 1),
        "active",
    )
    assert e[1].tax_code == "3900244389-001" and e[1].enterprise_code == "3900244389"
    assert (e[1].name, e[1].type, e[1].dx_capable, e[1].established_on) == (
        "Chi nhánh Viễn thông",
        "DIGITAL_STARTUP",
        True,
        date(2020, 6, 15),
    )
    assert (e[2].type, e[2].dx_capable, e[2].established_on, e[2].status) == (
        "CONVERTED",
        False,
        date(2020, 1, 1),
        "suspended",
    )
    assert (e[3].type, e[3].status) == ("STARTUP_APPLYING_DT", "dissolved")


def test_json_with_bom_and_nfd() -> None:
    sub = parse("bom_nfd.json")
    assert sub.problems == [] and sub.format == "json"
    assert sub.info["reported_by"] == "Lê Văn Tám" and sub.info["period"] == "2024-Q3"
    assert [(f.code, f.value) for f in sub.figures] == [
        ("ENT_ACTIVE_TOTAL", 1234),
        ("POPULATION", 135000),
        ("SITES_5G", 12),
        ("DX_CLASSES", None),
    ]
    assert sub.enterprises[0].tax_code == "0100109106"
    assert sub.enterprises[0].name == "Công ty Phần mềm"


def test_duplicate_json_keys_stay_visible_for_the_validator() -> None:
    sub = parse("duplicate_key.json")
    assert sub.problems == []
    assert [(f.code, f.value) for f in sub.figures] == [("POPULATION", 1), ("POPULATION", 2)]


CASES = [
    ("report.csv", None, ("file_format", None, None, None, ".csv")),
    ("not_a_zip.xlsx", None, ("file_unreadable", None, None, None, "File is not a zip file")),
    ("truncated.xlsx", None, ("file_unreadable", None, None, None, "File is not a zip file")),
    (
        "entities.xlsx",
        None,
        ("xml_entities", None, None, "xl/worksheets/sheet1.xml", "<!DOCTYPE/<!ENTITY"),
    ),
    (
        "bomb.xlsx",
        Limits(max_unpacked_bytes=2 * 1024 * 1024),
        ("file_unpack_too_large", None, None, None, "3164625 bytes"),
    ),
    (
        "normalisation.xlsx",
        Limits(max_file_bytes=1000),
        (
            "file_too_large",
            None,
            None,
            None,
            f"{(FIXTURES / 'normalisation.xlsx').stat().st_size} bytes",
        ),
    ),
    ("sheet_missing.xlsx", None, ("sheet_missing", "enterprises", None, None, "info, indicators")),
    (
        "sheet_ambiguous.xlsx",
        None,
        ("sheet_ambiguous", "enterprises", None, None, "enterprises, Doanh nghiệp"),
    ),
    (
        "column_missing.xlsx",
        None,
        ("column_missing", "enterprises", 1, "tax_code", "name, type, status"),
    ),
    ("nan.json", None, ("json_not_number", None, None, None, "NaN")),
    ("infinity.json", None, ("json_not_number", None, None, None, "-Infinity")),
    ("deep.json", None, ("json_too_deep", None, None, None, None)),
    ("syntax.json", None, ("json_invalid", None, 2, None, "Expecting ',' delimiter")),
    ("latin1.json", None, ("file_encoding", None, None, None, "byte 38")),
    ("root_list.json", None, ("json_shape", None, None, "$", "list")),
    ("indicators_list.json", None, ("json_shape", None, None, "indicators", "list")),
    ("no_enterprises.json", None, ("sheet_missing", "enterprises", None, None, None)),
]


@pytest.mark.parametrize(("name", "limits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_malformed_file_reports_exactly_its_problem(
    name: str, limits: Limits | None, expected: tuple[object, ...]
) -> None:
    sub = parse(name, limits)
    assert [(p.code, p.sheet, p.row, p.field, p.value) for p in sub.problems] == [expected]
    assert sub.problems[0].severity == "error" and not sub.readable
    assert sub.problems[0].message_vi and sub.problems[0].message_en


def test_bomb_within_a_larger_limit_is_read() -> None:
    assert parse("bomb.xlsx").problems == []


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the declared uncompressed size of ``member`` (local and central headers)."""
    import struct
    import zipfile

    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", buf, info.header_offset + 22, size)  # local header
    name = member.encode()
    pos = buf.find(b"PK\x01\x02", 0)
    while pos != -1:
        n = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46 : pos + 46 + n]) == name:
            struct.pack_into("<I", buf, pos + 24, size)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def test_a_zip_that_lies_about_its_unpacked_size_is_refused() -> None:
    data = _lie_about_size((FIXTURES / "bomb.xlsx").read_bytes(), "xl/media/padding.bin", 100)
    sub = parse_file("liar.xlsx", data, Limits(max_unpacked_bytes=2 * 1024 * 1024))
    assert [(p.code, p.field, p.value) for p in sub.problems] == [
        ("file_unreadable", "xl/media/padding.bin", "sizes in the zip directory are inconsistent")
    ]


def test_a_process_pool_parses_exactly_as_one_process_does() -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    files = (files * 4)[:67]
    limits = Limits()
    readers = Readers(limits, workers=2)
    pooled = readers.many(files)
    assert pooled == [parse_file(name, data, limits) for name, data in files]
    assert readers.pool.started  # the pool did the work
    readers.close()
    assert {p.format for p in pooled} >= {"xlsx", "json"}
    assert any(p.problems for p in pooled) and any(p.enterprises for p in pooled)


def test_a_file_that_kills_its_reader_costs_that_file_only() -> None:
    # the reader allocates a sheet's whole declared rectangle: with the sheet limits lifted,
    # one cell at XFD1048576 asks for half a terabyte, past the worker's address space, and
    # the native reader aborts its process (SIGABRT): the files beside it are still read
    from tests.support.hostile import communes, far_cell, workbook

    units = communes()
    good = workbook(units[0])
    limits = Limits(max_roster_rows=2_000_000, max_sheet_columns=20_000, reader_memory_mb=512)
    files = [("a.xlsx", good), ("far.xlsx", far_cell(units[1], "XFD1048576")), ("b.xlsx", good)]
    readers = Readers(limits, workers=2)
    out = readers.many(files)
    assert [p.problems for p in (out[0], out[2])] == [[], []]
    assert len(out[0].figures) == 11
    assert [(p.code, p.severity) for p in out[1].problems] == [("file_crashes_reader", "error")]
    assert readers.many([("a.xlsx", good)])[0].figures  # a fresh pool
    readers.close()


def test_the_default_limits_refuse_that_file_before_the_reader_sees_it() -> None:
    from tests.support.hostile import communes, far_cell

    # the value is the sheet's extent: the template's roster runs to row 201
    for ref, extent in (("XFD1048576", "XFD1048576"), ("ZZ200000", "ZZ200000"), ("BM2", "BM201")):
        sub = parse_file("far.xlsx", far_cell(communes()[0], ref), Limits())
        assert [(p.code, p.sheet, p.value) for p in sub.problems] == [
            ("sheet_too_large", "Doanh nghiệp", extent)
        ]
    assert not parse_file("ok.xlsx", far_cell(communes()[0], "BL21000"), Limits()).problems


def test_files_parsed_ahead_are_taken_once_and_equal_a_parse_now() -> None:
    import hashlib

    files = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    limits = Limits()
    keyed = [(hashlib.sha256(d).hexdigest(), n, d) for n, d in files]
    readers = Readers(limits, workers=2)
    assert readers.start_ahead(keyed) == len(files)
    sha, name, data = keyed[0]
    assert readers.take_ahead(sha, name) == parse_file(name, data, limits)
    assert readers.take_ahead(sha, name) is None  # taken once
    for sha, name, data in keyed[1:]:
        assert readers.take_ahead(sha, name) == parse_file(name, data, limits)
    assert Readers(limits, workers=1).start_ahead(keyed) == 0  # no second core: none ahead
    readers.start_ahead(keyed)
    readers.forget_ahead()
    assert readers.take_ahead(*keyed[0][:2]) is None
    readers.close()


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat from the state on (state, parent, …); empty once reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    return _stat(pid)[:1] not in ([], ["Z"])


def test_the_parser_pool_does_not_outlive_a_killed_owner() -> None:
    # `chiso run` killed with SIGKILL cannot stop its pool: the workers (and the forkserver
    # they keep alive) used to stay for good, idle, a set per killed run
    code = (
        "from tasks.intake.pool import ReaderPool\n"
        "readers = ReaderPool(2, 0)\n"
        "futures = [readers.submit(abs, -i) for i in range(4)]\n"
        "assert [f.result() for f in futures] == [0, 1, 2, 3]\n"
        "print(*readers._pool()._processes, flush=True)\n"
        "import time; time.sleep(120)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    workers = [int(p) for p in owner.stdout.readline().split()]
    forkserver = {
        int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1]) for p in workers
    }
    assert len(workers) == 2 and len(forkserver) == 1
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(map(_alive, [*workers, *forkserver])):
        time.sleep(0.2)
    assert not any(map(_alive, [*workers, *forkserver]))


def _hostile() -> list[Any]:
    from tests.support.hostile import cases, communes

    return [c for c in cases(communes()) if c.expected != "period_future"]


@pytest.mark.parametrize("case", _hostile(), ids=lambda c: c.name)
def test_a_hostile_file_gives_its_one_specific_problem(case: Any) -> None:
    sub = parse_file(case.filename, case.content, Limits())
    assert {p.code for p in sub.problems} == {case.expected}
    assert all(p.severity == "error" for p in sub.problems)
    for p in sub.problems:  # what is shown carries no control character or surrogate
        assert "\x00" not in (p.value or "") and "\udc80" not in (p.value or "")
        (p.value or "").encode("utf-8")


def test_figures_stay_within_what_every_sum_can_hold() -> None:
    from tests.support.hostile import communes
    from tests.support.inbox import valid_doc

    doc = valid_doc(communes()[0])
    for value, ok in ((10**12, True), (10**12 + 1, False), ("1.000.000.000.000", True)):
        doc["indicators"]["POPULATION"] = value
        sub = parse_file("r.json", json.dumps(doc).encode(), Limits())
        assert (not sub.problems) is ok, (value, sub.problems)
    assert Limits().max_figure * 4 * 20_000 < 2**63  # a year of a national catalog's units


def test_what_a_reader_hands_back_is_bounded_per_file() -> None:
    """300 KB of workbook whose 140,000 roster cells all point at one long shared string
    was 142 MB of rows handed back per file (and held for the whole batch): now the reader
    hands back the one problem, whatever the file holds."""
    import pickle

    from tests.support.hostile import communes, shared_string_roster

    data = shared_string_roster(communes()[0])
    assert len(data) < 400_000
    readers = Readers(Limits(), workers=1)
    (out,) = readers.many([("r.xlsx", data)])
    readers.close()
    assert [(p.code, p.severity) for p in out.problems] == [("content_too_large", "error")]
    assert out.problems[0].value is not None and out.problems[0].value.endswith("MB once read")
    assert len(pickle.dumps(out)) < 10_000


def test_a_file_past_the_cpu_limit_is_too_costly_not_a_crash() -> None:
    """A reader killed by its CPU limit (SIGXCPU) says the file was too costly to read,
    once (reading it again would cost as much), and the files beside it are read."""
    costly = b'{"unit_code": "' + b'\\"' * 15_000_000  # an unterminated string of \"
    limits = Limits(max_file_bytes=64 * 1024 * 1024, reader_cpu_seconds=1)
    readers = Readers(limits, workers=1)
    ok = json.dumps({"unit_code": "25459"}).encode()
    out = readers.many([("a.json", ok), ("costly.json", costly), ("b.json", ok)])
    readers.close()
    assert out[0].info["unit_code"] == out[2].info["unit_code"] == "25459"
    assert [(p.code, p.value) for p in out[1].problems] == [
        ("file_too_costly", "more than 1 s of CPU")
    ]


def test_a_corrupt_deflate_stream_is_unreadable_not_an_internal_error() -> None:
    """``zlib.error`` is no ``OSError``: a list of zip errors let it through as
    ``internal_error``; any exception of the zip is now the file's own problem."""
    import zipfile

    from tests.support.hostile import communes, workbook

    data = bytearray(workbook(communes()[0]))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[3]
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    for i in range(start, start + 20):
        data[i] ^= 0xFF
    readers = Readers(Limits(), workers=1)
    (out,) = readers.many([("r.xlsx", bytes(data))])
    readers.close()
    assert [p.code for p in out.problems] == ["file_unreadable"]
    assert out.problems[0].value and "decompressing" in out.problems[0].value


def test_a_chunk_is_read_with_no_pass_of_the_cyclic_collector() -> None:
    """The collector waits until a chunk is read (its passes over the growing results
    cost the pool about 4 % of its CPU), and runs again after, whatever a file
    did: a file that breaks its reader included."""
    import gc
    import resource

    from tasks.intake.parse import read_chunk

    files = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    files += [("broken.xlsx", b"PK\x03\x04 not a workbook"), ("broken.json", b"{")] * 50
    passes: list[int] = []
    # read_chunk is a worker's: it lowers its process's CPU limit per file, which here is
    # the test runner's, and would end it (SIGXCPU) some CPU seconds later
    cpu_limit = resource.getrlimit(resource.RLIMIT_CPU)
    gc.callbacks.append(cb := lambda phase, info: passes.append(info["generation"]))
    try:
        read = read_chunk(files, Limits())
    finally:
        gc.callbacks.remove(cb)
        resource.setrlimit(resource.RLIMIT_CPU, cpu_limit)
    assert len(read) == len(files) and any(r.readable for r in read)
    assert passes == []
    assert gc.isenabled()


@pytest.mark.parametrize("where", ["first chunk", "cut between chunks", "second chunk"])
def test_a_formula_without_value_is_found_wherever_its_sheet_holds_it(where: str) -> None:
    """The workbook check names the sheets that may hold a formula, and only those are
    read again for formulas without a value: a sheet read in one piece when its XML shows
    a formula tag, and any sheet read in more than one chunk (a tag cut between two
    chunks shows in neither)."""
    from tasks.intake.filesafety import _CHUNK
    from tests.support.hostile import communes, formula_without_value, patch_member, sheet_member

    unit = communes()[0]
    data = formula_without_value(unit)
    member = sheet_member(data, "Chỉ tiêu")

    def pad(xml: bytes) -> bytes:
        if where == "first chunk":
            return xml
        at = xml.index(b"<f>") + {"cut between chunks": 1, "second chunk": 200}[where]
        filler = _CHUNK - at - len(b"<!---->")  # ends the first chunk where ``at`` falls
        head = xml.index(b"<sheetData")
        return xml[:head] + b"<!--" + b"x" * filler + b"-->" + xml[head:]

    data = patch_member(data, member, pad)
    sub = parse_file("r.xlsx", data, Limits())
    assert {p.code for p in sub.problems} == {"cell_formula_no_value"}
