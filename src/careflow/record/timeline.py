"""The MAST timeline as a small chart: a row per agency, a mark per contact, months along the bottom, and the
children's social care case as a band from when it opened (to today while it is open; ``002…:1820-1822``).

Pure layout (positions and labels); the MAST page draws it as inline SVG styled by the stylesheet (the content
security policy allows no inline styles), with every contact also listed as text below it.

Example:
    >>> t = contact_timeline(dt.date(2025, 1, 1), dt.date(2025, 12, 31),
    ...                      [("police", "Police", [(dt.date(2025, 7, 2), "2 Jul 2025: incident")])])
    >>> t.rows[0].label, len(t.rows[0].marks), t.rows[0].marks[0].x > t.left
    ('Police', 1, True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["Mark", "Row", "Tick", "Timeline", "contact_timeline"]

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Mark:
    """One contact: where it is drawn and its tooltip."""

    x: float
    title: str


@dataclass(frozen=True)
class Row:
    """An agency's row: its name, where it is drawn, its contacts."""

    agency: str
    label: str
    y: float
    marks: list[Mark]


@dataclass(frozen=True)
class Tick:
    """A month boundary on the axis (labelled every ``step`` months)."""

    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """The drawing: its size, the plot's left and right edges, rows, ticks and the open case's band."""

    width: int
    height: int
    left: int
    right: int
    row_height: int
    rows: list[Row]
    ticks: list[Tick]
    case_band: tuple[float, float, str] | None
    title: str


def contact_timeline(start: dt.date, end: dt.date, rows: list[tuple[str, str, list[tuple[dt.date, str]]]], *,
                     case: tuple[dt.date, dt.date | None, str] | None = None, width: int = 760,
                     row_height: int = 28) -> Timeline:
    """Lay out ``rows`` (agency, label, [(date, tooltip)]) from ``start`` to ``end``; ``case`` is the children's
    social care case (opened, closed or None while open, label), drawn as a band above the agencies."""
    left, right = 150, width - 16
    span = max((end - start).days, 1)

    def x_of(day: dt.date) -> float:
        return round(left + (right - left) * min(max((day - start).days, 0), span) / span, 1)

    top = 8 + (row_height if case else 0)
    laid = [Row(agency, label, top + row_height * i + row_height / 2,
                [Mark(x_of(day), tip) for day, tip in marks if start <= day <= end])
            for i, (agency, label, marks) in enumerate(rows)]
    months = []
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = 1 if len(months) <= 13 else 3 if len(months) <= 37 else 6
    ticks = [Tick(x_of(m), f"{_MONTHS[m.month - 1]} {m.year % 100:02d}" if i % step == 0 else "")
             for i, m in enumerate(months)]
    band = None
    if case is not None:
        opened, closed, label = case
        if opened <= end and (closed is None or closed >= start):
            band = (x_of(max(opened, start)), x_of(min(closed or end, end)), label)
    height = top + row_height * len(rows) + 30
    title = f"Contacts by agency from {start.day} {_MONTHS[start.month - 1]} {start.year} to {end.day} " \
            f"{_MONTHS[end.month - 1]} {end.year}"
    return Timeline(width, height, left, right, row_height, laid, ticks, band, title)
