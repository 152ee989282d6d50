"""Statutory clocks: deadlines computed from an event's date and a dated parameter, never typed.

Working days skip weekends and England and Wales bank holidays (the ``holidays`` package, subdivision ENG;
England and Wales share their bank holidays). ``n`` working days after a date is the n-th working day that
follows it: 15 working days from a strategy discussion on a Monday with no holidays is the Monday three weeks on.

Example:
    >>> add_working_days(dt.date(2024, 12, 20), 3)  # Christmas Day and Boxing Day are bank holidays
    datetime.date(2024, 12, 27)
    >>> add_months(dt.date(2024, 11, 30), 3)
    datetime.date(2025, 2, 28)
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays

from careflow.record.parameters import parameter

__all__ = [
    "CLOCKS",
    "Clock",
    "add_months",
    "add_working_days",
    "age_on",
    "bank_holidays",
    "due_date",
    "is_working_day",
]


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in a calendar year."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday falls on 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def due_date(parameter_name: str, basis: dt.date) -> dt.date:
    """The deadline ``parameter_name`` sets from ``basis``, using the value in force on ``basis``."""
    param = parameter(parameter_name)
    amount = int(param.at(basis))
    if param.unit == "working_day":
        return add_working_days(basis, amount)
    if param.unit == "day":
        return basis + dt.timedelta(days=amount)
    if param.unit == "week":
        return basis + dt.timedelta(weeks=amount)
    if param.unit == "month":
        return add_months(basis, amount)
    if param.unit == "year":
        return add_months(basis, 12 * amount)
    raise ValueError(f"parameter {parameter_name} is in {param.unit}, which is not a timescale")


@dataclass(frozen=True)
class Clock:
    """A kind of deadline: what it is called and the parameter that sets it."""

    kind: str
    label: str
    parameter: str


CLOCKS: dict[str, Clock] = {
    c.kind: c
    for c in (
        Clock("assessment", "Family Help assessment", "family_help/assessment/working_days"),
        Clock("initial_conference", "Initial child protection conference",
              "child_protection/initial_conference/working_days"),
        Clock("child_protection_first_review", "First child protection review",
              "child_protection/first_review/months"),
        Clock("child_protection_review", "Child protection review", "child_protection/subsequent_review/months"),
        Clock("looked_after_first_review", "First looked-after review", "looked_after/first_review/working_days"),
        Clock("looked_after_second_review", "Second looked-after review", "looked_after/second_review/months"),
        Clock("looked_after_review", "Looked-after review", "looked_after/subsequent_review/months"),
        Clock("looked_after_first_visit", "First visit in placement", "looked_after/first_visit/days"),
        Clock("looked_after_visit", "Statutory visit", "looked_after/visit_interval/weeks"),
        Clock("proceedings_end", "Proceedings to end (26 weeks)", "proceedings/duration/weeks"),
        Clock("pathway_plan_review", "Pathway plan review", "care_leaver/pathway_plan_review/months"),
        Clock("family_network_plan_review", "Family Network Plan review", "family_network/plan_review/months"),
        Clock("family_help_plan_review", "Family Help plan review", "family_help/plan_review/months"),
        Clock("advocacy_offer", "Advocate to be introduced (opt-out advocacy)", "advocacy/offer/working_days"),
    )
}
