"""Text and self-contained HTML reports of a reform run, with charts drawn as inline SVG (no dependency).

The Review's published figures appear beside the model's as "the Review's figure"; they are read from
:mod:`careflow.reform.published` for display only.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from careflow.reform.levers import GROUPS
from careflow.reform.model import ReformRun
from careflow.reform.pathway import JourneyCost
from careflow.reform.published import (
    REVIEW_CLA_2032,
    REVIEW_DIVERTED_2032_33,
    REVIEW_SPEND_2032_GBP_BN,
    REVIEW_TABLE,
    REVIEW_TABLE_GROUPS,
    REVIEW_TABLE_REFERENCE,
    REVIEW_TOTALS,
)
from careflow.reform.sensitivity import Bar

__all__ = ["html_report", "json_summary", "reproduction_rows", "text_table"]

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def _fmt(v: float) -> str:
    return f"{v:,.0f}".replace("-", "−")


def reproduction_rows(r: ReformRun) -> list[dict[str, object]]:
    """Per lever: our yearly figures, the Review's, and the error of the ten-year sum (national runs)."""
    rows = []
    for name, res in r.levers.items():
        ours = r.central(res.net)
        review = REVIEW_TABLE.get(name)
        rev = np.array(review[1], dtype=float) if review else None
        err = float(ours.sum() / rev.sum() - 1.0) if rev is not None and rev.sum() else float("nan")
        rows.append({"lever": name, "title": r.package.levers[name].title, "group": r.package.levers[name].group,
                     "ours": ours.tolist(), "review": None if rev is None else rev.tolist(),
                     "line": None if review is None else review[0], "error_sum": err})
    return rows


def as_published(lever: Any) -> bool:
    """True for a lever whose every own parameter is the Review's costing taken as published (``published_*``)."""
    return bool(lever.parameters) and all(n.startswith("published_") for n in lever.parameters)


