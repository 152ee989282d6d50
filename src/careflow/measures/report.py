"""The scorecard report: a self-contained HTML page with charts per Framework objective, and every figure with
its definition as CSV and JSON.

The page says what each figure is, where it comes from, and what it cannot tell. It shows no ranks: each
authority is set beside its statistical neighbours, region and England, over time and on a funnel plot.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from careflow.measures import _svg
from careflow.measures._definitions import Indicator, indicators, objectives
from careflow.measures.benchmark import comparators, funnel, reported_values
from careflow.measures.demand import typology
from careflow.measures.published import ENGLAND, STATUSES, Area, areas, coverage, round_half_up
from careflow.measures.published import compute as published_compute

__all__ = ["Scorecard", "build", "write"]


@dataclass
class Scorecard:
    """Everything the report shows.

    Attributes:
        title: who the scorecard is for.
        source: ``published`` or ``returns``.
        area: the area in the published statistics (None for returns of an unknown authority).
        figures: one row per indicator and year with the area's figure, comparators and definitions.
        published: published figures for every area (funnel plots, trends).
        demand: the demand typology.
        notes: things the reader should know (data issues, limits of the comparison).
    """

    title: str
    source: str
    area: Area | None
    figures: pl.DataFrame
    published: pl.DataFrame
    demand: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    own_code: str | None = None


def build(
    area: Area | None,
    own: pl.DataFrame | None = None,
    *,
    own_code: str | None = None,
    notes: Sequence[str] = (),
    published: pl.DataFrame | None = None,
) -> Scorecard:
    """Assemble a scorecard.

    Args:
        area: the area in the published statistics (None when returns come from an authority careflow cannot
            place: then there are no comparators).
        own: figures from the area's own returns (:func:`careflow.measures.figures_from_tables`), one LA's rows;
            None for a scorecard from published statistics.
        own_code: the ``area_code`` of ``own``'s rows.
        notes: extra notes to show.
        published: published figures (computed when not given).
    """
    published = published if published is not None else published_compute()
    published = reported_values(published)
    if own is not None:
        mine = reported_values(own)
        source = "returns"
    elif area is not None:
        mine = published.filter(pl.col("area_code") == area.code)
        source = "published"
    else:
        raise ValueError("build() needs an area, own figures, or both")
    if area is not None:
        comp = comparators(published, area, own=mine).select(
            "indicator", "year", "england", "region", "neighbours", "neighbours_n", "band"
        )
    else:
        comp = mine.select("indicator", "year").with_columns(
            pl.lit(None, dtype=pl.Float64).alias("england"),
            pl.lit(None, dtype=pl.Float64).alias("region"),
            pl.lit(None, dtype=pl.Float64).alias("neighbours"),
            pl.lit(0, dtype=pl.UInt32).alias("neighbours_n"),
            pl.lit(None, dtype=pl.String).alias("band"),
        )
    if "note" not in mine.columns:
        mine = mine.with_columns(pl.lit(None, dtype=pl.String).alias("note"))
    frame = mine.join(comp, on=["indicator", "year"], how="left")
    frame = _with_definitions(frame)
    title = area.name if area is not None else "Local authority returns"
    if own is not None:
        title += " — from its own returns"
    demand_code = own_code if own is not None else (area.code if area else "")
    demand = typology(mine.with_columns(pl.lit(demand_code).alias("area_code")), demand_code or "")
    all_notes = list(notes)
    if own is not None and area is not None:
        years = sorted(set(frame["year"].to_list()))
        last = coverage().last_year
        if years and min(years) > last:
            all_notes.append(
                f"Your returns cover {years[0]}-{years[-1]}; the published statistics careflow holds stop at {last}, "
                f"so neighbour, region and England comparisons are shown from {last}, the latest published year."
            )
    return Scorecard(title, source, area, frame, published, demand, all_notes, own_code)


def _with_definitions(frame: pl.DataFrame) -> pl.DataFrame:
    objs = objectives()
    meta = pl.DataFrame(
        [
            {
                "indicator": i.id,
                "indicator_name": i.name,
                "objective": i.objective,
                "objective_text": objs[i.objective].short,
                "unit": i.unit_label,
                "period": i.period_label,
                "direction": i.direction_label,
                "numerator_definition": i.numerator.description,
                "denominator_definition": i.denominator.description,
                "reference": i.reference,
                "dfe_measure": i.dfe.measure if i.dfe else None,
            }
            for i in indicators()
        ]
    )
    meaning = pl.col("status").replace_strict(STATUSES, default=None)
    return frame.join(meta, on="indicator", how="left").with_columns(meaning.alias("status_meaning"))


# --- writing ------------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "area_code",
    "source",
    "objective",
    "objective_text",
    "indicator",
    "indicator_name",
    "year",
    "period",
    "numerator",
    "denominator",
    "value",
    "reported",
    "reported_from",
    "unit",
    "status",
    "status_meaning",
    "symbol",
    "note",
    "dfe_value",
    "matches_dfe",
    "neighbours",
    "neighbours_n",
    "region",
    "england",
    "band",
    "direction",
    "numerator_definition",
    "denominator_definition",
    "dfe_measure",
    "reference",
]


def _paths(out: Path) -> tuple[Path, Path, Path]:
    if out.suffix.lower() in (".html", ".htm"):
        return out, out.with_suffix(".csv"), out.with_suffix(".json")
    return out / "scorecard.html", out / "scorecard.csv", out / "scorecard.json"


def write(card: Scorecard, out: Path) -> dict[str, Path]:
    """Write the HTML report, the CSV of every figure and the JSON (figures with full definitions).

    ``out`` is a folder (created if needed) or a path ending in ``.html`` (the CSV and JSON go beside it).
    """
    html_path, csv_path, json_path = _paths(out)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    export = card.figures.select([c for c in EXPORT_COLUMNS if c in card.figures.columns]).sort(
        "objective", "indicator", "year"
    )
    export.write_csv(csv_path)
    payload = {
        "title": card.title,
        "source": card.source,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "area": None if card.area is None else asdict(card.area),
        "notes": card.notes,
        "statuses": STATUSES,
        "objectives": {k: asdict(v) for k, v in objectives().items()},
        "indicators": [i.to_dict() for i in indicators()],
        "figures": export.to_dicts(),
        "demand": card.demand.to_dicts(),
    }
    json_path.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
    html_path.write_text(render_html(card, csv_path.name, json_path.name), encoding="utf-8")
    return {"html": html_path, "csv": csv_path, "json": json_path}


# --- HTML ---------------------------------------------------------------------------------------------------------

CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;margin:0;background:#f3f2f1}
main{max-width:1180px;margin:0 auto;padding:16px 24px;background:#fff}
h1{font-size:30px;margin:8px 0}h2{font-size:23px;border-top:4px solid #1d70b8;padding-top:10px;margin-top:32px}
h3{font-size:18px;margin:4px 0 6px}
.lede{font-size:17px;max-width:60em}.small{font-size:13px;color:#505a5f}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border-bottom:1px solid #b1b4b6;padding:4px 6px;
text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
.card{border:1px solid #b1b4b6;padding:12px;margin:14px 0;break-inside:avoid}
.charts{display:flex;flex-wrap:wrap;gap:12px}.tag{display:inline-block;padding:1px 6px;font-size:12px;
border-radius:2px;background:#e5e6e7;margin-right:4px}.tag.ok{background:#cce2d8}.tag.warn{background:#fff7bf}
.tag.miss{background:#f4cdc6}details{margin-top:6px}summary{cursor:pointer;color:#1d70b8}
.notice{border-left:6px solid #1d70b8;background:#f0f4f5;padding:8px 12px;margin:12px 0}
"""


