"""Reminders, the officers' digest and the outbox over a simulated quarter, against a real
SMTP server, on SQLite and PostgreSQL (contract v4, section 9)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from flows.remind import remind
from flows.resources import Resources
from flows.settings import Settings
from models.mail import Mail
from models.periods import Period
from models.submission import Submission
from tasks.accounts.store import add_account, disable
from tests.support.smtp import smtp_server

Q = "2025Q3"
DUE = date(2025, 10, 15)
PORTAL = "https://chiso.tayninh.example/"


def _resources(tmp_path: Path, db_url: str, smtp: str | None) -> Resources:
    res = Resources(
        Settings(home=tmp_path / "home", database_url=db_url, smtp_url=smtp, portal_url=PORTAL)
    )
    res.prepare_database()
    return res


def _submit(res: Resources, unit: str, day: date, status: str = "accepted") -> str:
    """A decided submission of ``unit`` received at 09:00 UTC on ``day``."""
    sid = uuid.uuid4().hex
    when = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    with Session(res.engine) as s:
        s.add(
            Submission(
                id=sid,
                source_uri=f"inbox/{unit}/{Q}/{sid}.json",
                content_sha256=sid * 2,
                filename="r.json",
                format="json",
                size_bytes=10,
                object_key=f"raw/{unit}/{Q}/{sid}.json",
                path_unit=unit,
                path_period=Q,
                unit_code=unit,
                period=Q,
                received_at=when,
                collected_at=when,
                status=status,
                decided_at=when,
            )
        )
        s.commit()
    return sid


# units of the merged province and the day (from the due date) each reports, if it does
EARLY, WEEK_BEFORE, LATE, NEVER, REJECTED_ONLY, TWO_ACCOUNTS, ON_DAY = (
    "25459",
    "25480",
    "25486",
    "25489",
    "25498",
    "25510",
    "25516",
)
REPORTS = {EARLY: -10, WEEK_BEFORE: -7, LATE: 2, TWO_ACCOUNTS: 9, ON_DAY: 0}
# what section 9 says each unit's account gets: the reminder days before it reported
EXPECTED = {
    EARLY: [],
    WEEK_BEFORE: [],  # reported on the day of its first reminder: counted by the end of it
    LATE: [-7, 0],
    NEVER: [-7, 0, 7],
    REJECTED_ONLY: [-7, 0, 7],  # a rejected file is not a report
    TWO_ACCOUNTS: [-7, 0, 7],  # reported on day 9, after all three
    ON_DAY: [-7],
}


def test_a_simulated_quarter_gives_each_unit_exactly_its_reminders(
    tmp_path: Path, db_url: str
) -> None:
    with smtp_server() as (url, server):
        res = _resources(tmp_path, db_url, url)
        emails = {}
        for unit in EXPECTED:
            add_account(res.engine, res.units, f"u{unit}@xa.vn", unit, None)
            emails[f"u{unit}@xa.vn"] = unit
        add_account(res.engine, res.units, "second@xa.vn", TWO_ACCOUNTS, None)
        emails["second@xa.vn"] = TWO_ACCOUNTS
        add_account(res.engine, res.units, "off@xa.vn", NEVER, None)
        disable(res.engine, "off@xa.vn")  # a disabled account gets nothing
        for officer in ("o1@so.vn", "o2@so.vn"):
            add_account(res.engine, res.units, officer, None, None)
        for unit, day in REPORTS.items():
            _submit(res, unit, DUE + timedelta(days=day))
        _submit(res, REJECTED_ONLY, DUE - timedelta(days=12), status="rejected")

        for offset in range(-20, 21):
            done = remind(res, DUE + timedelta(days=offset))
            assert done["stopped"] is None and done["retry"] == 0

        with Session(res.engine) as s:
            mails = list(s.exec(select(Mail)))
        assert {m.state for m in mails} == {"sent"}
        got = Counter(r.to[0] for r in server.got)
        assert sum(got.values()) == len(mails)  # each queued mail sent once
        assert len({r.message["Message-ID"] for r in server.got}) == len(server.got)
        reminders: dict[str, list[int]] = {}
        for m in mails:
            if m.kind == "reminder" and m.period == Q:
                reminders.setdefault(m.recipient, []).append(m.reminder_day)  # type: ignore[arg-type]
        for email, unit in emails.items():
            assert sorted(reminders.get(email, [])) == EXPECTED[unit], (email, unit)
            assert got[email] == len(EXPECTED[unit])
        assert "off@xa.vn" not in got
        # the digest: once per officer, on the day after the due date, naming who was missing
        digests = [m for m in mails if m.kind == "digest" and m.period == Q]
        assert sorted(m.recipient for m in digests) == ["o1@so.vn", "o2@so.vn"]
        text = digests[0].text
        for unit in (LATE, NEVER, REJECTED_ONLY, TWO_ACCOUNTS):
            assert unit in text
        for unit in (EARLY, WEEK_BEFORE, ON_DAY):
            assert f" {unit} " not in text
        assert "72 của 96" not in text and "96" in text  # of the 96 expected communes


def test_a_first_run_late_sends_only_the_latest_day_that_passed(
    tmp_path: Path, db_url: str
) -> None:
    with smtp_server() as (url, server):
        res = _resources(tmp_path, db_url, url)
        add_account(res.engine, res.units, "x@xa.vn", NEVER, None)
        remind(res, DUE + timedelta(days=3))  # day -7 passed unsent: not sent now
        remind(res, DUE + timedelta(days=3))  # a second run the same day: nothing more
        with Session(res.engine) as s:
            days = [m.reminder_day for m in s.exec(select(Mail).where(Mail.kind == "reminder"))]
        assert days == [0] and len(server.got) == 1


def test_dry_run_lists_and_sends_nothing(tmp_path: Path, db_url: str) -> None:
    with smtp_server() as (url, server):
        res = _resources(tmp_path, db_url, url)
        add_account(res.engine, res.units, "x@xa.vn", NEVER, None)
        done = remind(res, DUE, dry_run=True)
        assert [(d.recipient, d.reminder_day) for d in done["would_queue"]] == [("x@xa.vn", 0)]
        with Session(res.engine) as s:
            assert not list(s.exec(select(Mail)))
        assert not server.got


@pytest.mark.parametrize("mode", ["refuse", "busy", "drop", "silent"])
def test_a_mail_server_that_fails_leaves_the_mails_waiting_then_sends_each_once(
    tmp_path: Path, db_url: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import tasks.mail.smtp as smtp
    from tests.support.smtp import silent_server

    monkeypatch.setattr(smtp, "STEP_SECONDS", 2.0)  # each step's 30 s, shortened
    monkeypatch.setattr(smtp, "RUN_SECONDS", 6.0)  # the run's 2 minutes, shortened
    with smtp_server() as (good, server):
        res = _resources(tmp_path, db_url, good)
        for unit in (NEVER, LATE, REJECTED_ONLY):
            add_account(res.engine, res.units, f"u{unit}@xa.vn", unit, None)
        if mode == "silent":
            ctx = silent_server()
            res.settings.smtp_url = ctx.__enter__()
        else:
            server.mode = mode
        start = time.monotonic()
        done = remind(res, DUE)
        took = time.monotonic() - start
        if mode == "silent":
            ctx.__exit__(None, None, None)
        assert done["queued"] == 3 and done["sent"] == 0 and done["retry"] >= 1, done
        assert took < 6.0 + 3.0, took  # the run's bound, not the server's mercy
        assert done["outbox"] == {"waiting": 3}
        # the server back: each mail exactly once
        server.mode = "ok"
        res.settings.smtp_url = good
        again = remind(res, DUE)
        assert again["queued"] == 0 and again["sent"] == 3
        assert sorted(r.to[0] for r in server.got) == sorted(
            f"u{u}@xa.vn" for u in (NEVER, LATE, REJECTED_ONLY)
        )
        assert remind(res, DUE)["sent"] == 0


def test_a_reminder_is_dropped_when_the_unit_reports_before_it_could_be_sent(
    tmp_path: Path, db_url: str
) -> None:
    res = _resources(tmp_path, db_url, None)  # no mail server: the reminder waits
    add_account(res.engine, res.units, "x@xa.vn", NEVER, None)
    assert remind(res, DUE)["queued"] == 1
    _submit(res, NEVER, DUE)
    with smtp_server() as (url, server):
        res.settings.smtp_url = url
        done = remind(res, DUE)
    assert done["dropped"] == 1 and not server.got


def test_the_mail_says_it_in_vietnamese_utf8_with_links_to_the_portal(
    tmp_path: Path, db_url: str
) -> None:
    with smtp_server() as (url, server):
        res = _resources(tmp_path, db_url, url)
        add_account(res.engine, res.units, "x@xa.vn", NEVER, None)
        add_account(res.engine, res.units, "y@xa.vn", LATE, None)
        remind(res, DUE + timedelta(days=7))
        mine = next(r for r in server.got if r.to == ["x@xa.vn"])
    raw = mine.raw
    assert b"=?utf-8?" in raw.lower()  # the subject encoded (RFC 2047), the bytes ASCII
    msg = mine.message
    unit = res.units.find(NEVER)
    assert unit is not None
    assert msg["Subject"].startswith("[chiso] Quá hạn báo cáo quý 3/2025")
    assert msg.get_content_charset() in (None, "utf-8")
    text, html = mine.body("plain"), mine.body("html")
    for body in (text, html):
        assert unit.name in body and "2025-10-15" in body and "quá hạn" in body
        assert f"{PORTAL}send?period={Q}" in body
        assert f"{PORTAL}api/v1/template?period={Q}" in body
        assert LATE not in body and (res.units.find(LATE).name not in body)  # type: ignore[union-attr]
    assert msg["Auto-Submitted"] == "auto-generated"


def test_a_slow_mail_server_costs_a_run_its_bound_for_mail_and_no_more(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step answered within its timeout, but slowly: the run stops at its bound
    (the socket closed under the step that waits), the rest waits for the next run, and
    every mail arrives (the one cut off may arrive twice: delivery is at least once)."""
    import time

    import tasks.mail.smtp as smtp

    monkeypatch.setattr(smtp, "RUN_SECONDS", 3.0)
    with smtp_server("slow") as (url, server):
        server.delay = 1.0
        res = _resources(tmp_path, db_url, url)
        units = [u.code for u in res.units.expected(Period.parse(Q))][:8]
        for unit in units:
            add_account(res.engine, res.units, f"u{unit}@xa.vn", unit, None)
        start = time.monotonic()
        first = remind(res, DUE)
        assert time.monotonic() - start < 3.0 + 1.5
        assert first["queued"] == 8 and first["sent"] < 8 and first["stopped"]
        server.mode = "ok"
        time.sleep(1.2)  # the handler cut off finishes its message
        second = remind(res, DUE)
        assert first["sent"] + second["sent"] == 8 and second["outbox"] == {"sent": 8}
        got = Counter(r.to[0] for r in server.got)
        assert set(got) == {f"u{u}@xa.vn" for u in units}
        assert sum(got.values()) <= 9 and max(got.values()) <= 2


