"""A self-contained HTML report of the outlook for one area: its history and fan chart beside its neighbours.

Charts are careflow's inline SVG (:func:`careflow.flows.report.svg_band_chart`); no scripts, no external files.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from careflow.flows.report import CSS, svg_band_chart
from careflow.outlook.forecast import POPULATION_ASSUMPTION, OutlookResult
from careflow.outlook.history import OutlookArea
from careflow.outlook.models import DESCRIPTIONS, MEASURE_NAMES, PARAMETERS

__all__ = ["html_report", "neighbours_of"]

LABELS = {"cla_31_march": "Children looked after at 31 March", "starts": "Children starting to be looked after",
          "ceased": "Children ceasing to be looked after"}
MAX_NEIGHBOURS = 10


def neighbours_of(result: OutlookResult, area: OutlookArea) -> list[OutlookArea]:
    """Who an area is shown beside: an LA's statistical neighbours (DfE's list) and region; a region's fellow
    regions; England's regions. Only areas the outlook forecasts."""
    h = result.history
    forecast = set(result.frame["old_la_code"].to_list()) | set(result.frame["area_code"].to_list())
    by_code = {a.code: a for a in h.areas if a.code in forecast or a.ons_code in forecast}
    if area.level == "local authority":
        out = [by_code[c] for c in area.statistical_neighbours if c in by_code][:MAX_NEIGHBOURS]
        if area.region_code in by_code:
            out.append(by_code[area.region_code])
        return out
    return [a for a in by_code.values() if a.level == "regional" and a.code != area.code]


