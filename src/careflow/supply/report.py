"""Sufficiency outputs: ``sufficiency.csv``, JSON of every figure, and an HTML report per area with SVG charts.

The charts are careflow's dependency-free SVG (:mod:`careflow.measures._svg`); the workforce section and its
figures (``<area>_workforce.csv`` and the JSON) come from ``careflow.supply.workforce.picture_for(footprint)`` when
that module is installed: the same picture as ``careflow workforce --area`` for the same area.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from html import escape
from pathlib import Path
from typing import Any

from careflow.measures._svg import bars, trend
from careflow.supply.areas import Footprint
from careflow.supply.placements import LABELS, PLANNED_TYPES
from careflow.supply.sufficiency import SufficiencyResult

__all__ = ["CSV_COLUMNS", "workforce_section", "write_outputs"]

CSV_COLUMNS = ("area", "year", "placement_type", "demand", "supply", "gap", "cost")
SHORT = {"foster_in_house": "in-house", "foster_independent": "agency", "childrens_home": "homes",
         "supported_accommodation": "supported", "kinship_foster": "kinship", "other": "other"}
_COLOURS = {"foster_in_house": "#1d70b8", "foster_independent": "#5694ca", "childrens_home": "#d4351c",
            "supported_accommodation": "#f47738", "kinship_foster": "#00703c", "other": "#b1b4b6"}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "area"


def workforce_section(area: Footprint) -> tuple[str, list[dict[str, Any]]]:
    """The workforce picture's HTML (with its own heading) and records when ``careflow.supply.workforce`` is
    installed; otherwise, or when the census cannot draw the area, a sentence saying why."""
    if importlib.util.find_spec("careflow.supply.workforce") is None:
        return "<h2>Workforce</h2><p>Workforce model not installed (careflow.supply.workforce).</p>", []
    workforce = importlib.import_module("careflow.supply.workforce")
    try:
        picture = workforce.picture_for(area)
    except workforce.WorkforceError as exc:
        return (f"<h2>Workforce</h2><p>The workforce picture of {escape(area.name)} cannot be drawn: "
                f"{escape(str(exc))}</p>"), []
    return picture.html_section(), list(picture.to_records())


def write_outputs(results: list[SufficiencyResult], out: str | Path,
                  compare: SufficiencyResult | None = None) -> list[Path]:
    """Write ``sufficiency.csv`` (every area), ``sufficiency.json`` and ``<area>.html`` per area into ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "sufficiency.csv", folder / "sufficiency.json"]
    with paths[0].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([*CSV_COLUMNS, "placed_instead", "out_of_area", "scenario"])
        for r in results:
            for row in r.rows:
                w.writerow([row["area"], row["year"], row["placement_type"], row["demand"], row["supply"], row["gap"],
                            row["cost_gbp"], row["placed_instead"], row["out_of_area"], r.scenario.label])
    records: list[dict[str, Any]] = []
    for r in results:
        html, wf = workforce_section(r.area)
        records.append(r.to_json() | {"workforce": wf})
        page = folder / f"{_slug(r.area.name)}.html"
        page.write_text(_html(r, html, compare), encoding="utf-8")
        paths.append(page)
        if wf:
            path = folder / f"{_slug(r.area.name)}_workforce.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                w3 = csv.DictWriter(f, ["area", "year", "measure", "value", "unit", "source"])
                w3.writeheader()
                w3.writerows(wf)
            paths.append(path)
    paths[1].write_text(json.dumps({"areas": records}, indent=1, default=str), encoding="utf-8")
    for r in results:  # one table of the inspection measures and prices, for spreadsheets
        for name, table in (("measures", r.measures), ("prices", r.prices), ("carers", r.carers),
                            ("capacity", r.capacity),
                            ("demand_by_age", r.demand_by_age)):
            path = folder / f"{_slug(r.area.name)}_{name}.csv"
            if table:
                with path.open("w", newline="", encoding="utf-8") as f:
                    w2 = csv.DictWriter(f, list(table[0]))
                    w2.writeheader()
                    w2.writerows(table)
                paths.append(path)
    return paths


def _money(v: float) -> str:
    return f"£{v / 1e6:,.1f}m"