def test_sigkill_of_chiso_remind_loses_no_reminder(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``chiso remind`` killed at random moments, seven times: afterwards every reminder is
    sent, and a mail arrives twice at most (the one a kill cut off between the server's
    acceptance and its row marked sent: at least once, as the README says).

    Most kills land while mails are sent (a random moment after the run's first mail
    arrives), some while the process starts; timed by the run's progress, not by a guess of
    how long imports take (2-6 s after the start once missed every send on a loaded CI)."""
    import os
    import random
    import subprocess
    import sys
    import time

    import tasks.mail.outbox as outbox

    rng = random.Random(20251015)
    with smtp_server("slow") as (url, server):
        server.delay = 0.05
        res = _resources(tmp_path, db_url, url)
        units = [u.code for u in res.units.expected(Period.parse(Q))][:40]
        for unit in units:
            add_account(res.engine, res.units, f"u{unit}@xa.vn", unit, None)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
        env |= {
            "CHISO_HOME": str(tmp_path / "home"),
            "CHISO_DATABASE_URL": db_url,
            "CHISO_SMTP_URL": url,
            "CHISO_PORTAL_URL": PORTAL,
        }
        chiso = str(Path(sys.executable).with_name("chiso"))
        kills = []
        for i in range(7):
            run = subprocess.Popen(
                [chiso, "remind", "--today", DUE.isoformat()],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            before, start = len(server.got), time.monotonic()
            if i % 3 == 2:  # while it starts (imports, the queue's transaction)
                time.sleep(rng.uniform(0.5, 3.0))
            else:  # while it sends: 40 mails take ~2 s
                while len(server.got) == before and run.poll() is None:
                    assert time.monotonic() - start < 120, "no mail sent in 120 s"
                    time.sleep(0.01)
                time.sleep(rng.uniform(0.0, 0.3))
            at = time.monotonic() - start
            run.kill()
            _, err = run.communicate(timeout=30)
            assert b"Traceback" not in err, err.decode()
            kills.append((round(at, 2), len(server.got)))
        monkeypatch.setattr(outbox, "STALE", timedelta(0))  # as if ten minutes had passed
        server.mode = "ok"
        final = remind(res, DUE)
        assert final["queued"] == 0 and final["outbox"] == {"sent": 40}, (final, kills)
    got = Counter(r.to[0] for r in server.got)
    assert set(got) == {f"u{u}@xa.vn" for u in units}, kills
    assert max(got.values()) <= 2 and sum(got.values()) - 40 <= 10, (got, kills)


def test_the_remind_units_flow_shows_its_mail_table_in_the_ui(
    tmp_path: Path, chiso_db: str, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployment's flow: reminders queued and sent, and the run's ``mail`` table
    artifact (the mails it tried; the outbox's sent, waiting and failed)."""
    import httpx

    from flows.remind import remind_units
    from flows.resources import PROCESS, resources

    with smtp_server() as (url, server):
        monkeypatch.setenv("CHISO_SMTP_URL", url)
        home = tmp_path / "home"
        res = resources(home)
        add_account(res.engine, res.units, "x@xa.vn", NEVER, None)
        done = remind_units(today=DUE.isoformat(), home=str(home))
        assert done["queued"] == 1 and done["sent"] == 1 and len(server.got) == 1
        assert remind_units(today=DUE.isoformat(), dry_run=True, home=str(home)) == {
            "today": DUE.isoformat(),
            "would_queue": 0,
        }
    PROCESS.forget()
    body = {"artifacts": {"key": {"any_": ["mail"]}}, "sort": "CREATED_DESC", "limit": 1}
    (table,) = httpx.post(f"{prefect_api}/artifacts/filter", json=body).json()
    assert "sent 1, waiting 0, failed 0" in table["description"]
    assert "x@xa.vn" in table["data"] and "reminder" in table["data"]