def _fmt(value: float | None, decimals: int) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    value = round_half_up(float(value), decimals)
    return f"{value:,.{decimals}f}"


def _status_tag(status: str | None, symbol: str | None, note: str | None) -> str:
    if status in (None, "ok"):
        return ""
    label = {
        "suppressed": f"suppressed ({symbol})" if symbol else "suppressed",
        "not_available": "not available (x)",
        "not_applicable": "not applicable (z)",
        "no_data": "no data",
        "zero_denominator": "denominator zero",
        "not_published": "not published",
        "not_computable": "not computable",
    }.get(status, status)
    title = escape(note or STATUSES.get(status, ""))
    return f'<span class="tag miss" title="{title}">{escape(label)}</span>'


def _latest(rows: pl.DataFrame) -> dict[str, Any] | None:
    """The latest year with something to say: a figure, or a reason there is none (suppressed, zero
    denominator...) — never an older figure passed off as the latest. Years with no data at all are skipped."""
    said = rows.filter(~pl.col("status").is_in(["no_data", "not_published", "not_computable"])).sort("year")
    if said.height:
        return said.row(-1, named=True)
    any_rows = rows.sort("year")
    return any_rows.row(-1, named=True) if any_rows.height else None


def _latest_figure(rows: pl.DataFrame) -> dict[str, Any] | None:
    ok = rows.filter(pl.col("status") == "ok").sort("year")
    return ok.row(-1, named=True) if ok.height else None