def text_table(r: ReformRun, with_review: bool = True) -> str:
    """The 'Impact on public finance (£m)' table as text: predicted, with the Review's figure in brackets and the
    gap of the ten-year sum (predicted - Review) for national runs."""
    national = r.area.level == "national" and with_review
    head = (f"{'£ million (positive = saving)':40s}" + "".join(f"{y:>14s}" for y in r.years) + f"{'10-yr':>16s}"
            + (f"{'gap':>8s}" if national else ""))
    lines = [f"Impact on public finance (£m), {r.package.name} - {r.area.label}",
             ("PREDICTED from cited parameters and the area's own rates (the Review's figure in brackets, "
              + REVIEW_TABLE_REFERENCE + "; gap = predicted - Review, ten-year sum)") if national else "predicted",
             head]

    def fmt_row(label: str, ours: np.ndarray, review: Sequence[float] | None) -> str:
        cells = []
        for j, v in enumerate(ours):
            cells.append(f"{_fmt(v)} ({_fmt(review[j])})" if review is not None else _fmt(v))
        total = f"{_fmt(ours.sum())} ({_fmt(sum(review))})" if review is not None else _fmt(ours.sum())
        gap = f"{_fmt(ours.sum() - sum(review)):>8s}" if review is not None else ""
        return f"{label[:40]:40s}" + "".join(f"{c:>14s}" for c in cells) + f"{total:>16s}" + gap

    for g in GROUPS:
        members = [n for n in r.levers if r.package.levers[n].group == g]
        if not members:
            continue
        if len(members) > 1 or r.package.levers[members[0]].title != g:
            rev_g = REVIEW_TABLE_GROUPS[g][1] if national else None
            lines.append(fmt_row(g, r.central(r.group_net[g]), rev_g))
            for n in members:
                rev = REVIEW_TABLE[n][1] if (national and n in REVIEW_TABLE) else None
                mark = "= " if as_published(r.package.levers[n]) else "  "
                lines.append(fmt_row(mark + r.package.levers[n].title, r.central(r.levers[n].net), rev))
        else:
            n = members[0]
            rev = REVIEW_TABLE[n][1] if (national and n in REVIEW_TABLE) else None
            mark = "= " if as_published(r.package.levers[n]) else ""
            lines.append(fmt_row(mark + r.package.levers[n].title, r.central(r.levers[n].net), rev))
    lines.append(fmt_row("Total impact on public finance", r.central(r.total), REVIEW_TOTALS if national else None))
    published = [n for n in r.levers if as_published(r.package.levers[n])]
    if published:
        lines.append(f"= {len(published)} lever(s) taken as the Review costed them (their rows cited as inputs: the "
                     "text gives no volumes or effect sizes); every other row is predicted")
    if national:
        ours = r.central(r.total)
        lines.append(f"{'  gap of the yearly total (£m)':40s}" + "".join(
            f"{_fmt(o - t):>14s}" for o, t in zip(ours, REVIEW_TOTALS, strict=True)))
    cum = r.central(r.cumulative)
    lines.append(f"{'Cumulative':40s}" + "".join(f"{_fmt(v):>14s}" for v in cum))
    lines.append(f"Cumulative break-even: {r.break_even_year() or 'not within ten years'}"
                 + (" (the Review: 2029-30, the cumulated total row at 001_8bebe4ae25a58006.txt:4054)"
                    if national else ""))
    red = r.central(r.cla_reduction_joint if r.cla_reduction_joint is not None
                    else np.stack([v for v in r.diverted.values()]).sum(axis=0))
    lines.append("Fewer children looked after than the counterfactual at 31 March 2033 (all levers' changed rates at "
                 "once): " + _fmt(red[-1]) + (
                     " (the Review: 30,000 = " + " + ".join(f"{v:,} {k.replace('_', ' ')}"
                                                            for k, v in REVIEW_DIVERTED_2032_33.items()) + ")"
                     if national else ""))
    for g, v in r.diverted.items():
        rev_txt = f" (Review {REVIEW_DIVERTED_2032_33[g]:,})" if national else ""
        lines.append(f"  {g.replace('_', ' '):40s} {_fmt(r.central(v)[-1]):>10s}{rev_txt}")
    j = int(np.nonzero(r.cla_years == 2033)[0][0])
    lines.append(f"Children looked after at 31 March 2033: counterfactual {_fmt(r.central(r.cla_counterfactual)[j])}, "
                 f"with reform {_fmt(r.central(r.cla_reform)[j])}")
    if r.context is not None:
        rates = r.context.rates
        starts = (f"{rates.starts_rate_per_10k:.1f} per 10,000" if np.isfinite(rates.starts_rate_per_10k)
                  else f"{r.context.starts[0, 0]:,.0f}")
        lines.append(f"{r.area.label}'s own rates: starts {starts} a year, "
                     f"{rates.non_uasc_share:.0%} not UASC; exits home {rates.exit_shares['home']:.0%}, "
                     f"SGO/CAO {rates.exit_shares['sgo_cao']:.0%}; children's homes "
                     f"{rates.placement_shares['residential']:.1%} of placements; a child in care costs "
                     f"£{r.context.care_cost[0, 0]:,.0f} a year at this mix")
        sys_rows = system_rows(r)
        lines.extend("  " + "".join(f"{c:>12s}" if i else f"{c:28s}" for i, c in enumerate(row))
                     for row in sys_rows[:-2])
        lines.extend(["  " + sys_rows[-2][0], "  placements at 31 March: " + ", ".join(sys_rows[-1][1:])])
    from careflow.reform.calibrate import fitted_numbers

    nums = fitted_numbers(r.package.levers, r.package.system)
    scale = [n for n in nums if n.kind == "scale_down"]
    carried = [n for n in nums if n.kind == "carried_over"]
    lines.append(f"Fitted numbers: {len(scale)} scale-down(s) to the 17,000 / 10,000 / 3,000 split: "
                 + ", ".join(f"{n.name} = {n.value:.3f}" for n in scale)
                 + (f"; plus {len(carried)} value(s) carried over in levers that move no children "
                    "(python -m careflow.reform.calibrate)" if carried else ""))
    if national:
        for n in r.levers:
            note = r.package.levers[n].note
            found = REVIEW_TABLE.get(n)
            if note and found is not None:
                gap = float(r.central(r.levers[n].net).sum() - sum(found[1]))
                if abs(gap) >= 50:
                    lines.append(f"  gap {r.package.levers[n].title}: {_fmt(gap)} - {note}")
    return "\n".join(lines)


