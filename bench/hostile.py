"""The hostile corpus at full size beside good files: ``chiso run`` twice, wall time and the
peak memory of the whole process tree (chiso, its reader workers, Prefect's API).

    uv run python bench/hostile.py [--postgres]

Besides the test corpus (``tests/support/hostile.py``: numbers out of range, far cells,
surrogates, NUL, formulas, a quarter in the future, link loops, a hard link, a long period
folder), it adds the issue's large cases: 1,000,000 indicator codes in a 12 MB JSON,
150,000 invalid roster rows in a 9 MB workbook, a 200,000-row roster of duplicates, a 1 GiB
sparse file and a 1 MB shared-strings part. Target: both runs exit 0, the good files'
figures published, peak under 1 GB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import results_dir  # noqa: E402

CHISO = str(Path(sys.executable).parent / "chiso")
PEAK_TARGET_MB = 1024


def tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and every descendant, in KB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1])
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measured(cmd: list[str], env: dict[str, str]) -> tuple[int, float, int, str]:
    """Exit code, wall seconds, peak tree RSS (KB, sampled every 0.1 s), stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, _ = proc.communicate()
    watcher.join()
    return proc.returncode, time.perf_counter() - start, peak[0], out.decode()


def big_cases(inbox: Path, units: list[str]) -> list[str]:
    """The issue's large files, each under its own unit; their names."""
    from tests.support.hostile import RECEIVED, workbook
    from tests.support.inbox import valid_doc, write

    u = iter(units)
    names = []
    doc = valid_doc(unit := next(u))
    doc["indicators"] |= {f"X{i:07d}": 1 for i in range(1_000_000)}
    write(inbox, f"{unit}/2025Q3/codes.json", doc, RECEIVED)
    names.append("1,000,000 indicator codes (JSON)")
    doc = valid_doc(unit := next(u))
    doc["enterprises"] = [doc["enterprises"][0]] * 200_000
    write(inbox, f"{unit}/2025Q3/dups.json", doc, RECEIVED)
    names.append("200,000-row roster of duplicates (JSON)")
    doc = valid_doc(unit := next(u))
    doc["enterprises"] = [
        {"tax_code": f"MST{i}", "name": "x", "type": "?", "status": "?"} for i in range(150_000)
    ]
    write(inbox, f"{unit}/2025Q3/invalid.xlsx", workbook(unit, doc), RECEIVED)
    names.append("150,000 invalid roster rows (XLSX)")
    path = inbox / (unit := next(u)) / "2025Q3" / "sparse.json"
    path.parent.mkdir(parents=True)
    with path.open("wb") as f:
        f.truncate(1 << 30)
    names.append("1 GiB sparse file")
    unit = next(u)
    data = with_shared_strings(workbook(unit), 80_000)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        size = zf.getinfo("xl/sharedStrings.xml").file_size
    write(inbox, f"{unit}/2025Q3/strings.xlsx", data, RECEIVED)
    names.append(f"a {size // 1024} KB shared-strings part")
    return names


def with_shared_strings(data: bytes, n: int) -> bytes:
    """The workbook with a shared-strings part of ``n`` strings (openpyxl writes inline
    strings) and a roster cell pointing at the last one."""
    from tests.support.hostile import patch_member, sheet_member

    sst = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">'
        + "".join(f"<si><t>{i}</t></si>" for i in range(n))
        + "</sst>"
    ).encode()
    rel = (
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    kind = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats'
        b'-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    data = patch_member(
        data, "xl/_rels/workbook.xml.rels", lambda x: x.replace(b"</Relationships>", rel)
    )
    data = patch_member(data, "[Content_Types].xml", lambda x: x.replace(b"</Types>", kind))
    cell = f'<row r="300"><c r="B300" t="s"><v>{n - 1}</v></c></row></sheetData>'.encode()
    member = sheet_member(data, "Doanh nghiệp")
    data = patch_member(data, member, lambda x: x.replace(b"</sheetData>", cell))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info), zipfile.ZIP_DEFLATED)
        dst.writestr("xl/sharedStrings.xml", sst, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    from tests.support import hostile

    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL for chiso's database")
    parser.add_argument(
        "--runs", type=int, default=2, help="chiso runs on the same home (the second: a rerun)"
    )
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_API"))}
    env |= {"GX_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env |= {"DO_NOT_TRACK": "1"} | ({"CHISO_DATABASE_URL": args.postgres} if args.postgres else {})
    units = hostile.communes()
    with tempfile.TemporaryDirectory() as tmp:
        inbox, home = Path(tmp) / "inbox", Path(tmp) / "home"
        inbox.mkdir()
        good = units[:20]
        hostile.write_good(inbox, good)
        cases = hostile.cases(units[20:])
        hostile.write_cases(inbox, cases)
        rest = units[20 + len(cases) :]
        hostile.odd_entries(inbox, rest[:4])
        big = big_cases(inbox, rest[4:])
        print(f"inbox: {len(good)} good files, {len(cases)} test cases, 4 odd entries, {big}")
        results = []
        for n in range(1, args.runs + 1):
            cmd = [CHISO, "run", "--inbox", str(inbox), "--home", str(home)]
            code, wall, peak, out = measured(cmd, env)
            results.append(
                {"run": n, "exit": code, "wall_s": round(wall, 1), "peak_mb": peak // 1024}
            )
            if n == 1:
                summary = [line for line in out.splitlines() if line.startswith("files seen")]
        from tests.support.snapshots import province, read_csv

        rows = read_csv(home, "2025Q3", "indicators.csv")
        reported = province(rows, "DTE_COUNT")["reported_units"]
    print(f"{'run':<5}{'exit':>6}{'wall s':>9}{'peak MB':>10}{'peak/target':>13}")
    for r in results:
        ratio = r["peak_mb"] / PEAK_TARGET_MB
        print(f"{r['run']:<5}{r['exit']:>6}{r['wall_s']:>9}{r['peak_mb']:>10}{ratio:>13.2f}")
    print(summary[0] if summary else "(no summary)")
    print(
        f"2025Q3 published with {reported} reporting units "
        f"(good files: {len(good)}, + 1 file of an undecodable name)"
    )
    out = results_dir()
    out.mkdir(exist_ok=True)
    (out / "hostile.json").write_text(json.dumps({"runs": results, "reported": reported}))


if __name__ == "__main__":
    main()
