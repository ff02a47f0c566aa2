"""Problems found in a submission, with their bilingual messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from models.codes import MESSAGES, Code, Severity
from models.text import fit, visible

__all__ = ["MESSAGES", "Code", "Problem", "Severity", "cap_per_code", "counts_by_code", "problem"]


@dataclass(frozen=True)
class Problem:
    """One finding: where it is, what was found, what was expected."""

    code: str
    severity: str
    sheet: str | None
    row: int | None
    field: str | None
    value: str | None
    expected: str | None
    message_vi: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, record: dict[str, Any]) -> Problem:
        """A problem from its stored or reported record (keys added since, such as a
        feedback report's ``expected_vi``, are left out)."""
        known: dict[str, Any] = {k: record.get(k) for k in cls.__dataclass_fields__}
        return cls(**known)


def problem(
    code: Code | str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: object = None,
    expected: str | None = None,
    detail: str | None = None,
    severity: Severity | None = None,
) -> Problem:
    """Build a problem from its code; ``detail`` is appended to both messages; ``severity``
    overrides the code's own (a problem that is an error for some fields only)."""
    code = Code(code)  # an unknown code is a defect in chiso: ValueError
    default, vi, en = MESSAGES[code]
    severity = severity or default
    if detail:
        vi, en = f"{vi}: {detail}", f"{en}: {detail}"
    # what a unit wrote is shown, never carried: no control character or lone surrogate
    # reaches the database, a JSON encoder or a page
    text = None if value is None else visible(str(value))
    if text is not None and len(text) > 200:
        text = text[:200] + "…"
    sheet, field = fit(sheet, 200), fit(field, 200)
    return Problem(code, severity, sheet, row, field, text, expected, vi, en)


SHOWN_PER_CODE = 50  # problems of one code a feedback report lists (each code's total beside)


def cap_per_code(problems: list[Problem], most: int = SHOWN_PER_CODE) -> list[Problem]:
    """The first ``most`` problems of each code, in order: a file of 150,000 bad roster rows
    gets a report a person can read (and a database row, an event and an artifact of a
    bounded size), with :func:`counts_by_code` saying how many there were."""
    seen: dict[str, int] = {}
    out = []
    for p in problems:
        seen[p.code] = seen.get(p.code, 0) + 1
        if seen[p.code] <= most:
            out.append(p)
    return out


def counts_by_code(problems: list[Problem]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in problems:
        out[p.code] = out.get(p.code, 0) + 1
    return out
