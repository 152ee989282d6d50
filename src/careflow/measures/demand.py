"""The NLGN demand typology: new, failure (repeat) and hidden demand, where each can be measured.

*From Tiny Acorns* asks councils to tell new cases from "failure or circular demand" — the same children coming
back, "demand caused by a failure to do something right in the first place" — and to remember the demand that
is "missed or becomes hidden in the system" (004_f6981e7d01f6d169.txt:358-361, 004_f6981e7d01f6d169.txt:582;
../shared/reference/notes_004.md §E.1).

At each stage where a repeat can be recognised in the data, demand splits into

* **failure**: the numerator of the stage's repeat indicator (a re-referral within 12 months, a second or
  subsequent child protection plan, a start in care within 12 months of leaving it);
* **new**: the rest of that stage's flow (the indicator's denominator less its numerator).

**Hidden** demand is, by definition, not in the returns. The one published trace is children referred and still
awaiting assessment on 31 March (DfE CIN table B1): demand known but not yet seen. It is shown as a partial
proxy and labelled as such; the rest of hidden demand (e.g. cases moving to private law, children not known to
services) cannot be measured from statutory data.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from careflow.measures._definitions import indicator
from careflow.measures.published import counts

__all__ = ["STAGES", "DemandStage", "typology"]


@dataclass(frozen=True, slots=True)
class DemandStage:
    """A stage of the pathway where new and failure demand can be told apart."""

    stage: str
    indicator: str  # the repeat indicator: its numerator is failure demand, its denominator the stage's flow
    new_definition: str
    failure_definition: str


STAGES: tuple[DemandStage, ...] = (
    DemandStage(
        "Referrals",
        "rereferrals_within_12_months",
        "referrals in the year with no referral of the same child in the 12 months before",
        "re-referrals: referrals within 12 months of a previous referral (004_f6981e7d01f6d169.txt:360)",
    ),
    DemandStage(
        "Child protection plans",
        "cpp_second_or_subsequent",
        "first child protection plans starting in the year",
        "second or subsequent child protection plans starting in the year",
    ),
    DemandStage(
        "Starting care",
        "cla_starts_returning_within_12_months",
        "children starting care who had not left care in the 12 months before",
        "children starting care within 12 months of leaving it (re-entry)",
    ),
)

HIDDEN_DEFINITION = (
    "not measurable from statutory returns: demand unknown to services, or passing through other routes such as "
    "private law (004_f6981e7d01f6d169.txt:361). Partial proxy shown: children awaiting assessment on 31 March "
    "(DfE CIN table B1), demand known but not yet seen."
)


def typology(figures: pl.DataFrame, area_code: str) -> pl.DataFrame:
    """New, failure and hidden demand for one area, by stage and year.

    Args:
        figures: indicator figures (published or from returns) holding at least the area's rows.
        area_code: the area (published code, or the ``local_authority`` value of returns).

    Returns:
        One row per stage and year: ``new``, ``failure`` (counts; null where not measurable, with ``status``
        saying why), ``failure_share`` (percent), and the definitions used.
    """
    rows = []
    mine = figures.filter(pl.col("area_code") == area_code)
    for stage in STAGES:
        part = mine.filter(pl.col("indicator") == stage.indicator).select(
            "year", "numerator", "denominator", "status"
        )
        ind = indicator(stage.indicator)
        for year, num, den, status in part.iter_rows():
            ok = status == "ok" and num is not None and den is not None
            rows.append(
                {
                    "stage": stage.stage,
                    "year": year,
                    "new": den - num if ok else None,
                    "failure": num if ok else None,
                    "failure_share": 100.0 * num / den if ok and den else None,
                    "status": status if ok or status != "ok" else "suppressed",
                    "new_definition": stage.new_definition,
                    "failure_definition": stage.failure_definition,
                    "indicator": ind.id,
                }
            )
    hidden = counts().filter(pl.col("area_code") == area_code).select("year", "cin_awaiting_assessment")
    for year, cell in hidden.iter_rows():
        if cell is None:
            continue
        value = _number(cell)
        rows.append(
            {
                "stage": "Hidden (proxy: awaiting assessment at 31 March)",
                "year": year,
                "new": None,
                "failure": None,
                "failure_share": None,
                "status": "ok" if value is not None else "suppressed",
                "new_definition": HIDDEN_DEFINITION,
                "failure_definition": "",
                "indicator": "",
                "hidden_proxy": value,
            }
        )
    schema = {
        "stage": pl.String,
        "year": pl.Int32,
        "new": pl.Float64,
        "failure": pl.Float64,
        "failure_share": pl.Float64,
        "status": pl.String,
        "new_definition": pl.String,
        "failure_definition": pl.String,
        "indicator": pl.String,
        "hidden_proxy": pl.Float64,
    }
    for row in rows:
        row.setdefault("hidden_proxy", None)
    return pl.DataFrame(rows, schema=schema).sort("stage", "year") if rows else pl.DataFrame(schema=schema)


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None
