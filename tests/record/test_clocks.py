"""Statutory clocks: working days with England and Wales bank holidays, months, and properties."""

from __future__ import annotations

import datetime as dt

import holidays
from hypothesis import given
from hypothesis import strategies as st

from careflow.record.clocks import CLOCKS, add_months, add_working_days, age_on, due_date, is_working_day
from careflow.record.parameters import parameter


def test_bank_holidays_are_skipped() -> None:
    assert add_working_days(dt.date(2024, 12, 20), 3) == dt.date(2024, 12, 27)  # Christmas, Boxing Day
    assert add_working_days(dt.date(2025, 4, 17), 1) == dt.date(2025, 4, 22)  # Good Friday, Easter Monday
    assert not is_working_day(dt.date(2025, 5, 26)) and is_working_day(dt.date(2025, 5, 27))


def test_england_and_wales_share_bank_holidays() -> None:
    for year in range(2015, 2031):
        assert set(holidays.country_holidays("GB", subdiv="ENG", years=year)) == \
            set(holidays.country_holidays("GB", subdiv="WLS", years=year))


def test_initial_conference_fifteen_working_days() -> None:
    assert due_date("child_protection/initial_conference/working_days", dt.date(2025, 5, 12)) == dt.date(2025, 6, 3)


def test_months_clamp_to_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


@given(st.dates(dt.date(2016, 1, 1), dt.date(2030, 12, 31)), st.integers(1, 60))
def test_working_day_deadlines_land_on_working_days_after_their_start(start: dt.date, days: int) -> None:
    due = add_working_days(start, days)
    assert due > start and is_working_day(due)
    assert sum(is_working_day(start + dt.timedelta(d)) for d in range(1, (due - start).days + 1)) == days


@given(st.dates(dt.date(2019, 1, 1), dt.date(2030, 12, 31)), st.sampled_from(sorted(CLOCKS)))
def test_no_deadline_before_the_event_that_starts_it(start: dt.date, kind: str) -> None:
    # a timescale of 0 is no timescale: the reform ends the Family Help assessment's (no deadline is opened)
    if parameter(CLOCKS[kind].parameter).at(start) > 0:
        assert due_date(CLOCKS[kind].parameter, start) > start
