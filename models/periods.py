"""Reporting periods: quarters written ``YYYYQn`` and the years derived from them."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_Q = r"(?P<q>[1-4]|IV|III|II|I)"
_Y = r"(?P<y>[0-9]{4})"  # ASCII digits only
_PATTERNS = [
    re.compile(rf"^{_Y}\s*-?\s*Q\s*{_Q}$"),  # 2025Q3, 2025-Q3, 2025 Q3
    re.compile(rf"^Q\s*{_Q}\s*[-/ ]\s*{_Y}$"),  # Q3-2025, Q3/2025
    re.compile(
        rf"^QUÝ\s*{_Q}\s*[-/ ]\s*(?:NĂM\s*)?{_Y}$"
    ),  # Quý 3/2025, Quý III/2025, Quý 3 năm 2025
]


class PeriodError(ValueError):
    """A text that is not a period in any accepted spelling."""


@dataclass(frozen=True, order=True)
class Period:
    """One calendar quarter."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not (1 <= self.quarter <= 4 and 1900 <= self.year <= 9999):
            raise PeriodError(f"no such quarter: {self.year}Q{self.quarter}")

    @classmethod
    def parse(cls, text: object) -> Period:
        """Parse any accepted spelling (``2025Q3``, ``Q3/2025``, ``Quý III/2025``…)."""
        if isinstance(text, Period):
            return text
        s = unicodedata.normalize("NFC", str(text)).strip().upper()
        s = re.sub(r"\s+", " ", s)
        for pattern in _PATTERNS:
            m = pattern.match(s)
            if m:
                q = m["q"]
                return cls(int(m["y"]), _ROMAN[q] if q in _ROMAN else int(q))
        raise PeriodError(f"not a period: {text!r} (expected YYYYQn, e.g. 2025Q3)")

    @classmethod
    def try_parse(cls, text: object) -> Period | None:
        """Like :meth:`parse`, but ``None`` for anything that is not a period."""
        try:
            return cls.parse(text)
        except PeriodError:
            return None

    @classmethod
    def containing(cls, day: date) -> Period:
        """The quarter a calendar day falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        month = 3 * self.quarter  # computed within the quarter: 9999Q4 has a last day too
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def previous(self) -> Period:
        return (
            Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        )

    def next(self) -> Period:
        return (
            Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)
        )

    def due_date(self, timely_days: int = 15) -> date:
        """Last calendar day on which a report is still on time (the calendar's last day
        for a quarter so far ahead that the due date would pass it)."""
        try:
            return self.last_day + timedelta(days=timely_days)
        except OverflowError:
            return date.max

    def is_future(self, now: datetime | None = None) -> bool:
        """True until the period's last day has ended (Asia/Ho_Chi_Minh calendar)."""
        today = local_today(now)
        return self.year > today.year or today <= self.last_day


def latest_ended(now: datetime | None = None) -> Period:
    """The latest quarter whose last day has ended (Asia/Ho_Chi_Minh calendar)."""
    return Period.containing(local_today(now)).previous()


def latest_due(timely_days: int, now: datetime | None = None) -> Period:
    """The latest quarter whose due date has passed (its ``final`` publication)."""
    now = now or datetime.now(UTC)
    p = latest_ended(now)
    while local_day_end_utc(p.due_date(timely_days)) > now:
        p = p.previous()
    return p


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Ho_Chi_Minh (``now`` is taken as UTC when naive)."""
    now = now or datetime.now(tz=LOCAL_TZ)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(LOCAL_TZ).date()


def local_day_end_utc(day: date) -> datetime:
    """The instant (aware, UTC) at which a local calendar day ends (the end of time for
    the calendar's last day)."""
    if day >= date.max - timedelta(days=1):
        return datetime.max.replace(tzinfo=UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL_TZ)
    return end.astimezone(UTC)


def period_range(start: Period, end: Period) -> list[Period]:
    """Every quarter from ``start`` to ``end``, both included."""
    out, p = [], start
    while p <= end:
        out.append(p)
        p = p.next()
    return out


def is_year(text: str) -> bool:
    """Whether a period key names a year (``YYYY``) rather than a quarter."""
    return len(text) == 4 and text.isdigit()


LOCAL_NOTE = ("giờ Việt Nam", "Vietnam time, UTC+7")


def local_text(moment: datetime | str | None) -> str:
    """An instant as people in the province read it: ``04/07/2025 16:00`` in local time
    (``moment`` aware, naive taken as UTC, or ISO text); empty for None."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"
