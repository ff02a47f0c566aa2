"""Periods: every accepted spelling, calendar arithmetic, the future."""

from datetime import UTC, date, datetime

import pytest

from models.periods import Period, PeriodError, is_year, local_day_end_utc, period_range


@pytest.mark.parametrize(
    "text",
    [
        "2025Q3",
        "2025-Q3",
        "Q3-2025",
        "Q3/2025",
        "Quý 3/2025",
        "Quý III/2025",
        " quý iii / 2025 ",
        "2025q3",
        "2025 Q3",
        "Quý 3 năm 2025",
    ],
)
def test_every_accepted_spelling_normalises(text: str) -> None:
    assert str(Period.parse(text)) == "2025Q3"


def test_nfd_spelling_is_accepted() -> None:
    import unicodedata

    assert Period.parse(unicodedata.normalize("NFD", "Quý IV/2024")) == Period(2024, 4)


@pytest.mark.parametrize("text", ["2025Q5", "2025Q0", "Q3-25", "2025", "III/2025", "", "2025-07"])
def test_malformed_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)
    assert Period.try_parse(text) is None


def test_days_previous_next_and_due_date() -> None:
    p = Period(2025, 1)
    assert (p.first_day, p.last_day) == (date(2025, 1, 1), date(2025, 3, 31))
    assert p.previous() == Period(2024, 4) and Period(2024, 4).next() == p
    assert p.due_date() == date(2025, 4, 15) and p.due_date(30) == date(2025, 4, 30)
    assert Period(2024, 4).last_day == date(2024, 12, 31)
    assert Period.containing(date(2025, 8, 9)) == Period(2025, 3)


def test_a_period_is_future_until_its_last_local_day_has_ended() -> None:
    p = Period(2025, 3)
    # 2025-09-30 16:59 UTC is 23:59 in Hồ Chí Minh City: still the last day
    assert p.is_future(datetime(2025, 9, 30, 16, 59))
    assert not p.is_future(datetime(2025, 9, 30, 17, 0))


def test_local_day_end_in_utc() -> None:
    assert local_day_end_utc(date(2025, 10, 15)) == datetime(2025, 10, 15, 17, 0, tzinfo=UTC)


def test_range_and_year_keys() -> None:
    assert [str(p) for p in period_range(Period(2024, 3), Period(2025, 2))] == [
        "2024Q3",
        "2024Q4",
        "2025Q1",
        "2025Q2",
    ]
    assert is_year("2025") and not is_year("2025Q1")
    assert Period(2024, 2) < Period(2024, 3) < Period(2025, 1)


@pytest.mark.parametrize(
    ("now", "ended", "due"),
    [
        # 2025-10-01 00:30 in Vietnam is still 2025-09-30 in UTC: 2025Q3 has ended there
        (datetime(2025, 9, 30, 17, 30, tzinfo=UTC), "2025Q3", "2025Q2"),
        (datetime(2025, 9, 30, 16, 59, tzinfo=UTC), "2025Q2", "2025Q2"),
        # 2025Q3 is due by the end of 2025-10-15, local time
        (datetime(2025, 10, 15, 16, 59, tzinfo=UTC), "2025Q3", "2025Q2"),
        (datetime(2025, 10, 15, 17, 0, tzinfo=UTC), "2025Q3", "2025Q3"),
        (datetime(2026, 1, 1, 3, 0, tzinfo=UTC), "2025Q4", "2025Q3"),
    ],
)
def test_the_latest_ended_and_due_quarters_by_the_local_calendar(
    now: datetime, ended: str, due: str
) -> None:
    from models.periods import latest_due, latest_ended

    assert str(latest_ended(now)) == ended
    assert str(latest_due(15, now)) == due


def test_a_quarter_exists_from_1900q1_to_9999q4_only() -> None:
    assert str(Period(1900, 1)) == "1900Q1" and str(Period(9999, 4)) == "9999Q4"
    for year, quarter in ((1899, 4), (10000, 1), (2025, 0), (2025, 5)):
        with pytest.raises(PeriodError, match=f"no such quarter: {year}Q{quarter}"):
            Period(year, quarter)
    with pytest.raises(PeriodError) as refused:
        Period.parse("2025Q9")
    assert "2025Q9" in str(refused.value)


def test_today_is_the_local_date_and_a_naive_time_is_utc() -> None:
    from models.periods import local_today

    assert local_today(datetime(2025, 6, 30, 17)) == date(2025, 7, 1)  # naive: UTC
    assert local_today(datetime(2025, 6, 30, 16, 59, tzinfo=UTC)) == date(2025, 6, 30)
    assert local_today().toordinal() - date.today().toordinal() in (-1, 0, 1)
    assert local_day_end_utc(date(2025, 6, 30)).tzinfo == UTC
    assert [is_year(t) for t in ("2025", "202", "20251", "20a5", "2025Q3")] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_latest_quarters_default_to_now() -> None:
    from models.periods import latest_due, latest_ended

    assert latest_due(15) <= latest_ended() < Period.containing(date.today()).next()
