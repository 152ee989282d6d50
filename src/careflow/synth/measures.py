"""Headline measures of a set of canonical tables for one collection year, defined as DfE defines them,
so a synthetic LA can be set beside the national targets (same measure and category names)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import polars as pl

from careflow.tables import CareData

if TYPE_CHECKING:
    from careflow.synth.generator import SyntheticLA

__all__ = ["CEASED_GROUPS", "PLACEMENT_GROUPS", "measures", "summary"]

#: Placement type codes by the groups of the national table (foster_kinship is part of foster).
PLACEMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "foster": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "foster_kinship": ("U1", "U2", "U3"),
    "residential": ("K1", "K2", "R1", "R2", "R3", "R5", "S1"),
    "supported_independent": ("H5", "P2", "P3", "K3"),
    "placed_with_parents": ("P1",),
    "placed_for_adoption": ("A3", "A4", "A5", "A6"),
}
#: Reasons episodes ceased, by the groups of the national table; anything else is "other".
CEASED_GROUPS: dict[str, tuple[str, ...]] = {
    "home": ("E4A", "E4B"),
    "adoption": ("E11", "E12"),
    "special_guardianship_order": ("E45", "E46", "E47", "E48"),
    "child_arrangements_order": ("E41",),
    "eighteen_plus_independent": ("E17", "E5", "E6"),
}
AGE_GROUPS = (("under_1", 0, 1), ("1_to_4", 1, 5), ("5_to_9", 5, 10), ("10_to_15", 10, 16),
              ("16_and_over", 16, 200))
LEGAL_GROUPS = {"care_order": ("C1", "C2"), "placement_order": ("E1", "D1"), "section_20": ("V2", "V3", "V4"),
                "youth_justice": ("J1", "J2", "J3"), "detained_for_child_protection": ("L1", "L2", "L3")}


def _age(dob: pl.Expr, at: dt.date) -> pl.Expr:
    """Completed years on ``at``."""
    years = pl.lit(at.year) - dob.dt.year()
    before = (dob.dt.month() > at.month) | ((dob.dt.month() == at.month) & (dob.dt.day() > at.day))
    return years - before.cast(pl.Int32)


def measures(data: CareData, year: int, population: int) -> pl.DataFrame:
    """The measures of collection year ``year`` (ending 31 March), with the national table's names.

    Returns:
        ``measure, category, value, unit`` rows: rates per 10,000 children (``per_10k``), counts and shares.
    """
    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    per10k = 1e4 / population
    rows: list[tuple[str, str, float, str]] = []

    def add(measure: str, category: str, value: float, unit: str) -> None:
        rows.append((measure, category, float(value), unit))

    # --- children looked after ---------------------------------------------------------------------------
    ep = data["looked_after_episodes"]
    children = data["children"].select("child_id", "date_of_birth")
    at31 = ep.filter((pl.col("start_date") <= end) & (pl.col("end_date").is_null() | (pl.col("end_date") > end)))
    at31 = at31.unique("child_id", keep="last").join(children, on="child_id", how="left")
    n31 = at31.height
    add("cla_at_31_march", "total", n31, "count")
    add("cla_at_31_march", "total", n31 * per10k, "per_10k")
    for name, codes in PLACEMENT_GROUPS.items():
        count = at31.filter(pl.col("placement_type").is_in(codes)).height
        add("cla_at_31_march_by_placement_group", name, count / n31 if n31 else 0.0, "share")
    grouped = {c for codes in PLACEMENT_GROUPS.values() for c in codes}
    other = at31.filter(~pl.col("placement_type").is_in(list(grouped))).height
    add("cla_at_31_march_by_placement_group", "other", other / n31 if n31 else 0.0, "share")
    ages = at31.with_columns(_age(pl.col("date_of_birth"), end).alias("age"))
    for name, low, high in AGE_GROUPS:
        count = ages.filter((pl.col("age") >= low) & (pl.col("age") < high)).height
        add("cla_at_31_march_by_age", name, count / n31 if n31 else 0.0, "share")
    for name, codes in LEGAL_GROUPS.items():
        count = at31.filter(pl.col("legal_status").is_in(codes)).height
        add("cla_at_31_march_by_legal_status", name, count / n31 if n31 else 0.0, "share")
    uasc = data["uasc"]
    if uasc.height:
        n_uasc = at31.join(uasc.select("child_id", "date_uasc_ceased"), on="child_id").filter(
            pl.col("date_uasc_ceased").is_null() | (pl.col("date_uasc_ceased") > end)).height
        add("uasc_at_31_march", "total", n_uasc * per10k, "per_10k")

    in_year = (pl.col("start_date") >= start) & (pl.col("start_date") <= end)
    starts = ep.filter(in_year & (pl.col("reason_new_episode") == "S")).sort("start_date")
    starters = starts.unique("child_id", keep="first").join(children, on="child_id", how="left")
    add("cla_starts", "total", starters.height, "count")
    add("cla_starts", "total", starters.height * per10k, "per_10k")
    # age on starting: completed years at the start date
    started_age = starters.with_columns(
        (pl.col("start_date").dt.year() - pl.col("date_of_birth").dt.year()
         - ((pl.col("date_of_birth").dt.month() > pl.col("start_date").dt.month())
            | ((pl.col("date_of_birth").dt.month() == pl.col("start_date").dt.month())
               & (pl.col("date_of_birth").dt.day() > pl.col("start_date").dt.day()))).cast(pl.Int32)).alias("a"))
    for name, low, high in AGE_GROUPS:
        count = started_age.filter((pl.col("a") >= low) & (pl.col("a") < high)).height
        add("cla_starts_by_age", name, count / starters.height if starters.height else 0.0, "share")
    for name, codes in LEGAL_GROUPS.items():
        count = starters.filter(pl.col("legal_status").is_in(codes)).height
        add("cla_starts_by_legal_status", name, count / starters.height if starters.height else 0.0, "share")

    ceased_rows = ep.filter(pl.col("end_date").is_not_null() & (pl.col("end_date") >= start)
                            & (pl.col("end_date") <= end) & (pl.col("reason_episode_ceased") != "X1"))
    ceased = ceased_rows.sort("end_date").unique("child_id", keep="last")
    nc = ceased.height
    add("cla_ceased", "total", nc, "count")
    add("cla_ceased", "total", nc * per10k, "per_10k")
    known = set()
    for name, codes in CEASED_GROUPS.items():
        known |= set(codes)
        count = ceased.filter(pl.col("reason_episode_ceased").is_in(codes)).height
        add("cla_ceased_by_reason", name, count / nc if nc else 0.0, "share")
    count = ceased.filter(~pl.col("reason_episode_ceased").is_in(list(known))).height
    add("cla_ceased_by_reason", "other", count / nc if nc else 0.0, "share")
    if nc:
        periods = (ep.sort("child_id", "start_date")
                   .with_columns((pl.col("reason_new_episode") == "S").cum_sum().over("child_id").alias("p"))
                   .group_by("child_id", "p").agg(pl.col("start_date").min(), pl.col("end_date").max(),
                                                  pl.col("reason_episode_ceased").last()))
        ended = periods.filter(pl.col("end_date").is_not_null() & (pl.col("end_date") >= start)
                               & (pl.col("end_date") <= end))
        mean_days = ended.select((pl.col("end_date") - pl.col("start_date")).dt.total_days().mean()).item()
        add("cla_ceased_mean_duration", "total", float(mean_days or 0.0), "days")

    # --- children in need, referrals, child protection --------------------------------------------------
    ref = data["referrals"]
    open31 = ref.filter((pl.col("referral_date") <= end) & (pl.col("closure_date").is_null()
                                                             | (pl.col("closure_date") > end))
                        & ~pl.col("is_no_further_action").fill_null(False))
    add("cin_at_31_march", "total", open31.height * per10k, "per_10k")
    refs = ref.sort("child_id", "referral_date").with_columns(
        pl.col("referral_date").shift(1).over("child_id").alias("previous"))
    refs_year = refs.filter((pl.col("referral_date") >= start) & (pl.col("referral_date") <= end))
    n_ref = refs_year.height
    add("referrals", "total", n_ref * per10k, "per_10k")
    if n_ref:
        within = refs_year.filter(pl.col("previous").is_not_null()
                                  & ((pl.col("referral_date") - pl.col("previous")).dt.total_days() <= 365)).height
        add("referrals", "rereferral_within_12_months", within / n_ref, "share")
        add("referrals", "no_further_action", float(refs_year["is_no_further_action"].sum()) / n_ref, "share")
    s47 = data["section47_enquiries"]
    add("section47_enquiries", "total",
        s47.filter((pl.col("start_date") >= start) & (pl.col("start_date") <= end)).height * per10k, "per_10k")
    add("initial_child_protection_conferences", "total",
        s47.filter((pl.col("initial_conference_date") >= start)
                   & (pl.col("initial_conference_date") <= end)).height * per10k, "per_10k")
    cpp = data["child_protection_plans"]
    cpp_year = cpp.filter(in_year)
    add("child_protection_plan_starts", "total", cpp_year.height * per10k, "per_10k")
    if cpp_year.height:
        add("child_protection_plan_starts", "second_or_subsequent",
            cpp_year.filter(pl.col("number_of_previous_plans") > 0).height / cpp_year.height, "share")
    cpp31 = cpp.filter((pl.col("start_date") <= end) & (pl.col("end_date").is_null() | (pl.col("end_date") > end)))
    add("child_protection_plans_at_31_march", "total", cpp31.height * per10k, "per_10k")
    return pl.DataFrame(rows, schema=["measure", "category", "value", "unit"], orient="row")


def summary(la: SyntheticLA, year: int | None = None) -> dict[str, Any]:
    """Headline figures of the synthetic LA for ``year`` (default: its last collection year), for the CLI.

    Example:
        >>> summary(la)  # doctest: +SKIP
        {'la_name': 'Synthshire', 'year': 2022, 'population_0_17': 60000, 'cla_at_31_march': 421, ...}
    """
    year = year or la.end_date.year
    m = measures(la.data, year, la.population)

    def get(measure: str, category: str = "total", unit: str = "per_10k") -> float:
        hit = m.filter((pl.col("measure") == measure) & (pl.col("category") == category) & (pl.col("unit") == unit))
        return float(hit["value"][0]) if hit.height else 0.0

    ceased = {row["category"]: round(row["value"], 3)
              for row in m.filter(pl.col("measure") == "cla_ceased_by_reason").iter_rows(named=True)}
    return {
        "la_name": la.la_name,
        "la_code": la.la_code,
        "year": year,
        "population_0_17": la.population,
        "cla_at_31_march": int(get("cla_at_31_march", unit="count")),
        "cla_at_31_march_per_10k": round(get("cla_at_31_march"), 1),
        "cla_starts": int(get("cla_starts", unit="count")),
        "cla_starts_per_10k": round(get("cla_starts"), 1),
        "cla_ceased": int(get("cla_ceased", unit="count")),
        "cla_ceased_by_reason": ceased,
        "cin_at_31_march_per_10k": round(get("cin_at_31_march"), 1),
        "cpp_at_31_march_per_10k": round(get("child_protection_plans_at_31_march"), 1),
        "referrals_per_10k": round(get("referrals"), 1),
        "cpp_starts_per_10k": round(get("child_protection_plan_starts"), 1),
    }