def json_summary(r: ReformRun, mc: ReformRun | None = None) -> dict[str, Any]:
    """The machine-readable summary ``careflow reform --json`` writes (keys as in issue 9, item 9)."""
    years = list(r.years)
    j = np.searchsorted(r.cla_years, np.arange(2024, 2034))
    cum = r.central(r.cumulative)
    idx = np.nonzero(cum > 0)[0]
    source = mc if mc is not None else r
    red = source.cla_reduction_joint if source.cla_reduction_joint is not None else np.zeros((1, len(years)))
    p5, p50, p95 = (float(np.quantile(red[:, -1], q)) for q in (0.05, 0.5, 0.95))
    from careflow.reform.calibrate import fitted_numbers

    nums = fitted_numbers(r.package.levers, r.package.system)
    n_params = sum(len(r.package.levers[n].parameters) for n in r.package.enabled)
    fitted_params = {n.name for n in nums}
    return {
        "years": years,
        "cla": {"counterfactual": r.central(r.cla_counterfactual)[j].tolist(),
                "reform": r.central(r.cla_reform)[j].tolist()},
        "total_net_gbp_m": r.central(r.total).tolist(),
        "review_total_net_gbp_m": [float(v) for v in REVIEW_TOTALS] if r.area.level == "national" else None,
        "levers": {n: {"net_gbp_m": r.central(res.net).tolist(),
                       "cla_reduction": r.central(res.cla_reduction).tolist(),
                       "entries_avoided": (r.central(res.entries_avoided).tolist() if res.entries_avoided is not None
                                           else [0.0] * len(years))}
                   for n, res in r.levers.items()},
        "monte_carlo": {"cla_reduction_2033": {"p5": p5, "p50": p50, "p95": p95},
                        "break_even_probability": source.probability_break_even().tolist()},
        "break_even_year": r.years[int(idx[0])] if idx.size else None,
        "parameters": {"cited": n_params - len(fitted_params & {f"{n}.{p}" for n in r.package.enabled
                                                                 for p in r.package.levers[n].parameters}),
                       "fitted": len(nums)},
    }


# ------------------------------------------------------------------------------------------------------ SVG
def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    for m in (1, 2, 2.5, 5, 10):
        if (hi - lo) / (step * m) <= n:
            step *= m
            break
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 2) if start + i * step <= hi + 1e-9]


