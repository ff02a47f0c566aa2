"""The decision order: when a submission was received, then its source, then its bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from models.submission import DECISION_ORDER, Status, Submission, decision_key


def _sub(sid: str, at: int, uri: str, sha: str) -> Submission:
    return Submission(
        id=sid,
        source_uri=uri,
        content_sha256=sha,
        filename="r.json",
        format="json",
        size_bytes=1,
        object_key=f"raw/{sid}",
        received_at=datetime(2025, 10, at, tzinfo=UTC),
        collected_at=datetime(2025, 10, 20, tzinfo=UTC),
    )


def test_submissions_are_decided_by_receipt_then_source_then_bytes() -> None:
    subs = [
        _sub("late", 9, "file:///a", "0"),
        _sub("b-path", 2, "file:///b", "0"),
        _sub("a-path-2", 2, "file:///a", "2"),
        _sub("a-path-1", 2, "file:///a", "1"),
    ]
    assert [s.id for s in sorted(subs, key=decision_key)] == [
        "a-path-1",  # a tie in time and source: the bytes' hash decides
        "a-path-2",
        "b-path",  # a tie in time: the source decides, before the hash
        "late",
    ]
    assert DECISION_ORDER == ("received_at", "source_uri", "content_sha256")
    assert decision_key(subs[0]) == (subs[0].received_at, "file:///a", "0")


def test_a_new_submission_is_received_until_decided() -> None:
    assert _sub("x", 1, "u", "h").status == Status.RECEIVED == "received"
    assert {s.value for s in Status} >= {"received", "accepted", "rejected", "superseded"}