def _fan(result: OutlookResult, area: OutlookArea, measure: str, width: int, height: int, title: str) -> str:
    h = result.history
    i = h.index(area.code)
    hist = h.values[measure][i]
    years = [int(y) for y in h.years]
    rows = result.frame.filter((pl.col("area_code") == area.ons_code) & (pl.col("old_la_code") == area.old_la_code)
                               & (pl.col("measure") == measure)).sort("year")
    dates = [date(y, 3, 31) for y in years] + [date(int(y), 3, 31) for y in rows["year"]]
    last = float(hist[-1]) if np.isfinite(hist[-1]) else float("nan")

    def path(column: str) -> list[float]:
        past = [float(v) if np.isfinite(v) else last for v in hist]
        return past + [float(v) for v in rows[column]]

    if rows.height == 0:
        return f"<p>No forecast of {html.escape(LABELS[measure].lower())} for {html.escape(area.name)}.</p>"
    obs = [(date(y, 3, 31), float(v)) for y, v in zip(years, hist, strict=True) if np.isfinite(v)]
    series: dict[str, Any] = {"label": f"forecast ({rows['method'][0]})", "mean": path("value"),
                              "p10": path("lo80"), "p90": path("hi80"), "p2_5": path("lo95"), "p97_5": path("hi95")}
    return svg_band_chart(title, dates, [series], observed=([d for d, _ in obs], [v for _, v in obs]),
                          width=width, height=height)


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.iter_rows():
        cells = []
        for v in row:
            if isinstance(v, float):
                text = f"{v:,.0f}" if v == int(v) or abs(v) >= 1000 else f"{v:,.1f}"
            else:
                text = html.escape(str(v))
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_report(result: OutlookResult, area: OutlookArea) -> str:
    """The page: the area's three measures with history and bands, its neighbours' CLA fans, the back-test."""
    h = result.history
    title = f"Outlook: {area.name}"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts.append(f"<p>{html.escape(area.display_name)} ({html.escape(area.level)}; ONS {html.escape(area.ons_code)}"
                 + (f", DfE LA {html.escape(area.old_la_code)}" if area.old_la_code else "") + ").</p>")
    parts.append(f"<p class='note'>Source: {html.escape(h.source)}. Forecasts from {h.last_year + 1}; years end "
                 f"31 March. Population: ONS mid-year estimates for the years they cover, then "
                 f"{html.escape(POPULATION_ASSUMPTION)}. Bands: 80% (dark) and 95% (light), calibrated from the "
                 "back-test's errors at each horizon. Population forecasts only: nothing here concerns any named "
                 "child.</p>")
    parts.append("<h2>History and forecast</h2><div class='grid'>")
    for m in MEASURE_NAMES:
        parts.append(_fan(result, area, m, 560, 260, LABELS[m]))
    parts.append("</div>")
    mine = result.frame.filter((pl.col("area_code") == area.ons_code) & (pl.col("old_la_code") == area.old_la_code))
    parts.append(_table(mine.select("year", "measure", "value", "lo80", "hi80", "lo95", "hi95", "method")))
    neighbours = neighbours_of(result, area)
    if neighbours:
        kind = "statistical neighbours and region" if area.level == "local authority" else "the regions"
        parts.append(f"<h2>Beside {kind}: children looked after at 31 March</h2><div class='grid'>")
        for n in [area, *neighbours]:
            parts.append(_fan(result, n, "cla_31_march", 380, 200, n.name))
        parts.append("</div>")
        rows = []
        pop_col = h.population_for(np.array([h.last_year]))[:, 0]
        last = result.frame.filter(pl.col("measure") == "cla_31_march")
        end_year = int(last["year"].max())  # type: ignore[arg-type]
        for n in [area, *neighbours]:
            i = h.index(n.code)
            cla = h.values["cla_31_march"][i, -1]
            f = last.filter((pl.col("area_code") == n.ons_code) & (pl.col("old_la_code") == n.old_la_code)
                            & (pl.col("year") == end_year))
            rows.append({"area": n.name, f"CLA {h.last_year}": float(cla),
                         f"rate per 10,000 {h.last_year}": float(cla / pop_col[i] * 1e4),
                         f"forecast {end_year}": float(f["value"][0]) if f.height else float("nan"),
                         "80% band": f"{f['lo80'][0]:,.0f}-{f['hi80'][0]:,.0f}" if f.height else ""})
        parts.append(_table(pl.DataFrame(rows)))
    parts.append("<h2>How the method was chosen</h2>")
    parts.append("<p>Rolling-origin back-test: from each origin 2012-2019 every candidate forecast every area 1-3 "
                 "years ahead from what was published by then (population held at the origin's estimate), scored "
                 "against what DfE later published. For each level and measure the candidate with the lowest mean "
                 "MAPE among those below persistence's at every horizon is used; persistence otherwise. "
                 f"Damping {PARAMETERS['damping']} a year, trend window {PARAMETERS['trend_window_years']:.0f} "
                 f"years, rates held at their {PARAMETERS['level_window_years']:.0f}-year mean (assumed, not "
                 "fitted).</p><ul>")
    for name, text in DESCRIPTIONS.items():
        parts.append(f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>")
    parts.append("</ul>")
    s = result.scores.filter(pl.col("level") == area.level)
    wide = s.pivot(on="horizon", index=["measure", "method"], values="mape").sort("measure", "method")
    wide = wide.rename({c: f"MAPE {c}y (%)" for c in wide.columns if c not in ("measure", "method")})
    chosen = {m: result.choices[(area.level, m)] for m in MEASURE_NAMES}
    wide = wide.with_columns(pl.struct("measure", "method").map_elements(
        lambda r: "chosen" if chosen.get(r["measure"]) == r["method"] else "", return_dtype=pl.String).alias("used"))
    parts.append(f"<p>Back-test at this level ({html.escape(area.level)}):</p>" + _table(wide))
    cov = result.coverage.filter(pl.col("level") == area.level).select(
        "measure", "horizon", pl.col("coverage80").alias("80% band held (%)"),
        pl.col("coverage95").alias("95% band held (%)"), "n")
    parts.append("<p>How often the bands held what happened (each origin's band calibrated on the other origins' "
                 "errors):</p>" + _table(cov.with_columns(pl.col("n").cast(pl.String), pl.col("horizon").cast(
                     pl.String))))
    parts.append("</body></html>")
    return "".join(parts)
