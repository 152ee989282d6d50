"""CollectionYear: parsing, labels, dates and order."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careflow.codes import CollectionYear
from careflow.errors import CodeListError


@pytest.mark.parametrize("value", ["2024-25", "2024/25", "2025", 2025, "2024-2025", " 2024 - 25 "])
def test_parse_accepts_every_spelling(value: object) -> None:
    assert CollectionYear.parse(value) == CollectionYear(2025)  # type: ignore[arg-type]


def test_label_dates_and_int() -> None:
    year = CollectionYear(2025)
    assert year.label == "2024-25"
    assert str(year) == "2024-25"
    assert int(year) == 2025
    assert year.start_date == dt.date(2024, 4, 1)
    assert year.end_date == dt.date(2025, 3, 31)
    assert dt.date(2024, 12, 25) in year


def test_century_boundary() -> None:
    assert CollectionYear.parse("1999-00") == CollectionYear(2000)
    assert CollectionYear(2000).label == "1999-00"


@pytest.mark.parametrize("value", ["2024-26", "2024/23", "24-25", "twenty", "", True, 2025.0])
def test_parse_rejects_nonsense(value: object) -> None:
    with pytest.raises(CodeListError):
        CollectionYear.parse(value)  # type: ignore[arg-type]


def test_constructor_wants_an_int() -> None:
    with pytest.raises(CodeListError, match="parse"):
        CollectionYear("2024-25")  # type: ignore[arg-type]


def test_of_date_turns_on_1_april() -> None:
    assert CollectionYear.of_date(dt.date(2024, 3, 31)).label == "2023-24"
    assert CollectionYear.of_date(dt.date(2024, 4, 1)).label == "2024-25"


def test_ordered_and_hashable() -> None:
    assert CollectionYear(2022) < CollectionYear(2025)
    assert sorted([CollectionYear(2026), CollectionYear(2022)])[0] == CollectionYear(2022)
    assert len({CollectionYear(2025), CollectionYear.parse("2024-25")}) == 1


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
def test_every_date_falls_in_its_year(day: dt.date) -> None:
    year = CollectionYear.of_date(day)
    assert year.start_date <= day <= year.end_date
    assert CollectionYear.parse(year.label) == year