def _html(r: SufficiencyResult, workforce_html: str, compare: SufficiencyResult | None) -> str:
    years = r.years
    parts = [f"<h1>Sufficiency: {escape(r.area.name)}</h1>",
             f"<p>Scenario: <b>{escape(r.scenario.label)}</b>. {len(r.area.las)} local authorities "
             f"({escape(', '.join(r.area.las[:12]))}{'…' if len(r.area.las) > 12 else ''}).</p>",
             f"<p><b>Demand:</b> {escape(r.demand_source)}.</p>",
             "<h2>Demand against supply by type</h2><div class='charts'>"]
    for t in PLANNED_TYPES:
        parts.append(_figure(LABELS[t], trend(LABELS[t], years, [("demand", "#0b0c0c", r.series(t, "demand")),
                                                                 ("supply", _COLOURS[t], r.series(t, "supply"))],
                                              "children")))
    parts.append("</div><h2>The gap over time</h2><p>Gap = demand less supply (children without a place of that "
                 "type in the area; negative = spare places). Children's homes' demand includes children who needed "
                 "a foster family and had none.</p>")
    parts.append(_figure("Gap by type (children)", trend("Gap by type", years, [
        (SHORT[t], _COLOURS[t], r.series(t, "gap")) for t in PLANNED_TYPES], "children", width=620)))
    parts.append(_figure("Cost by type (£m a year)", bars("Cost by type (£m a year)", years, [
        (SHORT[t], _COLOURS[t], [v / 1e6 for v in r.series(t, "cost_gbp")])
        for t in ("kinship_foster", "foster_in_house", "foster_independent", "childrens_home",
                  "supported_accommodation", "other")], width=620, height=240)))
    if compare is not None and compare.area == r.area:
        parts.append(f"<p>Against the baseline: children's homes gap in {years[-1]} "
                     f"{compare.row(years[-1], 'childrens_home')['gap']:,.0f} → "
                     f"{r.row(years[-1], 'childrens_home')['gap']:,.0f}; total cost "
                     f"{_money(compare.measures[-1]['total_cost_gbp'])} → {_money(r.measures[-1]['total_cost_gbp'])}"
                     ".</p>")
    parts.append("<h2>Price path (£ a week)</h2>")
    parts.append(_figure("Weekly prices (£)", trend("Weekly prices", years, [
        ("home: unit cost", "#d4351c", [p["childrens_home"] for p in r.prices]),
        ("home: private avg", "#f47738", [p["private_average_childrens_home"] for p in r.prices]),
        ("home: gap place", "#0b0c0c", [p["gap_childrens_home"] for p in r.prices]),
        ("agency fostering", "#5694ca", [p["foster_independent"] for p in r.prices]),
        ("in-house fostering", "#1d70b8", [p["foster_in_house"] for p in r.prices])], "£ a week", width=620)))
    parts.append("<p>A place the area has is costed at the unit-cost library's figure (children's homes £4,971 a "
                 "week, 000_dab62616b6dfd7b9.txt:586: the authority's unit cost that flows and reform use); a child "
                 "with no local place at the spot price (ADCS £5,000-£7,000, 001_8bebe4ae25a58006.txt:2221) or, "
                 "bought in block, the CMA's average private price (£2,977 in 2016 → £3,830 in 2020, "
                 "001_8bebe4ae25a58006.txt:2214) over the block's occupancy. Margin caps act within the cited "
                 "margins (22.6% homes, 19.4% agencies, 001_8bebe4ae25a58006.txt:2214-2219).</p>")
    parts.append("<h2>Inspection measures the Review proposes for Regional Care Cooperatives</h2>"
                 "<p>001_8bebe4ae25a58006.txt:2313 (needs met, stability, living close to their community); "
                 "41% placed outside the home LA in March 2020 (001_8bebe4ae25a58006.txt:2722).</p>")
    head = ("year", "needs met", "within 20 miles", "in home LA", "3+ placements (upper)", "without a place of type",
            "total cost")
    parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
    for m in r.measures:
        cells = (m["year"], _pct(m["needs_met_share"]), _pct(m["within_20_miles_share"]), _pct(m["in_home_la_share"]),
                 _pct(m["three_plus_placements_share_upper"]), f"{m['children_without_a_place_of_their_type']:,.0f}",
                 _money(m["total_cost_gbp"]))
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</table><h2>Capacity, occupancy and vacancy</h2><p>Approved foster places hold usable places at "
                 "the assumed occupancy (fostering.occupancy); children's homes in England had 9,699 places for 7,440 "
                 "children in 2021, 77% occupied (001_8bebe4ae25a58006.txt:3382 against the DfE count).</p><table>"
                 "<tr><th>year</th><th>type</th><th>places</th><th>occupied</th><th>vacant</th><th>occupancy</th></tr>")
    for c in r.capacity:
        parts.append(f"<tr><td>{c['year']}</td><td>{escape(LABELS[c['placement_type']])}</td>"
                     f"<td>{c['places']:,.0f}</td><td>{c['occupied']:,.0f}</td><td>{c['vacant']:,.0f}</td>"
                     f"<td>{_pct(c['occupancy'])}</td></tr>")
    parts.append("</table><h2>Foster carers: joining and leaving</h2>")
    parts.append(f"<p>{escape(r.hazards)}.</p>")
    cy = [c["year"] for c in r.carers]
    parts.append("<div class='charts'>" + _figure("Fostering households", trend("Fostering households", cy, [
        ("in-house", "#1d70b8", [c["households_foster_in_house"] for c in r.carers]),
        ("agency", "#5694ca", [c["households_foster_independent"] for c in r.carers])], "households")))
    parts.append(_figure("Households leaving a year", trend("Leavers a year", cy, [
        ("in-house", "#1d70b8", [c["leavers_foster_in_house"] for c in r.carers]),
        ("agency", "#5694ca", [c["leavers_foster_independent"] for c in r.carers])], "households")) + "</div>")
    fn = r.funnel
    if fn["recruits"]:
        parts.append(f"<p>Recruiting {fn['recruits']:,.0f} households a year at the funnel's {fn['conversion']:.2%} "
                     f"conversion (001_8bebe4ae25a58006.txt:2387) needs {fn['enquiries_needed']:,.0f} more "
                     f"enquiries a year and costs {_money(fn['cost_gbp'])} a year (£8,444 a recruit, "
                     "001_8bebe4ae25a58006.txt:3961).</p>")
    parts.append("<h2>Demand by age</h2>")
    ages = sorted({a["age_group"] for a in r.demand_by_age}, key=_age_order)  # youngest at the bottom
    parts.append(_figure("Children looked after by age group", bars("Children by age group", years, [
        (a.replace("age_", "").replace("_", " "), c, [x["demand"] for x in r.demand_by_age if x["age_group"] == a])
        for a, c in zip(ages, ("#1d70b8", "#5694ca", "#00703c", "#f47738", "#d4351c"), strict=False)], width=620)))
    parts.append(workforce_html)
    parts.append("<h2>Notes and fallbacks</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in r.notes) + "</ul>")
    parts.append("<h2>Parameters (cited or assumed)</h2><table><tr><th>name</th><th>value</th><th>unit</th>"
                 "<th>source</th></tr>" + "".join(
                     f"<tr><td>{escape(p['name'])}</td><td>{escape(str(p['value']))}</td><td>{escape(p['unit'])}</td>"
                     f"<td>{'<b>assumption</b> ' if p['assumption'] else ''}{escape(p['reference'])}</td></tr>"
                     for p in r.parameters) + "</table>")
    css = ("body{font-family:Arial,Helvetica,sans-serif;max-width:1100px;margin:2em auto;color:#0b0c0c}"
           "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
           "figure{display:inline-block;vertical-align:top;margin:0 1em 1em 0}"
           "figcaption{font-weight:bold;font-size:13px}")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Sufficiency: {escape(r.area.name)}"
            f"</title><style>{css}</style></head><body>{''.join(parts)}</body></html>")


def _age_order(group: str) -> int:
    """'age_under_1' -> 0, 'age_1_to_4' -> 1, 'age_16_plus' -> 16: the youngest age in the group."""
    digits = re.findall(r"\d+", group)
    return 0 if "under" in group or not digits else int(digits[0])


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"