def render_html(card: Scorecard, csv_name: str, json_name: str) -> str:
    """The report page."""
    inds = indicators()
    objs = objectives()
    parts: list[str] = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>careflow scorecard — {escape(card.title)}</title><style>{CSS}</style></head><body><main>",
        f"<p class='small'>careflow scorecard · generated {datetime.now(UTC):%d %B %Y}</p>",
        f"<h1>{escape(card.title)}</h1>",
    ]
    if card.area is not None and card.area.code != ENGLAND:
        neighbours = [areas()[c].name for c in card.area.statistical_neighbours if c in areas()]
        parts.append(
            f"<p class='small'>DfE LA number {escape(card.area.code)} · {escape(card.area.ons_code)} · "
            f"{escape(card.area.region_name)} · statistical neighbours (DfE, April 2021): "
            f"{escape(', '.join(neighbours) or 'none')}</p>"
        )
    source_text = (
        f"DfE and ONS published statistics, {coverage().describe()}"
        if card.source == "published"
        else "the authority's own SSDA903 and CIN census returns, computed by the same definitions DfE's published "
        "figures follow"
    )
    parts.append(
        "<p class='lede'>The indicators of the National Children's Social Care Framework's balanced scorecard, "
        "grouped by the Framework's objectives (Independent Review of Children's Social Care, 2022). They are for "
        f"learning, not targets: nothing here is a rank. Source: {escape(source_text)}.</p>"
    )
    parts.append(
        "<div class='notice'><strong>How to read this.</strong> Each figure is set beside the mean of the "
        "authority's ten statistical neighbours, its region and England. The funnel plots show every authority "
        "against its size: dots inside the dashed lines (95%) differ from England by no more than chance would "
        "explain; the solid lines are 99.8% limits. A dot outside them is a prompt to ask why, not a verdict. "
        "Suppressed figures are shown as suppressed, never as zero. "
        f"Every figure, with its definition: <a href='{escape(csv_name)}'>{escape(csv_name)}</a> · "
        f"<a href='{escape(json_name)}'>{escape(json_name)}</a>.</div>"
    )
    for note in card.notes:
        parts.append(f"<div class='notice'>{escape(note)}</div>")
    parts.append(_summary_table(card))
    for obj_id, obj in objs.items():
        these = [i for i in inds if i.objective == obj_id]
        parts.append(f"<h2 id='{obj_id}'>{escape(obj.group[:-1])} {obj.number}: {escape(obj.short)}</h2>")
        parts.append(f"<p class='small'>{escape(obj.text)} ({escape(obj.reference)})</p>")
        if not these:
            parts.append("<p>No indicator in careflow's set serves this objective yet: the data collections hold "
                         "nothing that measures it (see the review's call for new data, "
                         "001_8bebe4ae25a58006.txt:3498).</p>")
        for ind in these:
            parts.append(_card(card, ind))
    parts.append(_demand_section(card))
    parts.append(_statuses_section())
    parts.append("<p class='small'>Contains public sector information licensed under the Open Government Licence "
                 "v3.0 (DfE, ONS). Generated by careflow.measures.</p></main></body></html>")
    return "".join(parts)


