"""The portal's JSON API end to end with tokens: every route and every error code of the
contract's section 8, on both databases, against a real server."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.support.inbox import valid_doc
from tests.support.portal import UNIT_A, UNIT_B, Door

Q = "2025Q3"


def _json_file(unit: str = UNIT_A, **changes: object) -> bytes:
    return json.dumps({**valid_doc(unit), **changes}, ensure_ascii=False).encode()


def _send(
    c: httpx.Client, period: str, name: str, data: bytes, path: str = "/api/v1/submissions"
) -> httpx.Response:
    return c.post(path, data={"period": period}, files={"file": (name, data, "application/json")})


def _error(r: httpx.Response, status: int) -> dict[str, str]:
    assert r.status_code == status, (r.status_code, r.text[:500])
    body = r.json()
    assert set(body) == {"error", "message_vi", "message_en"}, body
    return dict(body)


def test_a_unit_sends_and_sees_its_report_decided(door: Door) -> None:
    with door.client("a@x.vn") as c:
        me = c.get("/api/v1/me").json()
        assert me == {"email": "a@x.vn", "role": "unit", "unit_code": UNIT_A, "name": None}
        periods = c.get("/api/v1/periods").json()
        assert periods and {"period", "due", "status", "current_submission_id", "rejected"} <= set(
            periods[0]
        )
        r = _send(c, Q, "báo cáo.json", _json_file())
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["status"] == "received" and set(body) == {"submission_id", "status"}
    assert (door.inbox / UNIT_A / Q / "báo cáo.json").read_bytes() == _json_file()
    doc = door.decided("a@x.vn", body["submission_id"])
    assert doc["status"] == "accepted", doc
    assert doc["unit_code"] == UNIT_A and doc["period"] == Q
    assert doc["file"]["name"] == "báo cáo.json" and len(doc["file"]["sha256"]) == 64
    assert {p["code"] for p in doc["problems"]} == {"late"}
    for p in doc["problems"]:
        assert {
            "code",
            "severity",
            "sheet",
            "row",
            "field",
            "value",
            "expected",
            "message_vi",
            "message_en",
        } <= set(p)
    with door.client("a@x.vn") as c:
        again = _send(c, Q, "báo cáo.json", _json_file(reported_by="B"))
        assert again.status_code == 202
    assert (door.inbox / UNIT_A / Q / "báo cáo (2).json").exists()  # a taken name is numbered


def test_every_error_code(door: Door) -> None:
    with door.client("a@x.vn") as c:
        _error(c.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401)
        _error(httpx.get(door.url + "/api/v1/periods"), 401)
        _error(_send(c, "2025Q9", "r.json", _json_file()), 400)
        _error(_send(c, "2099Q1", "r.json", _json_file()), 400)  # in the future
        _error(_send(c, "2024Q4", "r.json", _json_file()), 400)  # before the unit existed
        _error(c.post("/api/v1/submissions", data={"period": Q}), 400)  # no file
        _error(c.post("/api/v1/submissions", json={"period": Q}), 400)  # not a form
        _error(_send(c, Q, "...", _json_file()), 400)  # a name that is nothing
        _error(_send(c, Q, "report.pdf", b"%PDF-1.4"), 400)  # a format chiso does not read
        _error(c.get("/api/v1/submissions/nope"), 404)
        _error(c.get("/api/v1/template", params={"period": "x"}), 400)
        _error(_send(c, Q, "big.json", b"x" * (1024 * 1024 + 1)), 413)
    with door.client("o@x.vn") as c:
        _error(_send(c, Q, "r.json", _json_file()), 403)  # an officer sends for no unit
        _error(c.get("/api/v1/periods"), 400)  # which unit?
    assert not any(p.is_file() for p in door.inbox.rglob("*"))  # nothing was written


def test_a_body_past_the_limit_is_refused_before_it_is_read(door: Door) -> None:
    """2 GB announced: 413 at once; sent without a length (chunked): 413 once a megabyte
    past the limit has arrived, the rest never read."""
    sent = 0

    def body() -> object:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="period"\r\n\r\n2025Q3\r\n'
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\n\r\n'
        chunk = b"x" * 65536
        while sent < 2 * 1024**3:
            sent += len(chunk)
            yield chunk

    headers = {
        "Content-Type": "multipart/form-data; boundary=b",
        "Authorization": f"Bearer {door.tokens['a@x.vn']}",
    }
    host, port = door.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = ["POST /api/v1/submissions HTTP/1.1", f"Host: {host}"]
        head += [f"Content-Length: {2 * 1024**3}", *(f"{k}: {v}" for k, v in headers.items())]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    try:
        r = httpx.post(
            door.url + "/api/v1/submissions", headers=headers, content=body(), timeout=60
        )
        _error(r, 413)
    except httpx.HTTPError:
        pass  # the server answered and closed while the client still sent
    assert sent < 8 * 1024 * 1024, sent
    assert not any(p.is_file() for p in door.inbox.rglob("*"))


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/x.json", "x.json"),
        ("/etc/passwd.json", "passwd.json"),
        ("C:\\Users\\a\\bc.json", "bc.json"),
        ("a\x00b\x1f.json", "ab.json"),
        ("đ" * 150 + ".json", "đ" * 57 + ".json"),
    ],
)
def test_names_are_reduced_to_their_last_component(door: Door, sent: str, kept: str) -> None:
    # the form written by hand: a browser would percent-encode the control characters
    body = (
        b'--b\r\nContent-Disposition: form-data; name="period"\r\n\r\n' + Q.encode() + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
        + sent.encode()
        + b'"\r\nContent-Type: application/json\r\n\r\n'
        + _json_file()
        + b"\r\n--b--\r\n"
    )
    with door.client("a@x.vn") as c:
        r = c.post(
            "/api/v1/submissions",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
        assert r.status_code == 202, r.text
    files = [p for p in door.inbox.rglob("*") if p.is_file()]
    assert [p.relative_to(door.inbox).as_posix() for p in files] == [f"{UNIT_A}/{Q}/{kept}"]
    assert len(kept.encode()) <= 120


def test_template_and_health(door: Door) -> None:
    with door.client("a@x.vn") as c:
        r = c.get("/api/v1/template", params={"period": Q})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        assert f"{UNIT_A}_{Q}.xlsx" in r.headers["content-disposition"]
    with door.client("o@x.vn") as c:
        assert c.get("/api/v1/template", params={"period": Q, "unit": UNIT_B}).status_code == 200
    assert httpx.get(door.url + "/healthz").status_code == 200


def test_checking_records_nothing_and_finds_what_sending_finds(door: Door) -> None:
    from sqlalchemy import text

    bad = _json_file(indicators={**valid_doc(UNIT_A)["indicators"], "POPULATION": "many"})

    def counts() -> tuple[int, list[Path]]:
        with door.res.engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
        return n, sorted(p for p in (door.home / "objects").rglob("*") if p.is_file())

    before = counts()
    with door.client("a@x.vn") as c:
        checked = c.post("/api/v1/check", data={"period": Q}, files={"file": ("r.json", bad)})
    assert checked.status_code == 200, checked.text
    doc = checked.json()
    assert doc["status"] == "checked" and doc["would_be"] == "rejected"
    assert counts() == before and not any(p.is_file() for p in door.inbox.rglob("*"))
    with door.client("a@x.vn") as c:
        sid = _send(c, Q, "r.json", bad).json()["submission_id"]
    sent = door.decided("a@x.vn", sid)
    assert sent["status"] == "rejected"
    shown = ["code", "severity", "sheet", "row", "field", "value", "expected"]
    assert [[p[k] for k in shown] for p in doc["problems"]] == [
        [p[k] for k in shown] for p in sent["problems"]
    ]


def test_sent_files_go_to_an_s3_inbox(
    tmp_path: Path,
    s3_server: object,
    bucket: str,
    prefect_api: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stack's shape: the first source is an S3 prefix and the store is S3 too; a taken
    name is numbered there as well (put with If-None-Match)."""
    import boto3

    from tests.support.portal import running_door

    endpoint = s3_server.endpoint  # type: ignore[attr-defined]
    monkeypatch.setenv("CHISO_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("CHISO_OBJECT_STORE", f"s3://{bucket}/")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with running_door(tmp_path / "home", f"s3://{bucket}/inbox/", tmp_path) as door:
        with door.client("a@x.vn") as c:
            first = _send(c, Q, "r.json", _json_file())
            time.sleep(1.1)  # S3 times are to the second; a tie would go by the key's order
            second = _send(c, Q, "r.json", _json_file(reported_by="B"))
        assert first.status_code == second.status_code == 202
        assert door.decided("a@x.vn", second.json()["submission_id"])["status"] == "accepted"
        assert door.decided("a@x.vn", first.json()["submission_id"])["status"] == "superseded"
    s3 = boto3.client("s3", endpoint_url=endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="inbox/")["Contents"]]
    assert sorted(keys) == [f"inbox/{UNIT_A}/{Q}/r (2).json", f"inbox/{UNIT_A}/{Q}/r.json"]


