"""The ``chiso`` commands as a person runs them: output and exit codes (0 done, 1 an
infrastructure failure, 2 a usage error)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.intake.parse import parse_file
from tests.support.inbox import at, valid_doc, write

CHISO = str(Path(sys.executable).with_name("chiso"))


def chiso(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")} | env
    return subprocess.run([CHISO, *args], capture_output=True, text=True, env=full, timeout=300)


def test_usage_errors_exit_2_with_a_reason(tmp_path: Path) -> None:
    for args, said in (
        (["run", "--inbox", str(tmp_path / "nope")], "inbox folder not found"),
        (["run", "--inbox", str(tmp_path), "--period", "2025Q5"], "2025Q5"),
        (["status", "--period", "Q9/2025", "--home", str(tmp_path)], "Q9/2025"),
        (["template", "--unit", "99999", "--period", "2025Q3"], "unknown reporting unit"),
        (["template", "--unit", "703", "--period", "2025Q3"], "does not report for 2025Q3"),
    ):
        done = chiso(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert said in done.stderr and "Traceback" not in done.stderr


def test_an_unreachable_database_exits_1_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "inbox", "25459/2025Q3/r.json", valid_doc(), at(datetime(2025, 10, 2)))
    url = "postgresql+psycopg://chiso:S3CRET@127.0.0.1:9/chiso"  # nothing listens on 9
    done = chiso("run", "--inbox", str(tmp_path / "inbox"), CHISO_DATABASE_URL=url)
    assert done.returncode == 1, done.stderr
    assert "run failed" in done.stderr and "Traceback" not in done.stderr
    assert "S3CRET" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("given", "expected"),
    [({}, "180"), ({"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "45"}, "45")],
)
def test_prefects_temporary_api_gets_time_to_start(given: dict[str, str], expected: str) -> None:
    """With no API configured, a command gives Prefect's temporary API 180 s to start (its
    own 20 s were too few on a loaded 2-core machine), unless the operator set it; as
    Prefect itself reads it, in a fresh process as ``chiso`` starts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_"))} | given
    code = (
        "from flows.settings import quiet_offline; quiet_offline()\n"
        "from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as T\n"
        "print(T.value())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stdout.strip() == expected, done.stderr[-2000:]


def test_template_writes_a_workbook_that_parses_clean(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    done = chiso("template", "--unit", "25459", "--period", "Quý III/2025", "--out", str(out))
    assert done.returncode == 0 and f"wrote {out}" in done.stdout
    sub = parse_file(out.name, out.read_bytes())
    assert not sub.problems
    assert (sub.info["unit_code"], sub.info["period"]) == ("25459", "2025Q3")


def test_db_upgrade_creates_the_schema_and_hides_the_password(pg_url: str) -> None:
    secret = pg_url.replace("postgresql+psycopg://postgres@", "postgresql+psycopg://postgres:pw@")
    secret = secret.replace("postgresql+psycopg://root@", "postgresql+psycopg://root:pw@")
    done = chiso("db", "upgrade", CHISO_DATABASE_URL=secret)
    assert done.returncode == 0, done.stderr
    assert "database at revision 0005" in done.stdout and ":pw@" not in done.stdout


def test_status_defaults_to_the_quarter_ended_by_the_local_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli.status import show_status

    # 00:30 on 2025-10-01 in Vietnam, still 2025-09-30 in UTC: 2025Q3 has ended
    assert show_status(None, tmp_path, datetime(2025, 9, 30, 17, 30, tzinfo=UTC)) == 0
    out = capsys.readouterr().out
    assert "2025Q3: completeness and timeliness" in out
    assert "25459" in out and "pending: 96" in out
    # the territory rows of completeness (contract 5a)
    lines = {line.split("│")[2].strip(): line for line in out.splitlines() if line.count("│") > 5}
    assert [c.strip() for c in lines["TN_FORMER"].split("│")[4:9]] == ["36", "0", "0", "0", "36"]
    assert [c.strip() for c in lines["LA_FORMER"].split("│")[4:9]] == ["60", "0", "0", "0", "60"]
    assert [c.strip() for c in lines["80"].split("│")[4:9]] == ["96", "0", "0", "0", "96"]


def test_accounts_from_the_command_line(tmp_path: Path) -> None:
    """``chiso account``: an invitation link on the portal's address, a token on the last
    line (stored hashed, shown once), the list, disabling; usage errors exit 2."""
    from sqlalchemy import create_engine, text

    home = str(tmp_path / "home")
    env = {"CHISO_PORTAL_URL": "https://chiso.example.vn/"}
    done = chiso(
        "account", "add", "--unit", "025459", "--email", "Xa@Example.vn", "--home", home, **env
    )
    assert done.returncode == 0, done.stderr
    assert "unit account xa@example.vn of unit 25459" in done.stdout
    assert "https://chiso.example.vn/invite/" in done.stdout
    token = chiso("account", "token", "--email", "xa@example.vn", "--home", home).stdout.split()[-1]
    assert token.startswith("chiso_") and len(token) > 40
    engine = create_engine(f"sqlite:///{home}/chiso.db")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash, password_hash FROM account")).one()
    engine.dispose()
    assert stored[0] != token and len(stored[0]) == 64 and stored[1] is None
    for args, said in (
        (["account", "add", "--unit", "99999", "--email", "a@b.vn"], "unknown reporting unit"),
        (["account", "add", "--unit", "25459", "--email", "xa@example.vn"], "exists already"),
        (["account", "add", "--unit", "25459", "--officer", "--email", "c@b.vn"], "--unit CODE"),
        (["account", "add", "--email", "not an address"], "--unit CODE"),
        (["account", "token", "--email", "nobody@b.vn"], "no account"),
    ):
        done = chiso(*args, "--home", home)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert said in done.stderr and "Traceback" not in done.stderr
    assert chiso("account", "disable", "--email", "xa@example.vn", "--home", home).returncode == 0
    listed = chiso("account", "list", "--home", home).stdout
    assert "xa@example.vn\tunit\t25459\tdisabled\tinvited" in listed


def test_feedback_is_stored_as_json_and_rendered_on_demand(tmp_path: Path) -> None:
    """Contract v4: the feedback report is stored as JSON only; ``chiso feedback`` prints it
    or renders its page."""
    import json

    home = tmp_path / "home"
    write(tmp_path / "inbox", "25459/2025Q3/r.json", valid_doc(), at(datetime(2025, 10, 2)))
    assert chiso("run", "--inbox", str(tmp_path / "inbox"), "--home", str(home)).returncode == 0
    stored = sorted(p.name for p in (home / "objects" / "feedback").rglob("*") if p.is_file())
    assert len(stored) == 1 and stored[0].endswith(".json")
    sid = stored[0].removesuffix(".json")
    shown = chiso("feedback", "--submission", sid, "--home", str(home))
    assert shown.returncode == 0 and json.loads(shown.stdout)["submission_id"] == sid
    page = tmp_path / "fb.html"
    done = chiso("feedback", "--submission", sid, "--out", str(page), "--home", str(home))
    assert done.returncode == 0 and "Đã tiếp nhận" in page.read_text("utf-8")
    missing = chiso("feedback", "--submission", "nope", "--home", str(home))
    assert missing.returncode == 2 and "no submission" in missing.stderr


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def test_a_portal_stopped_with_sigterm_leaves_no_prefect_server_behind(tmp_path: Path) -> None:
    """``chiso portal`` on embedded defaults starts Prefect's temporary API (a uvicorn child
    process) for its decisions. Stopped as a service manager stops it (SIGTERM), it must
    take that server with it: uvicorn re-raised the signal after its shutdown, Python's
    default handler ended the process at once, and the server lived on, its port taken."""
    import signal
    import time

    import httpx

    from tests.support.ports import free_port

    port = free_port()
    (tmp_path / "inbox").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_API"))}
    env |= {"CHISO_SOURCES": str(tmp_path / "inbox")}
    cmd = [str(CHISO), "portal", "--port", str(port), "--home", str(tmp_path / "home")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not children:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    children = _children(proc.pid)  # the temporary API, started by now
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert children, "the portal started no temporary API"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        time.sleep(1)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        assert not alive, [Path(f"/proc/{p}/cmdline").read_bytes()[:120] for p in alive]
    finally:
        proc.kill()
        for pid in children:  # whatever the outcome, nothing of the test left running
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