def _summary_table(card: Scorecard) -> str:
    rows = ["<h2>Summary: the latest figure for each indicator</h2><table><thead><tr><th>Objective</th>"
            "<th>Indicator</th><th>Year</th><th>Figure</th><th>Neighbours</th><th>Region</th><th>England</th>"
            "<th>Funnel</th><th>Reading</th></tr></thead><tbody>"]
    for ind in indicators():
        sub = card.figures.filter(pl.col("indicator") == ind.id)
        latest = _latest(sub)
        if latest is None:
            continue
        value = latest.get("reported") if latest["status"] == "ok" else None
        earlier = ""
        last_ok = _latest_figure(sub)
        if latest["status"] != "ok" and last_ok is not None:
            earlier = f"<br><span class='small'>{last_ok['year']}: {_fmt(last_ok['reported'], ind.decimals)}</span>"
        rows.append(
            f"<tr><td>{escape(latest['objective_text'] or '')}</td><td><a href='#{ind.id}'>{escape(ind.name)}</a></td>"
            f"<td>{latest['year']}</td><td class='n'>{_fmt(value, ind.decimals)} "
            f"{_status_tag(latest['status'], latest.get('symbol'), latest.get('note'))}{earlier}</td>"
            f"<td class='n'>{_fmt(latest.get('neighbours'), ind.decimals)}</td>"
            f"<td class='n'>{_fmt(latest.get('region'), ind.decimals)}</td>"
            f"<td class='n'>{_fmt(latest.get('england'), ind.decimals)}</td>"
            f"<td>{escape(latest.get('band') or '')}</td><td class='small'>{escape(ind.direction_label)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _card(card: Scorecard, ind: Indicator) -> str:
    sub = card.figures.filter(pl.col("indicator") == ind.id).sort("year")
    latest = _latest(sub)
    out = [f"<div class='card' id='{ind.id}'><h3>{escape(ind.name)}</h3>"]
    if latest is None:
        out.append("<p>No figures.</p></div>")
        return "".join(out)
    value = latest.get("reported") if latest["status"] == "ok" else None
    unit = "%" if ind.unit == "percent" else f" {ind.unit_label}"
    headline = f"{_fmt(value, ind.decimals)}{unit if value is not None else ''}"
    dfe_note = ""
    if latest.get("reported_from") == "dfe":
        if latest.get("matches_dfe") is False:
            title = (f"DfE's figure, from unrounded counts; careflow computes {_fmt(latest['value'], ind.decimals)} "
                     "from the rounded counts in the published files")
        else:
            title = "DfE publishes this measure; careflow's computation from its counts gives the same figure"
        dfe_note = f" <span class='tag ok' title='{escape(title)}'>DfE published</span>"
    out.append(
        f"<p><strong style='font-size:22px'>{escape(headline)}</strong> in {latest['year']} "
        f"{_status_tag(latest['status'], latest.get('symbol'), latest.get('note'))}{dfe_note} "
        f"<span class='small'>{escape(ind.period_label)}; {escape(ind.direction_label)}</span></p>"
    )
    if latest["status"] == "ok" and latest.get("numerator") is not None:
        out.append(f"<p class='small'>{_fmt(latest['numerator'], 1 if ind.unit == 'ratio' else 0)} ÷ "
                   f"{_fmt(latest['denominator'], 1 if ind.unit == 'ratio' else 0)}"
                   f"{' × ' + format(int(ind.scale), ',') if ind.scale != 1 else ''}</p>")
    out.append("<div class='charts'>")
    out.append(_trend_chart(card, ind, sub))
    out.append(_funnel_chart(card, ind, sub))
    out.append("</div>")
    missing = sub.filter(pl.col("status") != "ok")
    if missing.height:
        items = ", ".join(
            f"{y}: {n or STATUSES.get(s, s)}" + (f" ({sym})" if sym else "")
            for y, s, n, sym in missing.select("year", "status", "note", "symbol").iter_rows()
        )
        out.append(f"<p class='small'>Years without a figure — {escape(items)}.</p>")
    out.append("<details><summary>Definition</summary><table>")
    rows = [
        ("Description", ind.description),
        ("Numerator", ind.numerator.description),
        ("Denominator", ind.denominator.description),
        ("Period", ind.period_label),
        ("Direction", f"{ind.direction_label}. {ind.direction_note}"),
        ("DfE measure", ind.dfe.measure if ind.dfe else "DfE publishes no figure for this measure in the files "
                                                         "careflow holds; careflow computes it"),
        ("Reference", ind.reference),
    ]
    rows += [("Caveat", c) for c in ind.caveats]
    for k, v in rows:
        out.append(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>")
    out.append("</table></details></div>")
    return "".join(out)


def _trend_chart(card: Scorecard, ind: Indicator, sub: pl.DataFrame) -> str:
    published = card.published.filter(pl.col("indicator") == ind.id)
    years = sorted(set(sub["year"].to_list()) | set(published.filter(pl.col("status") == "ok")["year"].to_list()))
    if not years:
        return ""

    def series(frame: pl.DataFrame, column: str = "value") -> list[float | None]:
        lookup = {y: v for y, v in frame.select("year", column).iter_rows()}
        return [lookup.get(y) for y in years]

    lines: list[tuple[str, str, Sequence[float | None]]] = []
    label = "This area" if card.source == "published" else "Your returns"
    lines.append((label, "area", series(sub.filter(pl.col("status") == "ok"))))
    if card.area is not None:
        if card.source == "returns":
            own_published = published.filter((pl.col("area_code") == card.area.code) & (pl.col("status") == "ok"))
            if own_published.height:
                lines.append(("Published", "#6f72af", series(own_published)))
        pub = published.filter(pl.col("status") == "ok")
        neighbours = (
            pub.filter(pl.col("area_code").is_in(list(card.area.statistical_neighbours)))
            .group_by("year")
            .agg(pl.col("value").mean())
        )
        lines.append(("Neighbours", "neighbours", series(neighbours)))
        if card.area.region_code:
            lines.append(("Region", "region", series(pub.filter(pl.col("area_code") == card.area.region_code))))
    england = published.filter((pl.col("area_code") == ENGLAND) & (pl.col("status") == "ok"))
    lines.append(("England", "england", series(england)))
    return _svg.trend(f"{ind.name}: trend", years, lines, ind.unit_label)


def _funnel_chart(card: Scorecard, ind: Indicator, sub: pl.DataFrame) -> str:
    published = card.published.filter((pl.col("indicator") == ind.id) & (pl.col("status") == "ok"))
    if published.height == 0:
        return "<p class='small'>No published figures for other authorities, so no funnel plot.</p>"
    own_ok = sub.filter(pl.col("status") == "ok")
    year = None
    if card.source == "returns" and own_ok.height:
        shared = set(own_ok["year"].to_list()) & set(published["year"].to_list())
        year = max(shared) if shared else None
    if year is None:
        latest = published.filter(pl.col("area_code") == ENGLAND)["year"].max() or published["year"].max()
        year = int(latest) if isinstance(latest, int) else 0
    extra = []
    if card.source == "returns":
        row = own_ok.filter(pl.col("year") == year)
        if row.height:
            extra = [("Your returns", float(row["denominator"][0]), float(row["value"][0]))]
    plot = funnel(card.published, ind.id, year, extra=extra)
    if plot is None:
        return "<p class='small'>No England figure for a funnel plot.</p>"
    highlight_codes = {card.area.code} if card.area is not None and card.source == "published" else set()
    names_by_code = {c: a.name for c, a in areas().items()}
    points = []
    for code, name, n, v in plot.points.select("area_code", "name", "denominator", "value").iter_rows():
        highlighted = code in highlight_codes or code == "Your returns"
        points.append((names_by_code.get(code, name), n, v, highlighted))
    limits = [tuple(r) for r in plot.limits.iter_rows()]
    phi = f"; limits widened for over-dispersion (φ = {plot.overdispersion:.1f})" if plot.overdispersion > 1 else ""
    svg = _svg.funnel(f"{ind.name}: {year}", points, limits, plot.target, ind.unit_label,
                      ind.denominator.description.split(".")[0][:60])
    return f"<figure style='margin:0'>{svg}<figcaption class='small'>{year}, every authority{escape(phi)}" \
           "</figcaption></figure>"


def _demand_section(card: Scorecard) -> str:
    from careflow.measures.demand import HIDDEN_DEFINITION, STAGES

    out = ["<h2 id='demand'>Demand: new, failure and hidden</h2>",
           "<p class='lede'>NLGN's <em>From Tiny Acorns</em> asks councils to tell new demand from failure demand — "
           "children coming back because the first response did not resolve things — and to remember demand "
           "hidden from view (004_f6981e7d01f6d169.txt:358-361).</p><div class='charts'>"]
    frame = card.demand
    for stage in STAGES:
        part = frame.filter(pl.col("stage") == stage.stage).sort("year")
        years = part["year"].to_list()
        chart = _svg.bars(
            stage.stage,
            years,
            [("new", "new", part["new"].to_list()), ("failure", "failure", part["failure"].to_list())],
        )
        latest = part.filter(pl.col("failure_share").is_not_null()).tail(1)
        share = (f"{latest['failure_share'][0]:.1f}% failure demand in {latest['year'][0]}" if latest.height else
                 "not measurable from these data")
        out.append(f"<figure style='margin:0'><h3>{escape(stage.stage)}</h3>{chart}<figcaption class='small'>"
                   f"{escape(share)}.<br>New: {escape(stage.new_definition)}.<br>Failure: "
                   f"{escape(stage.failure_definition)}.</figcaption></figure>")
    out.append("</div>")
    hidden = frame.filter(pl.col("stage").str.starts_with("Hidden")).sort("year")
    latest_hidden = hidden.filter(pl.col("hidden_proxy").is_not_null()).tail(1)
    proxy = (f" In {latest_hidden['year'][0]}, {latest_hidden['hidden_proxy'][0]:,.0f} children were awaiting "
             "assessment on 31 March." if latest_hidden.height else "")
    out.append(f"<p><strong>Hidden demand:</strong> {escape(HIDDEN_DEFINITION)}{escape(proxy)}</p>")
    return "".join(out)


def _statuses_section() -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in STATUSES.items())
    return (f"<h2>What a missing figure means</h2><table>{rows}</table><p class='small'>DfE's symbols: c "
            "confidential, x not available, z not applicable, k rounds to zero, u low reliability. In the 2010-2017 "
            "files DfE marked small numbers (1 to 5) with x; careflow records them as c.</p>")
