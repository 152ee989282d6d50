"""The shared SVG charts: the axis reaches every value, legends are whole, year labels do not crowd."""

from __future__ import annotations

import itertools
import re

from hypothesis import example, given
from hypothesis import strategies as st

from careflow.measures._svg import _nice_ticks, _year_labels, bars, trend


@given(st.floats(-1e5, 1e5), st.floats(0.01, 1e6))
@example(-5e-324, 6.0)  # lo / step underflowed to -0.0 and the first tick sat above lo
def test_ticks_cover_the_range(lo: float, span: float) -> None:
    ticks = _nice_ticks(lo, lo + span)
    assert ticks[0] <= lo and ticks[-1] >= lo + span - 1e-6 * max(1.0, abs(lo) + span)
    assert ticks == sorted(ticks) and len(ticks) >= 2


def test_the_highest_mark_sits_inside_the_frame() -> None:
    # 163 x 1.05 over five steps of 50: the top tick used to stop at 150 and the line ran off the chart
    svg = trend("Leavers", [2023, 2024, 2025], [("agency", "area", [148.0, 155.0, 163.0])], "households")
    assert min(float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)) >= 12


def test_legends_are_whole_and_widen_the_chart() -> None:
    label = "ECF Expert Practitioners (cumulative)"
    svg = trend("t", [2023, 2024], [(label, "new", [1.0, 2.0])], "FTE")
    assert f">{label}</text>" in svg
    assert int(re.search(r'width="(\d+)"', svg).group(1)) > 420  # type: ignore[union-attr]
    short = bars("b", [2023], [("homes", "area", [1.0])])
    assert 'width="420"' in short  # a short legend changes nothing


def test_year_labels_keep_the_last_and_never_crowd() -> None:
    assert _year_labels(6) == [0, 1, 2, 3, 4, 5]
    assert _year_labels(10) == [0, 2, 4, 6, 9]
    for n in range(1, 40):
        shown = _year_labels(n)
        assert shown[0] == 0 and shown[-1] == n - 1
        step = max(1, -(-n // 7))
        assert all(b - a >= step for a, b in itertools.pairwise(shown))
