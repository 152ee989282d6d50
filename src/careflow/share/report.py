"""The match-quality report of ``careflow link``: one HTML page with SVG charts (no scripts, no network).

Charts: the distribution of match weights of each partner record's best candidate, with the threshold and the
review band marked; precision and recall were the links cut at each threshold (when the truth is known). Tables:
figures overall and by agency beside NHS-number-only matching, the model's trained parameters, problems in the
input. Rendered with the small SVG helpers of :mod:`careflow.measures._svg` (careflow's one chart module).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from careflow.measures._svg import COLOURS, _fmt, _frame, _nice_ticks

__all__ = ["histogram", "lines", "write_report"]

CSS = """body{font-family:Arial,Helvetica,sans-serif;margin:2em;max-width:1000px;color:#0b0c0c}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #b1b4b6;padding:4px 8px;text-align:right}
th{background:#f3f2f1}td:first-child,th:first-child{text-align:left}.note{color:#505a5f;font-size:90%}
figure{margin:1em 0}table.left td,table.left th{text-align:left}"""


class _Plot:
    """The frame both charts draw in: margins, scales, the value grid, the x axis and dashed markers."""

    def __init__(self, width: int, height: int, margins: tuple[int, int, int, int], label: str, title: str) -> None:
        self.width, self.height = width, height
        self.left, right, self.top, bottom = margins
        self.w, self.h = width - self.left - right, height - self.top - bottom
        self.out = _frame(width, height, title, label)

    def nothing(self) -> str:
        self.out.append(f'<text x="{self.width / 2}" y="{self.height / 2}" text-anchor="middle">nothing to plot'
                        "</text>")
        return self.end()

    def end(self) -> str:
        self.out.append("</svg>")
        return "".join(self.out)

    def x_scale(self, lo: float, hi: float) -> Callable[[float], float]:
        left, w = self.left, self.w
        return lambda v: left + (v - lo) / (hi - lo) * w if hi > lo else left + w / 2

    def y_scale(self, lo: float, hi: float) -> Callable[[float], float]:
        top, h = self.top, self.h
        return lambda v: top + h - (v - lo) / (hi - lo) * h

    def y_grid(self, lo: float, hi: float, label: Callable[[float], str]) -> None:
        y = self.y_scale(lo, hi)
        for t in _nice_ticks(lo, hi):
            if lo <= t <= hi:
                self.out.append(f'<line x1="{self.left}" x2="{self.left + self.w}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                                'stroke="#e5e6e7"/>')
                self.out.append(f'<text x="{self.left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#505a5f">'
                                f"{label(t)}</text>")

    def x_axis(self, lo: float, hi: float, unit: str) -> None:
        x = self.x_scale(lo, hi)
        for t in _nice_ticks(lo, hi, 8):
            if lo <= t <= hi:
                self.out.append(f'<text x="{x(t):.1f}" y="{self.top + self.h + 14}" text-anchor="middle" '
                                f'fill="#505a5f">{_fmt(t)}</text>')
        self.out.append(f'<text x="{self.left + self.w / 2}" y="{self.height - 4}" text-anchor="middle" '
                        f'fill="#0b0c0c">{escape(unit)}</text>')

    def marker(self, at: float, label: str, colour: str, label_y: float) -> None:
        self.out.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{self.top}" y2="{self.top + self.h}" '
                        f'stroke="{colour}" stroke-width="2" stroke-dasharray="5 3"/>')
        self.out.append(f'<text x="{at + 3:.1f}" y="{label_y}" fill="{colour}">{escape(label)}</text>')


def histogram(title: str, counts: Sequence[tuple[float, float, int]], markers: Sequence[tuple[float, str, str]],
              unit: str, width: int = 640, height: int = 240) -> str:
    """Bars of ``counts`` (bin low, bin high, count) with vertical ``markers`` (x, label, colour).

    Example:
        >>> svg = histogram("w", [(0, 1, 3), (1, 2, 5)], [(1.5, "threshold", "#d4351c")], "weight")
        >>> svg.startswith("<svg") and "threshold" in svg
        True
    """
    plot = _Plot(width, height, (52, 16, 26, 34), f"Histogram: {title}", title)
    if not counts:
        return plot.nothing()
    lo = min(c[0] for c in counts + [(m[0], m[0], 0) for m in markers])  # type: ignore[operator]
    hi = max(c[1] for c in counts + [(m[0], m[0], 0) for m in markers])  # type: ignore[operator]
    ymax = _nice_ticks(0, max(c[2] for c in counts) or 1)[-1] or 1.0
    x, y = plot.x_scale(lo, hi), plot.y_scale(0.0, ymax)
    plot.y_grid(0.0, ymax, _fmt)
    plot.x_axis(lo, hi, unit)
    out, top, h = plot.out, plot.top, plot.h
    for a, b, n in counts:
        out.append(f'<rect x="{x(a):.1f}" y="{y(n):.1f}" width="{max(0.5, x(b) - x(a) - 0.5):.1f}" '
                   f'height="{top + h - y(n):.1f}" fill="{COLOURS["area"]}"><title>{_fmt(a)} to {_fmt(b)}: {n}'
                   "</title></rect>")
    for i, (v, label, colour) in enumerate(markers):
        plot.marker(x(v), label, colour, top - 6 + 12 * i)
    return plot.end()


def lines(title: str, xs: Sequence[float], series: Sequence[tuple[str, str, Sequence[float]]], x_unit: str,
          markers: Sequence[tuple[float, str, str]] = (), y_range: tuple[float, float] = (0.0, 1.0),
          width: int = 640, height: int = 260) -> str:
    """Lines over a numeric x axis (``series``: label, colour, values), with vertical ``markers``.

    Example:
        >>> "recall" in lines("pr", [0, 1], [("recall", "#1d70b8", [1.0, 0.5])], "weight")
        True
    """
    plot = _Plot(width, height, (52, 120, 16, 34), f"Lines: {title}", title)
    if not xs:
        return plot.nothing()
    lo, hi = min(xs), max(xs)
    ylo, yhi = y_range
    x, y = plot.x_scale(lo, hi), plot.y_scale(ylo, yhi)
    plot.y_grid(ylo, yhi, lambda t: f"{t:.2f}")
    plot.x_axis(lo, hi, x_unit)
    out, left, top, w, h = plot.out, plot.left, plot.top, plot.w, plot.h
    for v, label, colour in markers:
        plot.marker(x(v), label, colour, top + h - 6)
    legend_y = top + 6
    for label, colour, values in series:
        points = " ".join(f"{x(a):.1f},{y(max(ylo, min(yhi, b))):.1f}" for a, b in zip(xs, values, strict=True)
                          if b is not None and math.isfinite(b))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for a, b in zip(xs, values, strict=True):
            out.append(f'<circle cx="{x(a):.1f}" cy="{y(max(ylo, min(yhi, b))):.1f}" r="2" fill="{colour}">'
                       f"<title>{escape(label)} at {_fmt(a)}: {b:.4f}</title></circle>")
        out.append(f'<line x1="{left + w + 8}" x2="{left + w + 24}" y1="{legend_y}" y2="{legend_y}" '
                   f'stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{left + w + 28}" y="{legend_y + 4}">{escape(label)}</text>')
        legend_y += 16
    return plot.end()


def _weight_bins(candidates: pl.DataFrame) -> list[tuple[float, float, int]]:
    if candidates.height == 0:
        return []
    best = candidates.group_by("record_key").agg(pl.col("match_weight").max())
    weights = best["match_weight"].clip(-10, 40)
    binned = best.with_columns((weights // 1).alias("bin")).group_by("bin").len().sort("bin")
    return [(float(b), float(b) + 1, int(n)) for b, n in binned.iter_rows()]


def _quality_table(quality: dict[str, Any]) -> str:
    rows = ["<tr><th>agency</th><th>records about people in the record</th><th>precision</th><th>recall</th>"
            "<th>F1</th><th>NHS number only: precision</th><th>recall</th><th>F1</th></tr>"]
    nhs = quality.get("nhs_number_only", {})
    for name, q, b in [("all agencies", quality, nhs),
                       *[(a, q, nhs.get("by_agency", {}).get(a, {})) for a, q in quality.get("by_agency", {}).items()]]:
        rows.append(f"<tr><td>{escape(name)}</td><td>{q.get('n', '')}</td><td>{q['precision']:.4f}</td>"
                    f"<td>{q['recall']:.4f}</td><td>{q['f1']:.4f}</td><td>{b.get('precision', 0):.4f}</td>"
                    f"<td>{b.get('recall', 0):.4f}</td><td>{b.get('f1', 0):.4f}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _model_table(model: dict[str, Any]) -> str:
    rows = ["<tr><th>comparison</th><th>level</th><th>m (match)</th><th>u (non-match)</th>"
            "<th>weight (log2 m/u)</th></tr>"]
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else float("nan")
            rows.append(f"<tr><td>{escape(str(comparison.get('output_column_name', '')))}</td>"
                        f"<td>{escape(str(level.get('label_for_charts', '')))}</td>"
                        f"<td>{'' if m is None else f'{m:.4g}'}</td><td>{'' if u is None else f'{u:.4g}'}</td>"
                        f"<td>{weight:.2f}</td></tr>")
    return "<table class='left'>" + "".join(rows) + "</table>"


def write_report(path: Path, *, links: pl.DataFrame, review: pl.DataFrame, problems: pl.DataFrame,
                 candidates: pl.DataFrame, threshold: float, review_from: float, quality: dict[str, Any] | None,
                 curve: list[dict[str, float]], model: dict[str, Any], n_records: int) -> Path:
    """Write the report to ``path`` and return it."""
    by_method = dict(links.group_by("method").len().iter_rows()) if links.height else {}
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Linkage quality</title>"
             f"<style>{CSS}</style></head><body>",
             "<h1>Linkage of partner agencies' records</h1>",
             f"<p>{n_records:,} partner records read; {links.height:,} linked to a person "
             f"({by_method.get('nhs_number', 0):,} by NHS number, {by_method.get('probabilistic', 0):,} by "
             f"probabilistic matching); {review.height:,} in the clerical review queue; {problems.height:,} "
             "problems in the input (problems.csv).</p>",
             f"<p>Threshold: a probabilistic match is linked from a match weight of <b>{threshold:g}</b> "
             f"(probability {1 / (1 + 2 ** -threshold):.3f} that the pair is the same person); weights from "
             f"{review_from:g} (probability {1 / (1 + 2 ** -review_from):.2f}) up to {threshold:g} go to clerical "
             "review.</p>"]
    if quality:
        parts.append("<h2>Quality against the synthetic truth</h2>")
        parts.append(f"<p>Overall: precision <b>{quality['precision']:.4f}</b>, recall <b>{quality['recall']:.4f}"
                     f"</b>, F1 <b>{quality['f1']:.4f}</b>. NHS-number-only matching: precision "
                     f"{quality['nhs_number_only']['precision']:.4f}, recall {quality['nhs_number_only']['recall']:.4f}"
                     ".</p>")
        parts.append(_quality_table(quality))
    parts.append("<h2>Match weights</h2><figure>")
    parts.append(histogram("Best candidate's match weight for each partner record", _weight_bins(candidates),
                           [(threshold, f"threshold {threshold:g}", "#d4351c"),
                            (review_from, f"review from {review_from:g}", "#f47738")],
                           "match weight (log2 Bayes factor)"))
    parts.append("<figcaption class='note'>Records whose best candidate is below the review band are left "
                 "unlinked.</figcaption></figure>")
    if curve:
        xs = [c["threshold"] for c in curve]
        lo = min(min(c["precision"], c["recall"]) for c in curve)
        parts.append("<h2>Precision and recall by threshold</h2><figure>")
        parts.append(lines("Precision and recall were links cut at each match weight", xs,
                           [("precision", "#1d70b8", [c["precision"] for c in curve]),
                            ("recall", "#00703c", [c["recall"] for c in curve]),
                            ("F1", "#505a5f", [c["f1"] for c in curve])], "match weight threshold",
                           [(threshold, "chosen", "#d4351c")], (math.floor(lo * 20) / 20, 1.0)))
        parts.append("<figcaption class='note'>From each record's best candidate (NHS-number matches always "
                     "in), without the review queue or the twins rule.</figcaption></figure>")
    if model.get("comparisons"):
        parts.append("<h2>The model (estimated from the data)</h2>")
        prior = model.get("probability_two_random_records_match")
        if prior:
            parts.append(f"<p>Prior probability that two random records are the same person: {prior:.3g}.</p>")
        parts.append(_model_table(model))
    if model.get("splink_warnings"):
        parts.append("<h2>Notes from training the model</h2><p class='note'>What splink said while estimating the "
                     "model (kept here and in model.json rather than printed). A level \"not observed in dataset\" "
                     "keeps splink's default m for that level.</p><ul>")
        parts.extend(f"<li>{escape(str(m))}</li>" for m in model["splink_warnings"])
        parts.append("</ul>")
    if problems.height:
        parts.append("<h2>Problems in the input (first 50)</h2><table class='left'><tr><th>file</th><th>row</th>"
                     "<th>field</th><th>problem</th></tr>")
        for f, r, fld, prob, _ in problems.head(50).iter_rows():
            parts.append(f"<tr><td>{escape(str(f))}</td><td>{r}</td><td>{escape(str(fld))}</td>"
                         f"<td>{escape(str(prob))}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    Path(path).write_text("".join(parts), encoding="utf-8")
    return Path(path)