def line_chart(title: str, x: Sequence[float] | np.ndarray, series: list[dict[str, Any]], y_label: str = "",
               bands: list[dict[str, Any]] | None = None, markers: list[dict[str, Any]] | None = None,
               width: int = 760, height: int = 320, x_labels: Sequence[str] | None = None, zero: bool = False) -> str:
    """An SVG line chart. ``series``: {name, y, color, dash}; ``bands``: {lo, hi, color}; markers: {x, y, label}."""
    left, right, top, bottom = 70, 170, 30, 40
    pw, ph = width - left - right, height - top - bottom
    ys: list[float] = []
    for s in series:
        ys += [float(v) for v in s["y"] if v is not None and np.isfinite(v)]
    for b in bands or []:
        ys += [float(v) for v in b["lo"]] + [float(v) for v in b["hi"]]
    for m in markers or []:
        ys.append(float(m["y"]))
    lo, hi = min(ys), max(ys)
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    x0, x1 = float(min(x)), float(max(x))

    def px(v: float) -> float:
        return left + (v - x0) / ((x1 - x0) or 1) * pw

    def py(v: float) -> float:
        return top + (hi - v) / (hi - lo) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{html.escape(title)}" style="font-family:sans-serif;font-size:11px">',
           f'<text x="{left}" y="16" font-weight="bold" font-size="13">{html.escape(title)}</text>']
    for t in (t for t in _ticks(lo, hi) if lo <= t <= hi):
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    if zero and lo < 0 < hi:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="#666"/>')
    labels = list(x_labels) if x_labels is not None else [str(int(v)) for v in x]
    step = max(1, len(labels) // 10)
    for i, (xv, lab) in enumerate(zip(x, labels, strict=True)):
        if i % step == 0 or i == len(labels) - 1:
            out.append(f'<text x="{px(float(xv)):.1f}" y="{top + ph + 16}" text-anchor="middle">{lab}</text>')
    out.append(f'<text x="14" y="{top + ph / 2}" transform="rotate(-90 14 {top + ph / 2})" '
               f'text-anchor="middle">{html.escape(y_label)}</text>')
    for b in bands or []:
        pts = [f"{px(float(xv)):.1f},{py(float(v)):.1f}" for xv, v in zip(b["x"], b["hi"], strict=True)]
        pts += [f"{px(float(xv)):.1f},{py(float(v)):.1f}"
                for xv, v in reversed(list(zip(b["x"], b["lo"], strict=True)))]
        out.append(f'<polygon points="{" ".join(pts)}" fill="{b["color"]}" opacity="0.18"/>')
    for k, s in enumerate(series):
        xs = s.get("x", x)
        pts = [f"{px(float(xv)):.1f},{py(float(v)):.1f}" for xv, v in zip(xs, s["y"], strict=True)
               if v is not None and np.isfinite(v)]
        dash = ' stroke-dasharray="5,4"' if s.get("dash") else ""
        color = s.get("color", PALETTE[k % len(PALETTE)])
        out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        ly = top + 14 * k + 6
        out.append(f'<line x1="{left + pw + 10}" x2="{left + pw + 28}" y1="{ly}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{left + pw + 32}" y="{ly + 4}">{html.escape(str(s["name"]))}</text>')
    for m in markers or []:
        cx, cy = px(float(m["x"])), py(float(m["y"]))
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="none" stroke="#000" stroke-width="1.5"/>')
        out.append(f'<text x="{cx - 8:.1f}" y="{cy - 9:.1f}" text-anchor="end">{html.escape(str(m["label"]))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def tornado_chart(bars: list[Bar], title: str, width: int = 760) -> str:
    """Horizontal bars from the low to the high value of the outcome around the central value."""
    if not bars:
        return ""
    left, right, top, row = 330, 30, 30, 20
    height = top + row * len(bars) + 30
    values = [b.outcome_low for b in bars] + [b.outcome_high for b in bars] + [bars[0].central]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1
    lo, hi = lo - pad, hi + pad
    pw = width - left - right

    def px(v: float) -> float:
        return left + (v - lo) / (hi - lo) * pw

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{html.escape(title)}" style="font-family:sans-serif;font-size:11px">',
           f'<text x="10" y="16" font-weight="bold" font-size="13">{html.escape(title)}</text>']
    c = px(bars[0].central)
    for i, b in enumerate(bars):
        y = top + i * row
        x_lo, x_hi = sorted((px(b.outcome_low), px(b.outcome_high)))
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{html.escape(b.parameter)}</text>')
        out.append(f'<rect x="{px(b.outcome_low) if b.outcome_low < b.central else c:.1f}" y="{y + 3}" '
                   f'width="{abs(px(b.outcome_low) - c):.1f}" height="13" fill="#d62728" opacity="0.7"/>')
        out.append(f'<rect x="{px(b.outcome_high) if b.outcome_high < b.central else c:.1f}" y="{y + 3}" '
                   f'width="{abs(px(b.outcome_high) - c):.1f}" height="13" fill="#1f77b4" opacity="0.7"/>')
        out.append(f'<text x="{x_hi + 3:.1f}" y="{y + 13}" font-size="9">{_fmt(max(b.outcome_low, b.outcome_high))}'
                   f'</text>')
        _ = x_lo
    out.append(f'<line x1="{c:.1f}" x2="{c:.1f}" y1="{top}" y2="{top + row * len(bars)}" stroke="#000"/>')
    out.append(f'<text x="{c:.1f}" y="{height - 8}" text-anchor="middle">central {_fmt(bars[0].central)} '
               f'(red: parameter at its 10th percentile; blue: 90th)</text>')
    out.append("</svg>")
    return "\n".join(out)


def _html_table(rows: Sequence[Sequence[Any]], header_rows: int = 1, cls: str = "") -> str:
    out = [f'<table class="{cls}">']
    for i, r in enumerate(rows):
        tag = "th" if i < header_rows else "td"
        out.append("<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in r) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def system_rows(r: ReformRun) -> list[list[str]]:
    """The area's own system the levers act on: exit hazards by reason and age band (with each reason's share of
    exits) and the placement mix, as text rows (a header first)."""
    if r.context is None:
        return []
    rates = r.context.rates
    bands = ("0_4", "5_9", "10_15", "16_plus")
    hz = r.exit_hazards
    head = ["exits by reason", *[f"{b.replace('_plus', '+').replace('_', '-')}" for b in bands], "share"]
    rows = [head]
    for reason in ("home", "sgo_cao", "adoption", "other"):
        cells = [f"{hz[reason][b]:.3f}" for b in bands] if hz else [
            f"{rates.exit_age_shares.get(reason, {}).get(b, float('nan')):.1%}" for b in bands]
        rows.append([reason.replace("sgo_cao", "SGO/CAO"), *cells, f"{rates.exit_shares[reason]:.0%}"])
    rows.append([("(hazard a year: " + r.exit_hazards_basis + ")") if hz else "(share of all exits by age band)"])
    rows.append(["placements at 31 March", *[f"{k.replace('_', ' ')} {v:.0%}" for k, v in
                                              rates.placement_shares.items()]])
    return rows


def html_report(r: ReformRun, mc: ReformRun | None = None, bars: list[Bar] | None = None,
                bars_cla: list[Bar] | None = None, journey: JourneyCost | None = None,
                alternative: JourneyCost | None = None) -> str:
    """A self-contained HTML page: tables, inline SVG charts, calibration and sources."""
    national = r.area.level == "national"
    years = r.years
    sections: list[str] = []
    if mc is not None:
        red = mc.cla_reduction_2032_33()
        net = mc.total.sum(axis=1)
        lo_r, mid_r, hi_r = (float(np.quantile(red, q)) for q in (0.05, 0.5, 0.95))
        lo_n, mid_n, hi_n = (float(np.quantile(net, q)) for q in (0.05, 0.5, 0.95))
        beside = (" (the Review: 30,000, 001_8bebe4ae25a58006.txt:3945)" if national else "")
        beside_n = (f" (the Review: £{sum(REVIEW_TOTALS):,}m, 001_8bebe4ae25a58006.txt:4054)" if national else "")
        sections.append(
            "<h2>In brief</h2><p>Fewer children looked after at 31 March 2033: median "
            f"<b>{_fmt(mid_r)}</b>, 90% band {_fmt(lo_r)} to {_fmt(hi_r)}{beside}. Ten-year net impact on public "
            f"finance: median <b>£{_fmt(mid_n)}m</b>, 90% band £{_fmt(lo_n)}m to £{_fmt(hi_n)}m{beside_n}. "
            f"{mc.total.shape[0]:,} Monte Carlo draws over the cited ranges, correlated across levers that share a "
            "mechanism.</p>")
    # Table.
    head = ["£ million (positive = saving)", *years, "10-year"]
    rows: list[list[Any]] = [head]
    for g in GROUPS:
        members = [n for n in r.levers if r.package.levers[n].group == g]
        if not members:
            continue
        entries = [(g, r.central(r.group_net[g]), REVIEW_TABLE_GROUPS[g][1] if national else None, True)]
        if len(members) > 1 or r.package.levers[members[0]].title != g:
            entries += [("· " + r.package.levers[n].title, r.central(r.levers[n].net),
                         REVIEW_TABLE[n][1] if (national and n in REVIEW_TABLE) else None, False) for n in members]
        for label, ours, rev, _ in entries:
            cells: list[object] = [label]
            for j, v in enumerate(ours):
                cells.append(f"{_fmt(v)} ({_fmt(rev[j])})" if rev is not None else _fmt(v))
            cells.append(f"{_fmt(ours.sum())} ({_fmt(sum(rev))})" if rev is not None else _fmt(ours.sum()))
            rows.append(cells)
    tot = r.central(r.total)
    rows.append(["Total impact on public finance",
                 *[f"{_fmt(v)} ({_fmt(REVIEW_TOTALS[j])})" if national else _fmt(v) for j, v in enumerate(tot)],
                 f"{_fmt(tot.sum())} ({_fmt(sum(REVIEW_TOTALS))})" if national else _fmt(tot.sum())])
    if national:
        rows.append(["Error of the yearly total", *[f"{o / t - 1:+.1%}" for o, t in zip(tot, REVIEW_TOTALS,
                                                                                        strict=True)], ""])
    rows.append(["Cumulative", *[_fmt(v) for v in r.central(r.cumulative)], ""])
    sections.append("<h2>Impact on public finance (£m)</h2><p>Ours, with the Review's figure in brackets "
                    f"({REVIEW_TABLE_REFERENCE}); year 1 = 2023-24; positive = saving. Cumulative break-even: "
                    f"<b>{r.break_even_year() or 'not within ten years'}</b>.</p>" + _html_table(rows, cls="num")
                    if national else "<h2>Impact on public finance (£m)</h2>" + _html_table(rows, cls="num"))

    x_fy = list(range(len(years)))
    series: list[dict[str, Any]] = [{"name": "ours (central)", "y": tot, "color": PALETTE[0]}]
    if national:
        series.append({"name": "the Review's figure", "y": list(REVIEW_TOTALS), "color": "#000", "dash": True})
    band = []
    if mc is not None:
        lo, hi = mc.band(mc.total)
        band = [{"x": x_fy, "lo": lo, "hi": hi, "color": PALETTE[0]}]
        series.append({"name": "Monte Carlo median", "y": np.median(mc.total, axis=0), "color": PALETTE[3]})
    sections.append(line_chart("Net impact on public finance by year (£m; band: 5th-95th percentile)", x_fy, series,
                               "£ million", band, x_labels=years, zero=True))
    cum_series: list[dict[str, Any]] = [
        {"name": "cumulative (central)", "y": r.central(r.cumulative), "color": PALETTE[2]}]
    cum_band = []
    if mc is not None:
        lo, hi = mc.band(mc.cumulative)
        cum_band = [{"x": x_fy, "lo": lo, "hi": hi, "color": PALETTE[2]}]
    if national:
        cum_series.append({"name": "the Review's (cumulated)", "y": np.cumsum(REVIEW_TOTALS), "color": "#000",
                           "dash": True})
    sections.append(line_chart("Cumulative net impact (£m)", x_fy, cum_series, "£ million", cum_band,
                               x_labels=years, zero=True))
    if mc is not None:
        prob = mc.probability_break_even()
        sections.append("<h3>Probability of having broken even (cumulative) by each year</h3>" + _html_table(
            [years, [f"{v:.0%}" for v in prob]], cls="num") + f"<p>{mc.total.shape[0]:,} Monte Carlo draws over the "
            "uncertainties stated in the parameter files.</p>")

    # CLA projection.
    cy = r.cla_years.astype(float)
    cla_series = [{"name": "counterfactual", "y": r.central(r.cla_counterfactual), "color": PALETTE[1]},
                  {"name": "with reform", "y": r.central(r.cla_reform), "color": PALETTE[0]}]
    cla_bands = []
    if mc is not None:
        lo, hi = mc.band(mc.cla_counterfactual)
        cla_bands.append({"x": cy, "lo": lo, "hi": hi, "color": PALETTE[1]})
        lo, hi = mc.band(mc.cla_reform)
        cla_bands.append({"x": cy, "lo": lo, "hi": hi, "color": PALETTE[0]})
    markers = [{"x": 2032, "y": REVIEW_CLA_2032, "label": "Review: approaching 100,000 (001:392)"}] if national else []
    sections.append("<h2>Children looked after at 31 March</h2>" + line_chart(
        "Children looked after: counterfactual (the Review's method) and with reform", cy, cla_series,
        "children", cla_bands, markers))
    j33 = int(np.nonzero(r.cla_years == 2033)[0][0])
    sections.append(f"<p>At 31 March 2033: counterfactual {_fmt(r.central(r.cla_counterfactual)[j33])}, with reform "
                    f"{_fmt(r.central(r.cla_reform)[j33])}. " + "; ".join(html.escape(n) for n in r.notes) + "</p>")

    # Diverted.
    div_series = [{"name": g.replace("_", " "), "y": r.central(v), "color": PALETTE[k]}
                  for k, (g, v) in enumerate(r.diverted.items())]
    div_markers = ([{"x": len(years) - 1, "y": v, "label": f"Review {v:,}"} for v in REVIEW_DIVERTED_2032_33.values()]
                   if national else [])
    sections.append("<h2>Children diverted from care, by lever group</h2>" + line_chart(
        "Fewer children looked after than the counterfactual (end of each year)", x_fy, div_series, "children",
        None, div_markers, x_labels=years, zero=True))
    div_rows: list[list[object]] = [["group", "ours 2032-33", "the Review (001:3945)"]]
    for g, v in r.diverted.items():
        div_rows.append([g.replace("_", " "), _fmt(r.central(v)[-1]),
                         f"{REVIEW_DIVERTED_2032_33[g]:,}" if national else ""])
    div_rows.append(["total", _fmt(float(r.central(np.stack(list(r.diverted.values())).sum(axis=0))[-1])),
                     "30,000" if national else ""])
    sections.append(_html_table(div_rows, cls="num"))

    # The area's own system.
    sys_rows = system_rows(r)
    if sys_rows:
        sources = r.context.rates.sources if r.context is not None else {}
        sections.append(f"<h2>{html.escape(r.area.label)}'s own system</h2><p>The rates the levers act on: exit "
                        "hazards by reason and age band on ceasing (a lever raises its reason's hazard in the bands "
                        "it targets), each reason's share of exits, and the placement mix that prices a child in "
                        "care. Sources: " + html.escape("; ".join(f"{k}: {v}" for k, v in sources.items()))
                        + "</p>" + _html_table(sys_rows[:-2], cls="num") + "<p>" + html.escape(sys_rows[-2][0])
                        + "</p><p>" + html.escape(", ".join(sys_rows[-1][1:])) + "</p>")

    # Spend.
    sp = [{"name": "counterfactual", "y": r.central(r.spend_counterfactual), "color": PALETTE[1]},
          {"name": "with reform (net of the table)", "y": r.central(r.spend_reform), "color": PALETTE[0]}]
    sp_band = []
    if mc is not None:
        lo, hi = mc.band(mc.spend_counterfactual)
        sp_band = [{"x": r.spend_years.astype(float), "lo": lo, "hi": hi, "color": PALETTE[1]}]
    sp_markers = ([{"x": 2032, "y": REVIEW_SPEND_2032_GBP_BN, "label": "Review: over £15bn (001:392)"}]
                  if national else [])
    sections.append("<h2>Children's social care spend (£bn)</h2>" + line_chart(
        "Local authority children's social care spend: counterfactual extends five-year trends", r.spend_years.astype(
            float), sp, "£ billion", sp_band, sp_markers))

    if bars:
        sections.append("<h2>Sensitivity (one at a time)</h2>" + tornado_chart(
            bars, "Ten-year net impact (£m): each parameter at its 10th and 90th percentile"))
    if bars_cla:
        sections.append(tornado_chart(bars_cla, "Fewer children looked after in 2032-33"))

    if national:
        rows2: list[list[object]] = [["lever", "predicted (10-yr £m)", "the Review's", "gap (£m)"]]
        for row in reproduction_rows(r):
            if row["review"] is None:
                continue
            ours_list, rev_list = row["ours"], row["review"]
            assert isinstance(ours_list, list) and isinstance(rev_list, list)
            ours_sum, rev_sum = float(sum(ours_list)), float(sum(rev_list))
            rows2.append([row["title"], _fmt(ours_sum), _fmt(rev_sum), _fmt(ours_sum - rev_sum)])
        sections.append("<h2>Predicted beside the Review, by lever</h2><p>Each row is predicted from cited effect "
                        "sizes, costs and target groups; a large gap is a finding (see each lever's note).</p>"
                        + _html_table(rows2, cls="num"))

    from careflow.reform.calibrate import fitted_numbers

    cal_rows: list[list[object]] = [["fitted number", "value", "fitted to", "kind"]]
    for num in fitted_numbers(r.package.levers, r.package.system):
        cal_rows.append([num.name, f"{num.value:g}", num.calibrated_to, num.kind.replace("_", " ")])
    sections.append("<h2>Fitted numbers</h2><p>One scale-down per lever group (Family Help; kinship and family "
                    "networks; workforce and family finding) fitted to the 17,000 / 10,000 / 3,000 split "
                    "(001_8bebe4ae25a58006.txt:3945); values carried over in levers that move no children are "
                    "listed too (<code>python -m careflow.reform.calibrate</code>).</p>" + _html_table(cal_rows))

    if journey is not None:
        sections.append(f"<h2>A costed journey: {html.escape(journey.name)} (000_dab62616b6dfd7b9.txt:590-600)</h2>"
                        + _html_table([[str(c) if c != "" else "" for c in row] for row in journey.table()],
                                      cls="num"))
        if alternative is not None:
            sections.append(f"<h3>{html.escape(alternative.name)} (000_dab62616b6dfd7b9.txt:606-624)</h3>"
                            + _html_table([[str(c) if c != "" else "" for c in row] for row in alternative.table()],
                                          cls="num")
                            + f"<p>By age {journey.ages[-1]}: £{journey.cumulative[-1]:,} on Josh's path, "
                            f"£{alternative.cumulative[-1]:,} with the right support early.</p>")

    if r.package.changes:
        sections.append("<h2>Package changes</h2><ul>" + "".join(
            f"<li>{html.escape(c)}</li>" for c in r.package.changes) + "</ul>")
    style = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:12px}td,th{border:1px solid #ccc;"
             "padding:3px 6px}table.num td{text-align:right}table.num td:first-child{text-align:left}"
             "th{background:#f3f3f3}svg{display:block;margin:1em 0}")
    title = f"careflow reform: {r.package.name} - {r.area.label}"
    from careflow.measures.published import coverage

    held = html.escape(coverage().describe())
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>Generated {dt.date.today().isoformat()} by careflow. A transparent rerun of the Independent "
            "Review's cost-benefit case (001_8bebe4ae25a58006.txt:3925-4062) on published statistics (DfE, ONS; "
            "Open Government Licence v3.0) and cited parameters.</p>"
            f"<p id='data-held'>Published statistics held: {held}. The Review's case keeps the Review's own base year "
            "and trend window, as the Review modelled it; the series run to the newest year held.</p>"
            + "\n".join(sections) + "</body></html>")