def test_an_upload_landing_while_a_collection_runs_is_decided_once(door: Door) -> None:
    """The portal registers a sent file while a scheduled collection of the same inbox
    runs, and the portal's own deciding runs beside a processing run: every submission is
    registered once and decided once (the claims), whatever the interleaving."""
    import contextvars
    import threading
    from datetime import date

    from sqlalchemy import text

    from flows.collect import collect_submissions
    from flows.process import process_submissions
    from tests.support.inbox import at, write

    for unit in ("25486", "25489", "25498"):  # files that arrived by the folder
        write(
            door.inbox,
            f"{unit}/{Q}/r.json",
            valid_doc(unit),
            at(date(2025, 10, 3)),
        )
    home = str(door.home)
    errors: list[BaseException] = []

    def scheduled() -> None:
        try:
            collect_submissions(home=home, inbox=str(door.inbox))
            process_submissions(home=home)
        except BaseException as exc:
            errors.append(exc)

    # the thread sees this test's Prefect API (the harness's settings are context variables)
    runner = threading.Thread(target=contextvars.copy_context().run, args=(scheduled,))
    runner.start()
    ids = []
    with door.client("a@x.vn") as c:
        for n in range(3):
            r = _send(c, Q, f"r{n}.json", _json_file(reported_by=f"n{n}"))
            assert r.status_code == 202, r.text
            ids.append(r.json()["submission_id"])
    runner.join(300)
    assert not errors, errors
    for sid in ids:
        assert door.decided("a@x.vn", sid)["status"] in ("accepted", "superseded")
    assert door.decider.idle(300)
    process_submissions(home=home)  # whatever is left
    with door.res.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT submission_id, count(*) FROM decision GROUP BY submission_id")
        ).all()
        subs = conn.execute(
            text("SELECT count(*), count(DISTINCT source_uri) FROM submission")
        ).one()
    assert subs[0] == subs[1] == 6  # three sent, three from the folder, each registered once
    assert len(rows) == 6 and all(n == 1 for _, n in rows)
