"""Small, dependency-free SVG charts for the scorecard report: trend lines, funnel plots, stacked bars.

Each function returns an ``<svg>`` element as text, with a ``<title>`` and ``<desc>`` for screen readers and
``<title>`` tooltips on the marks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["COLOURS", "bars", "funnel", "trend"]

COLOURS = {
    "area": "#1d4f91",
    "neighbours": "#d4351c",
    "region": "#f47738",
    "england": "#505a5f",
    "others": "#b1b4b6",
    "new": "#1d70b8",
    "failure": "#d4351c",
    "limit95": "#6f777b",
    "limit998": "#0b0c0c",
}
FONT = 'font-family="Arial, Helvetica, sans-serif" font-size="11"'


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi):
        return []
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=raw)
    start = math.floor(lo / step) * step
    if start > lo:  # lo / step underflowed to zero (a subnormal lo): the first tick must still be at or below lo
        start -= step
    ticks = [round(start, 10)]
    # up to the first tick at or above ``hi``: a top tick below it would put the highest marks outside the frame
    while ticks[-1] < hi - step * 1e-9 and len(ticks) <= 4 * n:  # bounded: a step lost in rounding cannot loop
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(v: float) -> str:
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def _legend_room(labels: Sequence[str], right: int, key_width: int) -> int:
    """The right margin a legend needs: room for the key and the longest label in full (about 6.1 px a
    character at 11 px Arial), never less than ``right``."""
    longest = max((len(label) for label in labels), default=0)
    return max(right, key_width + math.ceil(6.1 * longest) + 6)


def _year_labels(n: int, most: int = 7) -> list[int]:
    """Which of ``n`` years to label on an axis: about ``most``, evenly, always the last, never two crowded."""
    step = max(1, math.ceil(n / most))
    shown = list(range(0, n, step))
    if shown and shown[-1] != n - 1:
        if n - 1 - shown[-1] < step and len(shown) > 1:
            shown[-1] = n - 1  # the last year replaces the label that would crowd it
        else:
            shown.append(n - 1)
    return shown


def _frame(width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" {FONT}>',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]


def trend(
    title: str,
    years: Sequence[int],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    unit: str,
    width: int = 420,
    height: int = 220,
) -> str:
    """A line chart over years. ``series`` are (label, colour key, values aligned with ``years``); None is a gap.

    Example:
        >>> svg = trend("CLA rate", [2020, 2021], [("Area", "area", [50.0, None])], "per 10,000")
        >>> svg.startswith("<svg") and "2021" in svg
        True
    """
    left, right, top, bottom = 48, 110, 12, 28
    room = _legend_room([label for label, _, _ in series], right, 28)
    w, h = width - left - right, height - top - bottom
    width, right = width + room - right, room  # a long legend widens the chart, the plot keeps its size
    values = [v for _, _, vs in series for v in vs if v is not None]
    desc = f"{title}, {unit}, {years[0] if years else ''}-{years[-1] if years else ''}"
    out = _frame(width, height, title, desc)
    if not values or not years:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#505a5f">no figures to '
                   f"plot</text></svg>")
        return "".join(out)
    lo, hi = min(0.0, min(values)), max(values)
    ticks = _nice_ticks(lo, hi * 1.05 if hi > 0 else 1.0)
    lo, hi = ticks[0], ticks[-1]

    def x(i: int) -> float:
        return left + (w * i / max(1, len(years) - 1) if len(years) > 1 else w / 2)

    def y(v: float) -> float:
        return top + h - (v - lo) / (hi - lo) * h if hi > lo else top + h / 2

    for t in ticks:
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e5e6e7"/>')
        out.append(f'<text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#505a5f">{_fmt(t)}</text>')
    for i in _year_labels(len(years)):
        out.append(f'<text x="{x(i):.1f}" y="{top + h + 16}" text-anchor="middle" fill="#505a5f">{years[i]}</text>')
    legend_y = top + 4
    for label, colour_key, vs in series:
        colour = COLOURS.get(colour_key, colour_key)
        dash = ' stroke-dasharray="4 3"' if colour_key in ("neighbours", "region") else ""
        weight = 3 if colour_key == "area" else 1.6
        segment: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                if len(segment) > 1:
                    out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{weight}"{dash} '
                               f'points="{" ".join(segment)}"/>')
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3 if colour_key == "area" else 2}" fill="{colour}">'
                f"<title>{escape(label)} {years[i]}: {_fmt(v)} {escape(unit)}</title></circle>"
            )
        if len(segment) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{weight}"{dash} '
                       f'points="{" ".join(segment)}"/>')
        out.append(f'<line x1="{left + w + 8}" x2="{left + w + 24}" y1="{legend_y}" y2="{legend_y}" '
                   f'stroke="{colour}" stroke-width="{weight}"{dash}/>')
        out.append(f'<text x="{left + w + 28}" y="{legend_y + 4}" fill="#0b0c0c">{escape(label)}</text>')
        legend_y += 16
    out.append("</svg>")
    return "".join(out)


def funnel(
    title: str,
    points: Sequence[tuple[str, float, float, bool]],
    limits: Sequence[tuple[float, float, float, float, float]],
    target: float,
    unit: str,
    denominator_label: str,
    width: int = 420,
    height: int = 240,
) -> str:
    """A funnel plot. ``points`` are (label, denominator, value, highlighted); ``limits`` rows are
    (denominator, lower_95, upper_95, lower_998, upper_998); ``target`` is England's value. Log x axis."""
    left, right, top, bottom = 48, 12, 12, 34
    w, h = width - left - right, height - top - bottom
    out = _frame(width, height, title, f"Funnel plot: {title}; each dot an authority; lines England's value and "
                                       "95% and 99.8% control limits")
    ns = [p[1] for p in points if p[1] > 0]
    vs = [p[2] for p in points] + [target]
    if not ns or not vs:
        out.append("</svg>")
        return "".join(out)
    x_lo, x_hi = math.log10(min(ns) * 0.8), math.log10(max(ns) * 1.25)
    # the y range follows the authorities, not the limits (which run off to infinity at small denominators)
    spread = max(vs) - min(vs) or abs(target) or 1.0
    y_min = min(vs) - 0.1 * spread
    ticks = _nice_ticks(max(0.0, y_min) if min(vs) >= 0 else y_min, max(vs) + 0.1 * spread)
    lo, hi = ticks[0], ticks[-1]

    def x(n: float) -> float:
        return left + (math.log10(n) - x_lo) / (x_hi - x_lo) * w if x_hi > x_lo else left + w / 2

    def y(v: float) -> float:
        return top + h - (min(max(v, lo), hi) - lo) / (hi - lo) * h if hi > lo else top + h / 2

    limits = [lim for lim in limits if 10**x_lo <= lim[0] <= 10**x_hi]
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e5e6e7"/>')
        out.append(f'<text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#505a5f">{_fmt(t)}</text>')
    decade = math.floor(x_lo)
    steps = (1, 2, 5) if x_hi - x_lo < 2.5 else (1,)
    while decade <= math.ceil(x_hi):
        for m in steps:
            n = m * 10**decade
            if 10**x_lo <= n <= 10**x_hi:
                out.append(f'<text x="{x(n):.1f}" y="{top + h + 14}" text-anchor="middle" fill="#505a5f">'
                           f"{_fmt(n)}</text>")
        decade += 1
    out.append(f'<text x="{left + w / 2}" y="{height - 4}" text-anchor="middle" fill="#505a5f">'
               f"{escape(denominator_label)} (log scale)</text>")
    for idx, colour, dash in ((1, "limit95", "4 3"), (2, "limit95", "4 3"), (3, "limit998", ""), (4, "limit998", "")):
        pts = " ".join(f"{x(lim[0]):.1f},{y(lim[idx]):.1f}" for lim in limits
                       if math.isfinite(lim[idx]) and lo <= lim[idx] <= hi)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline fill="none" stroke="{COLOURS[colour]}" stroke-width="1"{dash_attr} points="{pts}"/>')
    out.append(f'<line x1="{left}" x2="{left + w}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
               f'stroke="{COLOURS["england"]}" stroke-width="1.5"><title>England {_fmt(target)}</title></line>')
    for label, n, v, highlight in sorted(points, key=lambda p: p[3]):
        if n <= 0:
            continue
        colour = COLOURS["area"] if highlight else COLOURS["others"]
        r = 5 if highlight else 2.5
        stroke = ' stroke="#ffffff" stroke-width="1.5"' if highlight else ""
        out.append(f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="{r}" fill="{colour}"{stroke}>'
                   f"<title>{escape(label)}: {_fmt(v)} {escape(unit)} (denominator {_fmt(n)})</title></circle>")
    out.append("</svg>")
    return "".join(out)


