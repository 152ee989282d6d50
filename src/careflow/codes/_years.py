"""Collection years of the statutory returns, named by the year ending 31 March."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Union

from careflow.errors import CodeListError

__all__ = ["CollectionYear", "YearLike"]

_LABEL = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")
_SINGLE = re.compile(r"^\s*(\d{4})\s*$")


@dataclass(frozen=True, order=True)
class CollectionYear:
    """A collection year, 1 April to 31 March, identified by the year in which it ends.

    ``CollectionYear(2025)`` is the 2024-25 collection year (1 April 2024 to 31 March 2025), which is how
    the DfE names the SSDA903 and CIN census returns ("2024 to 2025").

    Example:
        >>> CollectionYear.parse("2024/25").label
        '2024-25'
        >>> int(CollectionYear(2025))
        2025
    """

    end_year: int

    def __post_init__(self) -> None:
        if isinstance(self.end_year, bool) or not isinstance(self.end_year, int):
            raise CodeListError(
                f"CollectionYear takes the year ending 31 March as an int (e.g. 2025 for 2024-25), "
                f"got {self.end_year!r}; use CollectionYear.parse() for labels."
            )
        if not 1900 <= self.end_year <= 2200:
            raise CodeListError(f"CollectionYear({self.end_year}) is out of range (expected 1900 to 2200).")

    @classmethod
    def parse(cls, value: YearLike) -> CollectionYear:
        """Read a collection year from ``"2024-25"``, ``"2024/25"``, ``"2024-2025"``, ``"2025"`` or ``2025``.

        A bare year is the year the collection ends (``2025`` is 2024-25).

        Example:
            >>> CollectionYear.parse("2024-25") == CollectionYear.parse(2025)
            True
        """
        if isinstance(value, CollectionYear):
            return value
        if isinstance(value, bool):
            raise CodeListError(f"{value!r} is not a collection year (expected e.g. '2024-25' or 2025).")
        if isinstance(value, int):
            return cls(value)
        if isinstance(value, str):
            single = _SINGLE.match(value)
            if single:
                return cls(int(single.group(1)))
            pair = _LABEL.match(value)
            if pair:
                start = int(pair.group(1))
                end_text = pair.group(2)
                end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
                if len(end_text) == 2 and end < start:  # "1999-00"
                    end += 100
                if end != start + 1:
                    raise CodeListError(
                        f"{value!r} is not a collection year: the second year must follow the first (e.g. '2024-25')."
                    )
                return cls(end)
        raise CodeListError(f"{value!r} is not a collection year (expected '2024-25', '2024/25', '2025' or 2025).")

    @classmethod
    def of_date(cls, day: dt.date) -> CollectionYear:
        """The collection year a date falls in (1 April starts a new one).

        Example:
            >>> CollectionYear.of_date(dt.date(2024, 4, 1)).label
            '2024-25'
        """
        return cls(day.year + 1 if day.month >= 4 else day.year)

    @property
    def label(self) -> str:
        """The year as DfE writes it, e.g. ``"2024-25"``."""
        return f"{self.end_year - 1}-{self.end_year % 100:02d}"

    @property
    def start_date(self) -> dt.date:
        """1 April of the first year."""
        return dt.date(self.end_year - 1, 4, 1)

    @property
    def end_date(self) -> dt.date:
        """31 March of the year the collection ends."""
        return dt.date(self.end_year, 3, 31)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start_date <= day <= self.end_date

    def __int__(self) -> int:
        return self.end_year

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"CollectionYear({self.end_year})"


YearLike = Union[CollectionYear, int, str]  # noqa: UP007 (a runtime alias; `|` on a class needs 3.10+ only, kept explicit)
