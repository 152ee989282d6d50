"""A self-contained HTML report of a forecast: inline SVG charts, no scripts, no external files."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from careflow.flows.projection import Projection

if TYPE_CHECKING:
    from careflow.flows.backtest import BacktestResult
    from careflow.flows.costs import UnitCosts
    from careflow.flows.model import FlowModel

__all__ = ["svg_band_chart", "write_report"]

PALETTE = ["#1f5a96", "#c0392b", "#27864a", "#8e44ad", "#d68910", "#117a8b", "#7f8c8d", "#a04000", "#2e4053"]


def _fmt(value: float, money: bool = False) -> str:
    if money:
        if abs(value) >= 1e6:
            return f"£{value / 1e6:,.1f}m"
        return f"£{value:,.0f}"
    return f"{value:,.0f}"


def svg_band_chart(
    title: str,
    dates: Sequence[date],
    series: Sequence[dict[str, Any]],
    *,
    observed: tuple[Sequence[date], Sequence[float]] | None = None,
    money: bool = False,
    width: int = 560,
    height: int = 240,
) -> str:
    """A line chart with 80% and 95% bands per series (keys: label, mean, and optionally p2_5, p10, p90, p97_5).

    Example:
        >>> svg = svg_band_chart("x", [date(2024, 1, 31), date(2024, 2, 29)], [{"label": "a", "mean": [1, 2]}])
        >>> svg.startswith("<svg")
        True
    """
    left, right, top, bottom = 64, 12, 28, 34
    w, h = width - left - right, height - top - bottom
    values = [v for s in series for k in ("mean", "p2_5", "p97_5") for v in s.get(k, [])]
    if observed is not None:
        values += list(observed[1])
    lo = min([0.0, *values]) if values else 0.0
    hi = max(values) if values else 1.0
    hi = hi if hi > lo else lo + 1
    span = (dates[-1] - dates[0]).days or 1 if dates else 1
    start = dates[0] if dates else date.today()

    def x(d: date) -> float:
        return left + w * (d - start).days / span

    def y(v: float) -> float:
        return top + h * (1 - (v - lo) / (hi - lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{html.escape(title)}" style="font:11px sans-serif">',
           f'<text x="{left}" y="16" style="font-weight:bold;font-size:13px">{html.escape(title)}</text>']
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{_fmt(v, money)}</text>')
    years = sorted({d.year for d in dates})
    every = max(1, -(-len(years) * 56 // max(w, 1)))  # label every n-th year so the labels never overlap
    for k, yr in enumerate(years):
        d = date(yr, 4, 1)
        if dates and dates[0] <= d <= dates[-1]:
            label = f"Apr {yr}" if k % every == 0 else ""
            out.append(f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top}" y2="{top + h}" stroke="#eee"/>'
                       f'<text x="{x(d):.1f}" y="{top + h + 14}" text-anchor="middle">{label}</text>')
    xs = [f"{x(d):.1f}," for d in dates]  # each date's x, formatted once for every line and band edge
    for i, s in enumerate(series):
        color = s.get("color", PALETTE[i % len(PALETTE)])
        for lo_k, hi_k, alpha in (("p2_5", "p97_5", 0.12), ("p10", "p90", 0.22)):
            if lo_k in s and hi_k in s:
                ring = [f"{px}{y(v):.1f}" for px, v in zip(xs, s[hi_k], strict=True)]
                ring += [f"{px}{y(v):.1f}" for px, v in reversed(list(zip(xs, s[lo_k], strict=True)))]
                out.append(f'<polygon points="{" ".join(ring)}" fill="{color}" fill-opacity="{alpha}" stroke="none"/>')
        pts = " ".join(f"{px}{y(v):.1f}" for px, v in zip(xs, s["mean"], strict=True))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{left + w - 4}" y="{top + 12 + 13 * i}" text-anchor="end" fill="{color}">'
                   f'{html.escape(str(s["label"]))}</text>')
    if observed is not None:
        for d, v in zip(*observed, strict=True):
            out.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="#000"/>')
    out.append("</svg>")
    return "".join(out)


def _groups(frame: pl.DataFrame) -> dict[tuple[str, str], pl.DataFrame]:
    """A summary's rows by (breakdown, group), split in one pass (the report charts ~16 series of the baseline:
    a filter each was ~3 ms of CPU)."""
    return frame.partition_by("breakdown", "group", as_dict=True, maintain_order=True)


def _series(groups: dict[tuple[str, str], pl.DataFrame], breakdown: str, group: str,
            label: str | None = None) -> dict[str, Any]:
    s = groups[(breakdown, group)]
    return {"label": label or group, **{c: s[c].to_list() for c in ("mean", "p2_5", "p10", "p90", "p97_5")}}


def _table(frame: pl.DataFrame, money: Sequence[str] = (), pct: Sequence[str] = (), digits: int = 1) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.iter_rows(named=True):
        cells = []
        for c, v in row.items():
            if isinstance(v, float):
                text = _fmt(v, money=True) if c in money else (f"{v:.0%}" if c in pct else f"{v:,.{digits}f}")
            else:
                text = html.escape("" if v is None else str(v))
            cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


CSS = """body{font-family:system-ui,sans-serif;max-width:1180px;margin:2em auto;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.85em}td,th{border:1px solid #ddd;padding:3px 6px;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.grid{display:flex;
flex-wrap:wrap;gap:8px}.note{color:#555;font-size:.9em}"""


def write_report(
    path: str | Path,
    *,
    model: FlowModel,
    baseline: Projection,
    scenarios: Sequence[tuple[Projection, pl.DataFrame]] = (),
    backtest: BacktestResult | None = None,
    unit_costs: UnitCosts | None = None,
    title: str = "Children in care: forecast",
) -> Path:
    """Write the report: stock with bands, entries and exits, spend, scenarios against the baseline, back-test,
    unit costs with their sources, and every data issue counted by kind."""
    path = Path(path)
    dates = baseline.dates
    st = baseline.states
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    total = baseline.stock("total")
    parts.append(
        f"<p>Fitted on episodes from {model.reference_start_} to {model.reference_end_}; {model.stock_.height:,} "
        f"children in care at the start. Projection: {len(dates)} months to {dates[-1]} ({baseline.engine} engine). "
        f"Children in care at the end: <b>{total['mean'][-1]:,.0f}</b> (95% band {total['p2_5'][-1]:,.0f} to "
        f"{total['p97_5'][-1]:,.0f}).</p>"
        "<p class='note'>Population forecasts only: nothing here concerns any named child. Bands: 80% (dark) and "
        "95% (light). They carry the randomness of who moves when, the error in the estimated entry level and its "
        "year-to-year wander, and the estimation error of the transition and exit rates and of the entry mix; not "
        "changes in how children move that the reference window did not see.</p>")
    parts.append("<h2>Children in care</h2>")
    base = _groups(baseline.summary)
    series = [_series(base, "total", "all", "baseline")]
    for proj, _ in scenarios:
        series.append({**_series(_groups(proj.summary), "total", "all", proj.scenario)})
    parts.append(svg_band_chart("Children in care (all)", dates, series, width=900, height=300))
    parts.append("<div class='grid'>")
    for cat in st.categories:
        s = _series(base, "category", cat.name, "baseline")
        if max(s["p97_5"] or [0]) > 0:
            parts.append(svg_band_chart(cat.label, dates, [s], width=380, height=200))
    parts.append("</div><h3>By age band</h3><div class='grid'>")
    for band in st.age_bands:
        parts.append(svg_band_chart(band.label, dates, [_series(base, "age_band", band.name)], width=380,
                                    height=200))
    parts.append("</div>")
    parts.append("<h2>Entries and exits (expected per month)</h2>")
    flows = baseline.flows.group_by("date", "flow", maintain_order=True).agg(pl.col("mean").sum()).sort("date")
    entry = flows.filter(pl.col("flow") == "entry")["mean"].to_list()
    exit_ = flows.filter(pl.col("flow") == "exit")["mean"].to_list()
    parts.append(svg_band_chart("Entries and exits per month", dates,
                                [{"label": "entries", "mean": entry}, {"label": "exits", "mean": exit_}]))
    by_exit = (baseline.flows.filter(pl.col("flow") == "exit")
               .with_columns(pl.col("date").dt.year().alias("year"))
               .pivot(on="group", index="year", values="mean", aggregate_function="sum"))
    parts.append(_table(by_exit.with_columns(pl.col("year").cast(pl.String)), digits=0))
    parts.append("<h2>Spend</h2>")
    weekly = baseline.spend("week")
    parts.append(svg_band_chart("Weekly placement spend", dates,
                                [{"label": "baseline", **{c: weekly[c].to_list() for c in
                                                          ("mean", "p2_5", "p10", "p90", "p97_5")}}], money=True))
    yearly = baseline.spend("year").select("period", "months", "mean", "p2_5", "p10", "p90", "p97_5")
    parts.append("<p>Spend by financial year (part years shown as such):</p>")
    parts.append(_table(yearly, money=("mean", "p2_5", "p10", "p90", "p97_5")))
    if scenarios:
        parts.append("<h2>Scenarios against the baseline</h2>")
        for proj, diff in scenarios:
            at_end = diff.filter(pl.col("date").dt.month() == 3,
                                 pl.col("breakdown").is_in(["total", "weekly_cost_gbp"]))
            tab = at_end.select(pl.col("date").cast(pl.String), "breakdown", "mean", "p2_5", "p97_5")
            parts.append(f"<h3>{html.escape(proj.scenario)}</h3>")
            parts.append(svg_band_chart(f"{proj.scenario}: children in care, difference from baseline", dates,
                                        [_series_from(diff, "total", "all", "difference")], width=700))
            parts.append(_table(tab))
            spend_diff = _spend_difference(baseline, proj)
            parts.append("<p>Spend difference by financial year:</p>" + _table(spend_diff, money=("difference",)))
    if backtest is not None:
        o = backtest.overall()
        parts.append(f"<h2>Back-test</h2><p>Fitted on what was known at {backtest.cutoff}; scored on the "
                     f"{backtest.horizon_months} months after. Total stock MAPE {o['mape_total']:.1f}%, bias "
                     f"{o['bias_total']:+.1f}%; by category MAPE {o['mape_category']:.1f}%, coverage of the 80% "
                     f"band {o['coverage_80']:.0%} and of the 95% band {o['coverage_95']:.0%}.</p>")
        parts.append(_table(backtest.table.filter(pl.col("breakdown") != "age_band"),
                            pct=("coverage_80", "coverage_95")))
        det = backtest.detail.filter(pl.col("breakdown") == "total")
        parts.append(svg_band_chart("Back-test: forecast against what happened", det["date"].to_list(),
                                    [{"label": "forecast", **{c: det[c].to_list() for c in
                                                              ("mean", "p2_5", "p10", "p90", "p97_5")}}],
                                    observed=(det["date"].to_list(), det["observed"].to_list())))
    if unit_costs is not None:
        parts.append("<h2>Unit costs (weekly, with sources)</h2>")
        parts.append(f"<p class='note'>Carried forward at {unit_costs.inflation:.1%} a year from their dates; "
                     "provider mix from the reference window.</p>")
        parts.append(_table(pl.DataFrame(unit_costs.table()), money=("weekly_gbp",)))
    parts.append("<h2>Data issues</h2>")
    counts: dict[tuple[str, str], int] = {}
    for issue in model.issues_:
        key = (issue.code, str(issue.severity))
        counts[key] = counts.get(key, 0) + 1
    counted = model.clean_.counts
    rows = [{"issue": c, "severity": s, "episodes or notes": counted.get(c, n)} for (c, s), n in counts.items()]
    parts.append(_table(pl.DataFrame(rows)) if rows else "<p>None.</p>")
    parts.append("<p class='note'>Every change the clean-up made is in issues.csv beside this report.</p>")
    parts.append("</body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _series_from(frame: pl.DataFrame, breakdown: str, group: str, label: str) -> dict[str, Any]:
    s = frame.filter(pl.col("breakdown") == breakdown, pl.col("group") == group)
    return {"label": label, **{c: s[c].to_list() for c in ("mean", "p2_5", "p10", "p90", "p97_5")}}


def _spend_difference(baseline: Projection, scenario: Projection) -> pl.DataFrame:
    a = baseline.spend("year").select("period", pl.col("mean").alias("baseline"))
    b = scenario.spend("year").select("period", pl.col("mean").alias("scenario"))
    return a.join(b, on="period").with_columns((pl.col("scenario") - pl.col("baseline")).alias("difference"))