def bars(
    title: str,
    years: Sequence[int],
    stacks: Sequence[tuple[str, str, Sequence[float | None]]],
    width: int = 420,
    height: int = 200,
) -> str:
    """Stacked bars by year; ``stacks`` are (label, colour key, values). A year with any None is left empty."""
    left, right, top, bottom = 56, 110, 12, 28
    room = _legend_room([label for label, _, _ in stacks], right, 24)
    w, h = width - left - right, height - top - bottom
    width, right = width + room - right, room  # a long legend widens the chart, the plot keeps its size
    out = _frame(width, height, title, f"Stacked bars: {title}")
    totals = [
        sum(s[2][i] or 0 for s in stacks) if all(s[2][i] is not None for s in stacks) else None
        for i in range(len(years))
    ]
    present = [t for t in totals if t is not None]
    if not present:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#505a5f">not measurable from '
                   "these data</text></svg>")
        return "".join(out)
    ticks = _nice_ticks(0, max(present))
    hi = ticks[-1] or 1.0
    bw = w / max(1, len(years)) * 0.7
    for t in ticks:
        yy = top + h - t / hi * h
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e5e6e7"/>')
        out.append(f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end" fill="#505a5f">{_fmt(t)}</text>')
    for i, yr in enumerate(years):
        cx = left + (i + 0.5) * w / max(1, len(years))
        out.append(f'<text x="{cx:.1f}" y="{top + h + 16}" text-anchor="middle" fill="#505a5f">{str(yr)[-2:]}</text>')
        if totals[i] is None:
            continue
        base = 0.0
        for label, colour_key, values in stacks:
            v = values[i] or 0.0
            y0 = top + h - (base + v) / hi * h
            out.append(f'<rect x="{cx - bw / 2:.1f}" y="{y0:.1f}" width="{bw:.1f}" height="{v / hi * h:.1f}" '
                       f'fill="{COLOURS.get(colour_key, colour_key)}"><title>{escape(label)} {yr}: {_fmt(v)}</title>'
                       "</rect>")
            base += v
    legend_y = top + 4
    for label, colour_key, _ in stacks:
        out.append(f'<rect x="{left + w + 8}" y="{legend_y - 6}" width="12" height="10" '
                   f'fill="{COLOURS.get(colour_key, colour_key)}"/>')
        out.append(f'<text x="{left + w + 24}" y="{legend_y + 3}" fill="#0b0c0c">{escape(label)}</text>')
        legend_y += 16
    out.append("</svg>")
    return "".join(out)
