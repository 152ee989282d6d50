"""Dates as integer day numbers (days since 1970-01-01), vectorised with numpy.

The generator works on int64 day numbers; ``NO_DATE`` marks a missing date and becomes null in the tables.
Year and month arithmetic follows ``pandas.DateOffset`` (29 February plus a year is 28 February), which is
what the DfE validators use for birthdays.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "NO_DATE",
    "add_months",
    "add_months_one",
    "add_years",
    "add_years_one",
    "age_years",
    "day",
    "from_day",
    "next_weekday",
    "previous_weekday",
    "previous_weekday_one",
    "to_date_series",
    "working_days_after",
    "working_days_after_one",
]

NO_DATE = np.int64(-(2**40))
EPOCH = dt.date(1970, 1, 1)

IntArray = npt.NDArray[np.int64]


def day(value: dt.date) -> int:
    """The day number of a date.

    Example:
        >>> day(dt.date(1970, 1, 2))
        1
    """
    return (value - EPOCH).days


def from_day(value: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=int(value))


def _ymd(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]")
    months = d.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    dd = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, dd


def add_months(days: IntArray | int, months: IntArray | int) -> IntArray:
    """Add calendar months, clipping the day to the month's length (31 Jan + 1 month = 28/29 Feb)."""
    arr = np.atleast_1d(np.asarray(days, dtype=np.int64))
    y, m, d = _ymd(arr)
    total = (y - 1970) * 12 + (m - 1) + np.asarray(months, dtype=np.int64)
    start = total.astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
    out = start.astype("datetime64[D]").astype(np.int64) + np.minimum(d, length) - 1
    return out.astype(np.int64)


def add_years(days: IntArray | int, years: IntArray | int) -> IntArray:
    """Add calendar years (29 February becomes 28 February in a common year).

    Example:
        >>> from_day(int(add_years(day(dt.date(2004, 2, 29)), 18)[0]))
        datetime.date(2022, 2, 28)
    """
    return add_months(days, np.asarray(years, dtype=np.int64) * 12)


def age_years(dob: IntArray, at: IntArray | int) -> IntArray:
    """Completed years of age on day ``at`` (birthdays as :func:`add_years` gives them)."""
    dob = np.atleast_1d(np.asarray(dob, dtype=np.int64))
    at_arr = np.broadcast_to(np.asarray(at, dtype=np.int64), dob.shape)
    y0, _, _ = _ymd(dob)
    y1, _, _ = _ymd(at_arr)
    age = y1 - y0
    return age - (add_years(dob, age) > at_arr).astype(np.int64)


def next_weekday(days: IntArray) -> IntArray:
    """The same day if a weekday, else the following Monday."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return np.busday_offset(d, 0, roll="forward").astype(np.int64)


def previous_weekday(days: IntArray) -> IntArray:
    """The same day if a weekday, else the Friday before (meetings held by a deadline)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return np.busday_offset(d, 0, roll="backward").astype(np.int64)


def working_days_after(days: IntArray, n: IntArray | int) -> IntArray:
    """The day ``n`` working days (Monday to Friday) after each day (rolling a weekend start forward)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return np.busday_offset(d, np.asarray(n, dtype=np.int64), roll="forward").astype(np.int64)


def to_date_series(name: str, days: IntArray | list[int]) -> pl.Series:
    """A polars Date series from day numbers (``NO_DATE`` becomes null)."""
    arr = np.asarray(days, dtype=np.int64)
    frame = pl.DataFrame({name: arr}, schema={name: pl.Int64})
    col = pl.col(name)
    return frame.select(pl.when(col != int(NO_DATE)).then(col).cast(pl.Int32).cast(pl.Date)).to_series()


# --- scalar versions for the per-child journeys (numpy calls on one value are slow) -----------------------
def add_years_one(value: int, years: int) -> int:
    """:func:`add_years` for one day number.

    Example:
        >>> from_day(add_years_one(day(dt.date(2004, 2, 29)), 1))
        datetime.date(2005, 2, 28)
    """
    return add_months_one(value, 12 * years)


def add_months_one(value: int, months: int) -> int:
    """:func:`add_months` for one day number."""
    d = EPOCH + dt.timedelta(days=value)
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    length = calendar.monthrange(year, month)[1]
    return (dt.date(year, month, min(d.day, length)) - EPOCH).days


def previous_weekday_one(value: int) -> int:
    """:func:`previous_weekday` for one day number."""
    weekday = (value + 3) % 7
    return value - (weekday - 4) if weekday >= 5 else value


def working_days_after_one(value: int, n: int) -> int:
    """:func:`working_days_after` for one day number (Monday to Friday)."""
    weekday = (value + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
    if weekday >= 5:
        value += 7 - weekday
        weekday = 0
    weeks, rest = divmod(n, 5)
    value += 7 * weeks
    if weekday + rest >= 5:
        value += rest + 2
    else:
        value += rest
    return value
