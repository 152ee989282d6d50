"""The scorecard from canonical tables: an LA's returns, the case record's export, or a synthetic LA.

Each indicator definition names a counting rule (``count``) and its settings (``params``); this module holds
the rules. They are written once for pooled data: every count is grouped by ``local_authority`` (empty when the
data are one LA's) and by year ending 31 March.

Pooled returns repeat a row in every collection year it was open; :func:`compute` keeps one row per key (the
latest collection year's) before counting, so look-back measures (re-referral, repeat plan, re-entry) see the
earlier years.

Example:
    >>> from careflow.tables import CareData
    >>> figures = compute(CareData(), years=[2024])
    >>> set(figures["status"])
    {'no_data', 'not_computable'}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from careflow.measures._definitions import CanonicalTerm, DefinitionError, Indicator, indicators
from careflow.measures.published import FIGURE_SCHEMA
from careflow.tables import CareData
from careflow.tables.schema import SCHEMAS

__all__ = ["COUNTS", "compute", "data_years", "from_synthetic", "period_end", "period_start"]

LA = "local_authority"
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")


def period_start(year: int) -> date:
    """1 April of the year ending 31 March ``year``."""
    return date(year - 1, 4, 1)


def period_end(year: int) -> date:
    """31 March ``year``."""
    return date(year, 3, 31)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clipped to the month's end): 31 March 2024 less 30 months is 30 Sept 2021."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(f"cannot step {months} months back from {day}")


def _year_of(column: str) -> pl.Expr:
    """The year ending 31 March in which a date falls."""
    c = pl.col(column)
    return (c.dt.year() + (c.dt.month() >= 4).cast(pl.Int32)).cast(pl.Int32)


@dataclass
class Context:
    """Prepared tables, shared by every count in one computation."""

    tables: dict[str, pl.DataFrame]
    years: list[int]
    population: pl.DataFrame | None
    authorities: list[str]
    ssda903_year: int | None = None
    coverage: dict[str, pl.DataFrame | None] = field(default_factory=dict)
    cache: dict[Any, pl.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    def has(self, name: str) -> set[str]:
        """Local authorities with at least one row in a table."""
        frame = self.tables[name]
        return set(frame[LA].unique().to_list()) if frame.height else set()


CountFn = Callable[[Context, Mapping[str, Any]], pl.DataFrame]


@dataclass(frozen=True)
class Count:
    """A counting rule: what it needs, and how it counts. ``fn`` returns (local_authority, year, n)."""

    fn: CountFn
    tables: Callable[[Mapping[str, Any]], tuple[str, ...]]
    doc: str


COUNTS: dict[str, Count] = {}


def _register(name: str, tables: Callable[[Mapping[str, Any]], tuple[str, ...]]) -> Callable[[CountFn], CountFn]:
    def wrap(fn: CountFn) -> CountFn:
        COUNTS[name] = Count(fn, tables, (fn.__doc__ or "").strip())
        return fn

    return wrap


def _filters(params: Mapping[str, Any], frame: pl.DataFrame) -> pl.Expr:
    """``where`` keeps rows whose column holds one of the codes; ``exclude`` drops them (nulls are kept)."""
    expr = pl.lit(True)
    for column, codes in (params.get("where") or {}).items():
        _check_column(frame, column)
        expr = expr & pl.col(column).is_in([str(c) for c in codes])
    for column, codes in (params.get("exclude") or {}).items():
        _check_column(frame, column)
        expr = expr & ~pl.col(column).is_in([str(c) for c in codes]).fill_null(False)
    return expr


def _check_column(frame: pl.DataFrame, column: str) -> None:
    if column not in frame.columns:
        raise DefinitionError(f"column {column!r} is not in the table (columns: {frame.columns})")


def _per_year(ctx: Context, rows: Iterable[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in rows if f.height]
    if not frames:
        return pl.DataFrame(schema={LA: pl.String, "year": pl.Int32, "n": pl.Int64})
    return pl.concat(frames).select(pl.col(LA), pl.col("year").cast(pl.Int32), pl.col("n").cast(pl.Int64))


def _count(frame: pl.DataFrame, distinct: str | None, by: tuple[str, ...] = (LA,)) -> pl.DataFrame:
    agg = pl.col(distinct).n_unique() if distinct else pl.len()
    return frame.group_by(*by).agg(agg.alias("n"))


def _by_child(frame: pl.DataFrame, date_column: str) -> pl.DataFrame:
    """Rows grouped by (local authority, child), in date order within each child.

    Sorting a million rows by two text columns is slow; sorting by their 64-bit hash puts each child's rows
    together just the same (the order between children does not matter here), several times faster.
    """
    return frame.with_columns(pl.struct(LA, "child_id").hash().alias("_child_hash")).sort("_child_hash", date_column)


def _same_child_as_previous() -> pl.Expr:
    """In a frame sorted by local authority and child: the row before is the same child's (no window functions:
    plain shifts are much faster on a million rows)."""
    return ((pl.col("child_id") == pl.col("child_id").shift(1)) & (pl.col(LA) == pl.col(LA).shift(1))).fill_null(
        False
    )


def _table_param(params: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(params["table"]),)


# --- generic rules ------------------------------------------------------------------------------------------------


@_register("open_at_period_end", _table_param)
def open_at_period_end(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Rows open on 31 March: started on or before it and not ended by then (ended after it, or not ended).

    Params: table; start (column, default start_date); end (default end_date); where / exclude {column: codes};
    distinct (column counted once, default child_id; null counts rows); min_duration_months (started that many
    months or more before 31 March).
    """
    frame = ctx.table(params["table"])
    start, end = params.get("start", "start_date"), params.get("end", "end_date")
    distinct = params.get("distinct", "child_id")
    frame = frame.filter(_filters(params, frame))
    out = []
    for year in ctx.years:
        pe = period_end(year)
        latest_start = pe
        if params.get("min_duration_months"):
            latest_start = _months_before(pe, int(params["min_duration_months"]))
        part = frame.filter((pl.col(start) <= latest_start) & (pl.col(end).is_null() | (pl.col(end) > pe)))
        out.append(_count(part, distinct).with_columns(pl.lit(year).alias("year")))
    return _per_year(ctx, out)


def _in_year(ctx: Context, params: Mapping[str, Any], default_date: str) -> pl.DataFrame:
    frame = ctx.table(params["table"])
    column = params.get("date", default_date)
    _check_column(frame, column)
    distinct = params.get("distinct", "child_id")
    frame = frame.filter(_filters(params, frame) & pl.col(column).is_not_null())
    frame = frame.with_columns(_year_of(column).alias("year")).filter(pl.col("year").is_in(ctx.years))
    return _per_year(ctx, [_count(frame, distinct, (LA, "year"))])


@_register("started_in_period", _table_param)
def started_in_period(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Rows whose date (default start_date) falls in the year ending 31 March. Params as open_at_period_end."""
    return _in_year(ctx, params, "start_date")


@_register("ended_in_period", _table_param)
def ended_in_period(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Rows whose end date (default end_date) falls in the year ending 31 March. Params as open_at_period_end."""
    return _in_year(ctx, params, "end_date")


@_register("population_0_17", lambda p: ())
def population_0_17(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Children aged 0-17 (ONS mid-year estimate): not in any return; given by the caller."""
    if ctx.population is None:
        return pl.DataFrame(schema={LA: pl.String, "year": pl.Int32, "n": pl.Int64})
    return ctx.population.select(
        pl.col(LA).cast(pl.String).fill_null(""), pl.col("year").cast(pl.Int32), pl.col("population").alias("n")
    ).filter(pl.col("year").is_in(ctx.years))


# --- children in need and child protection -----------------------------------------------------------------------


@_register("referrals_with_previous_within", lambda p: ("referrals",))
def referrals_with_previous_within(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Referrals in the year made within ``window_months`` (12) of the same child's previous referral."""
    months = int(params.get("window_months", 12))
    frame = ctx.table("referrals").filter(pl.col("referral_date").is_not_null())
    frame = _by_child(frame, "referral_date").with_columns(
        pl.when(_same_child_as_previous()).then(pl.col("referral_date").shift(1)).alias("previous_date")
    )
    frame = frame.filter(
        pl.col("previous_date").is_not_null()
        & (pl.col("previous_date") >= pl.col("referral_date").dt.offset_by(f"-{months}mo"))
    ).with_columns(_year_of("referral_date").alias("year"))
    return _per_year(ctx, [_count(frame.filter(pl.col("year").is_in(ctx.years)), None, (LA, "year"))])


@_register("plans_with_previous_plan", lambda p: ("child_protection_plans",))
def plans_with_previous_plan(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Child protection plans starting in the year for a child with an earlier plan (in the data, or
    number_of_previous_plans above zero)."""
    frame = ctx.table("child_protection_plans").filter(pl.col("start_date").is_not_null())
    frame = _by_child(frame, "start_date")
    repeat = _same_child_as_previous() | (pl.col("number_of_previous_plans").fill_null(0) > 0)
    frame = frame.filter(repeat).with_columns(_year_of("start_date").alias("year"))
    return _per_year(ctx, [_count(frame.filter(pl.col("year").is_in(ctx.years)), None, (LA, "year"))])


@_register("s47_without_conference", lambda p: ("section47_enquiries",))
def s47_without_conference(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Section 47 enquiries started in the year with no initial child protection conference date."""
    frame = ctx.table("section47_enquiries").filter(
        pl.col("start_date").is_not_null() & pl.col("initial_conference_date").is_null()
    )
    frame = frame.with_columns(_year_of("start_date").alias("year")).filter(pl.col("year").is_in(ctx.years))
    return _per_year(ctx, [_count(frame, None, (LA, "year"))])


# --- children looked after -----------------------------------------------------------------------------------------


def _episodes(ctx: Context, reasons: tuple[str, ...]) -> pl.DataFrame:
    """Episodes with their period of care and placement: period_start, placement_start (adoptive placements
    continue the placement before them, as DfE's long-term stability measure counts them)."""
    key = ("episodes", reasons)
    if key in ctx.cache:
        return ctx.cache[key]
    frame = _by_child(ctx.table("looked_after_episodes").filter(pl.col("start_date").is_not_null()), "start_date")
    same_child = _same_child_as_previous()
    new_period = (
        ~same_child
        | (pl.col("reason_new_episode") == "S").fill_null(False)
        | (pl.col("start_date") != pl.col("end_date").shift(1)).fill_null(True)
    )
    moves = pl.col("reason_new_episode").is_in(list(reasons)).fill_null(False)
    into_adoption = pl.col("placement_type").is_in(list(ADOPTION_PLACEMENTS)).fill_null(False)
    frame = frame.with_columns(
        new_period.alias("is_new_period"),
        (~same_child).cum_sum().alias("child_key"),  # one integer per (local authority, child): fast joins
        pl.when(same_child).then(pl.col("end_date").shift(1)).alias("previous_end"),
    ).with_columns(
        (pl.col("is_new_period") | (moves & ~into_adoption)).alias("is_new_placement"),
        (pl.col("is_new_period") | moves).alias("is_placement_change"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("is_new_period")).then(pl.col("start_date")).forward_fill().alias("period_start"),
        pl.when(pl.col("is_new_placement")).then(pl.col("start_date")).forward_fill().alias("placement_start"),
    )
    ctx.cache[key] = frame
    return frame


def _short_breaks() -> pl.Expr:
    return pl.col("legal_status").is_in(["V3", "V4"]).fill_null(False)


@_register("looked_after_with_placements_in_year", lambda p: ("looked_after_episodes",))
def looked_after_with_placements_in_year(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Children looked after on 31 March (not only on short breaks) with ``min_placements`` or more placements in
    the year: the first placement of the year, plus each later episode in the year that starts a period of care
    or changes placement (reason for new episode in ``placement_change_reasons``)."""
    reasons = tuple(params.get("placement_change_reasons", ("P", "T", "B", "U")))
    minimum = int(params.get("min_placements", 3))
    episodes = _episodes(ctx, reasons).select(
        LA, "child_key", "start_date", "end_date", "legal_status", "is_placement_change"
    )
    out = []
    for year in ctx.years:
        ps, pe = period_start(year), period_end(year)
        in_year = episodes.filter(
            (pl.col("start_date") <= pe) & (pl.col("end_date").is_null() | (pl.col("end_date") >= ps))
        )
        # sorted by child and start: a child's first episode of the year is its first placement of the year
        first = (pl.col("child_key") != pl.col("child_key").shift(1)).fill_null(True)
        open_now = (pl.col("end_date").is_null() | (pl.col("end_date") > pe)) & ~_short_breaks()
        per_child = (
            in_year.with_columns((first | pl.col("is_placement_change")).alias("_counts"), open_now.alias("_open"))
            .group_by(LA, "child_key")
            .agg(pl.col("_counts").sum().alias("placements"), pl.col("_open").any())
        )
        many = per_child.filter(pl.col("_open") & (pl.col("placements") >= minimum))
        out.append(_count(many, None).with_columns(pl.lit(year).alias("year")))
    return _per_year(ctx, out)


@_register("looked_after_long_term", lambda p: ("looked_after_episodes", "children"))
def looked_after_long_term(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Children looked after on 31 March, under ``max_age_years`` (16), in a period of care that began at least
    ``min_care_months`` (30) before; with ``same_placement``, only those whose placement began at least
    ``min_placement_months`` (24) before (an adoptive placement counts with the placement before it)."""
    reasons = tuple(params.get("placement_change_reasons", ("P", "T", "B", "U")))
    key = ("episodes_with_birth", reasons)
    if key not in ctx.cache:
        births = ctx.table("children").select(LA, "child_id", "date_of_birth").filter(
            pl.col("date_of_birth").is_not_null()
        ).unique(subset=[LA, "child_id"], keep="last")
        ctx.cache[key] = (
            _episodes(ctx, reasons)
            .filter(~_short_breaks())
            .select(LA, "child_id", "child_key", "start_date", "end_date", "period_start", "placement_start")
            .join(births, on=[LA, "child_id"], how="inner")
        )
    episodes = ctx.cache[key]
    out = []
    for year in ctx.years:
        pe = period_end(year)
        youngest_birth = _months_before(pe, 12 * int(params.get("max_age_years", 16)))
        care_from = _months_before(pe, int(params.get("min_care_months", 30)))
        cohort = episodes.filter(
            (pl.col("start_date") <= pe)
            & (pl.col("end_date").is_null() | (pl.col("end_date") > pe))
            & (pl.col("period_start") <= care_from)
            & (pl.col("date_of_birth") > youngest_birth)
        )
        if params.get("same_placement"):
            placed_from = _months_before(pe, int(params.get("min_placement_months", 24)))
            cohort = cohort.filter(pl.col("placement_start") <= placed_from)
        out.append(_count(cohort, "child_key").with_columns(pl.lit(year).alias("year")))
    return _per_year(ctx, out)


def _returned_home(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    reasons = [str(r) for r in params.get("reasons", ("E4A", "E4B"))]
    frame = ctx.table("looked_after_episodes").filter(
        pl.col("reason_episode_ceased").is_in(reasons) & pl.col("end_date").is_not_null() & ~_short_breaks()
    )
    # the cohort of year Y returned home in year Y-1; each child once, at their first return home that year
    frame = frame.with_columns((_year_of("end_date") + 1).alias("year"))
    return frame.sort("end_date").unique(subset=[LA, "child_id", "year"], keep="first")


@_register("returned_home_cohort", lambda p: ("looked_after_episodes",))
def returned_home_cohort(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Children who left care by returning home (``reasons``) in the year ending 31 March a year before."""
    cohort = _returned_home(ctx, params).filter(pl.col("year").is_in(ctx.years))
    return _per_year(ctx, [_count(cohort, "child_id", (LA, "year"))])


@_register("returned_home_then_reentered", lambda p: ("looked_after_episodes",))
def returned_home_then_reentered(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Children in the returned-home cohort who started a new period of care within ``window_months`` (12)."""
    months = int(params.get("window_months", 12))
    cohort = _returned_home(ctx, params).filter(pl.col("year").is_in(ctx.years)).select(
        LA, "child_id", "year", pl.col("end_date").alias("home_date")
    )
    starts = ctx.table("looked_after_episodes").filter(pl.col("reason_new_episode") == "S").select(
        LA, "child_id", pl.col("start_date").alias("restart_date")
    )
    joined = cohort.join(starts, on=[LA, "child_id"], how="inner").filter(
        (pl.col("restart_date") > pl.col("home_date"))
        & (pl.col("restart_date") <= pl.col("home_date").dt.offset_by(f"{months}mo"))
    )
    return _per_year(ctx, [_count(joined, "child_id", (LA, "year"))])


@_register("starts_after_recent_care", lambda p: ("looked_after_episodes",))
def starts_after_recent_care(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Children starting a period of care in the year (reason S, not short breaks only) whose previous period of
    care ended within ``window_months`` (12) before the start."""
    months = int(params.get("window_months", 12))
    frame = _episodes(ctx, ("P", "T", "B", "U"))
    starts = frame.filter(
        (pl.col("reason_new_episode") == "S")
        & ~_short_breaks()
        & pl.col("previous_end").is_not_null()
        & (pl.col("previous_end") <= pl.col("start_date"))
        & (pl.col("previous_end") >= pl.col("start_date").dt.offset_by(f"-{months}mo"))
    ).with_columns(_year_of("start_date").alias("year"))
    return _per_year(ctx, [_count(starts.filter(pl.col("year").is_in(ctx.years)), "child_key", (LA, "year"))])


# --- care leavers --------------------------------------------------------------------------------------------------


@_register("care_leavers", lambda p: ("care_leavers",))
def care_leavers(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Care leavers whose birthday in the collection year was one of ``ages`` [low, high]; ``where`` filters
    codes; ``accommodation_suitable`` keeps accommodation codes ending in 1. Rows belong to their
    collection_year; when it is not recorded, to the SSDA903's year (that of its episodes), else the latest."""
    low, high = (int(a) for a in params.get("ages", (19, 21)))
    frame = ctx.table("care_leavers")
    frame = frame.filter(_filters(params, frame) & pl.col("date_of_birth").is_not_null())
    if params.get("accommodation_suitable"):
        frame = frame.filter(pl.col("accommodation").str.ends_with("1").fill_null(False))
    fallback = ctx.ssda903_year if ctx.ssda903_year is not None else max(ctx.years)
    frame = frame.with_columns(pl.col("collection_year").cast(pl.Int32).fill_null(fallback).alias("year"))
    # age at the birthday that fell in the year ending 31 March (= age on 31 March)
    age = pl.col("year") - pl.col("date_of_birth").dt.year() - (pl.col("date_of_birth").dt.month() > 3).cast(pl.Int32)
    frame = frame.with_columns(age.alias("age")).filter(
        pl.col("age").is_between(low, high) & pl.col("year").is_in(ctx.years)
    )
    return _per_year(ctx, [_count(frame, "child_id", (LA, "year"))])


# --- proceedings and family group decision making ----------------------------------------------------------------


@_register("proceedings_concluded", lambda p: ("proceedings",))
def proceedings_concluded(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Care proceedings whose final order was made in the year; with ``max_days``, only those concluded within
    that many days of issue (182 days = 26 weeks)."""
    frame = ctx.table("proceedings").filter(
        pl.col("final_hearing_date").is_not_null() & pl.col("issue_date").is_not_null()
    )
    if params.get("max_days") is not None:
        days = (pl.col("final_hearing_date") - pl.col("issue_date")).dt.total_days()
        frame = frame.filter(days <= int(params["max_days"]))
    frame = frame.with_columns(_year_of("final_hearing_date").alias("year")).filter(pl.col("year").is_in(ctx.years))
    return _per_year(ctx, [_count(frame, None, (LA, "year"))])


@_register("pre_proceedings_started", lambda p: ("pre_proceedings",))
def pre_proceedings_started(ctx: Context, params: Mapping[str, Any]) -> pl.DataFrame:
    """Pre-proceedings (PLO) started in the year; with ``with_family_group_meeting``, only those with a
    facilitated family group meeting recorded on the pre-proceedings row, or a family group decision meeting held
    in the ``lookback_months`` (12) up to the start."""
    frame = ctx.table("pre_proceedings").filter(pl.col("start_date").is_not_null())
    frame = frame.with_columns(_year_of("start_date").alias("year")).filter(pl.col("year").is_in(ctx.years))
    if params.get("with_family_group_meeting"):
        months = int(params.get("lookback_months", 12))
        meetings = ctx.table("family_group_decision_meetings").filter(pl.col("meeting_date").is_not_null()).select(
            LA, "child_id", "meeting_date"
        )
        frame = frame.with_row_index("_row")
        met = frame.join(meetings, on=[LA, "child_id"], how="inner").filter(
            (pl.col("meeting_date") <= pl.col("start_date"))
            & (pl.col("meeting_date") >= pl.col("start_date").dt.offset_by(f"-{months}mo"))
        )["_row"]
        frame = frame.filter(
            pl.col("is_family_group_meeting_facilitated").fill_null(False) | pl.col("_row").is_in(met.implode())
        )
    return _per_year(ctx, [_count(frame, None, (LA, "year"))])


# --- putting it together ------------------------------------------------------------------------------------------


def _prepare(data: CareData) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame | None]]:
    """One row per key (latest collection year wins), with local_authority filled ('' for a single LA); and, for
    tables that came from returns (collection_year recorded), which (local authority, year) returns they hold."""
    out: dict[str, pl.DataFrame] = {}
    coverage: dict[str, pl.DataFrame | None] = {}
    for name, schema in SCHEMAS.items():
        frame = data[name]
        frame = frame.with_columns(pl.col(LA).fill_null(""))
        coverage[name] = None
        if frame.height and frame["collection_year"].null_count() < frame.height:
            coverage[name] = frame.select(pl.col(LA), pl.col("collection_year").cast(pl.Int32).alias("year")).unique()
            if schema.key:
                frame = frame.sort("collection_year", nulls_last=False).unique(subset=[LA, *schema.key], keep="last")
        out[name] = frame
    return out, coverage


# the core table of each source: SSDA903, CIN census, the record's proceedings
YEAR_EVIDENCE: dict[str, tuple[str, ...]] = {
    "looked_after_episodes": ("start_date", "end_date"),
    "referrals": ("referral_date", "closure_date"),
    "proceedings": ("issue_date", "final_hearing_date"),
}


def data_years(data: CareData, today: date | None = None) -> list[int]:
    """The years ending 31 March the data can speak for.

    The collection years recorded in the tables, if any. Otherwise one year per return: the year in which the
    95th percentile of its event dates falls (dates after today, which no return can hold, are ignored). One year
    each, because a single return's earlier years are incomplete.
    """
    years: set[int] = set()
    for name in COLLECTION_YEAR_TABLES:
        frame = data[name]
        if frame.height:
            years |= {int(y) for y in frame["collection_year"].drop_nulls().unique().to_list()}
    if years:
        return sorted(years)
    return sorted(set(_evidence_years(data, today).values()))


# tables whose collection_year says which return a row came from (others may use the column otherwise)
COLLECTION_YEAR_TABLES = ("looked_after_episodes", "referrals", "child_protection_plans", "looked_after_reviews",
                          "care_leavers", "looked_after_outcomes")


def _evidence_years(data: CareData, today: date | None = None) -> dict[str, int]:
    """The year each source's core table points to (see :func:`data_years`)."""
    years: dict[str, int] = {}
    limit = today or date.today()
    for name, columns in YEAR_EVIDENCE.items():
        frame = data[name]
        if frame.height == 0:
            continue
        dates = pl.concat([frame[c].drop_nulls() for c in columns])
        dates = dates.filter(dates <= limit)
        if dates.len() == 0:
            continue
        value = dates.sort()[min(dates.len() - 1, int(0.95 * dates.len()))]
        if isinstance(value, date):
            years[name] = value.year + (1 if value.month >= 4 else 0)
    return years


def from_synthetic(la: Any, indicator_ids: Iterable[str] | None = None) -> pl.DataFrame:
    """Every indicator for a synthetic LA (:func:`careflow.synth.generate`), for each year it simulated.

    The synthetic LA is the record, not a return: its tables hold every year, so each simulated year is scored,
    with its own population as the rates' denominator.
    """
    years = list(la.years)
    population = {y: float(la.population) for y in years}
    return compute(la.data, years=years, population=population, indicator_ids=indicator_ids)


def _evaluate(ctx: Context, term: CanonicalTerm) -> tuple[pl.DataFrame | None, tuple[str, ...]]:
    if term.not_available or term.count is None:
        return None, ()
    rule = COUNTS.get(term.count)
    if rule is None:
        raise DefinitionError(f"no counting rule {term.count!r}; rules: {sorted(COUNTS)}")
    key = (term.count, repr(sorted(term.params.items(), key=lambda kv: kv[0])))
    if key not in ctx.cache:
        ctx.cache[key] = rule.fn(ctx, term.params)
    return ctx.cache[key], rule.tables(term.params)


def compute(
    data: CareData,
    *,
    years: Iterable[int] | None = None,
    population: pl.DataFrame | Mapping[int, float] | None = None,
    indicator_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Every indicator (or those named) from canonical tables, for each local authority and year.

    Args:
        data: canonical tables (one LA, or pooled with ``local_authority`` set).
        years: years ending 31 March; by default :func:`data_years`.
        population: children aged 0-17 per LA and year (columns ``local_authority``, ``year``, ``population``),
            or ``{year: population}`` for a single LA — the denominator of the rates per 10,000. Without it, the
            rates are ``not_computable``.
        indicator_ids: a subset of indicators.

    Returns:
        The same long frame as :func:`careflow.measures.published.compute` (``area_code`` holds the
        ``local_authority`` value, '' for one LA), with ``source`` = ``returns`` and a ``note`` column saying why
        a figure is missing.
    """
    tables, coverage = _prepare(data)
    year_list = sorted(set(years)) if years is not None else data_years(data)
    if isinstance(population, Mapping):
        population = pl.DataFrame(
            {LA: [""] * len(population), "year": list(population), "population": list(population.values())},
            schema={LA: pl.String, "year": pl.Int32, "population": pl.Float64},
        )
    authorities = sorted({la for f in tables.values() if f.height for la in f[LA].unique().to_list()}) or [""]
    ctx = Context(tables, year_list, population, authorities, _evidence_years(data).get("looked_after_episodes"),
                  coverage)
    wanted = set(indicator_ids) if indicator_ids is not None else None
    grid = pl.DataFrame(
        [(la, y) for la in authorities for y in year_list], schema={LA: pl.String, "year": pl.Int32}, orient="row"
    )
    parts = []
    for ind in indicators():
        if wanted is not None and ind.id not in wanted:
            continue
        parts.append(_indicator(ctx, ind, grid))
    if not parts:
        return pl.DataFrame(schema=FIGURE_SCHEMA)
    return pl.concat(parts, how="vertical_relaxed")


def _indicator(ctx: Context, ind: Indicator, grid: pl.DataFrame) -> pl.DataFrame:
    base = grid.with_columns(pl.lit(ind.id).alias("indicator"))
    unavailable = ind.numerator.canonical.not_available or ind.denominator.canonical.not_available
    if unavailable or grid.height == 0:
        return _finish(
            base.with_columns(
                pl.lit(None, dtype=pl.Float64).alias("numerator"),
                pl.lit(None, dtype=pl.Float64).alias("denominator"),
                pl.lit("not_computable").alias("status"),
                pl.lit(unavailable or "no years to compute").alias("note"),
            )
        )
    num, num_tables = _evaluate(ctx, ind.numerator.canonical)
    den, den_tables = _evaluate(ctx, ind.denominator.canonical)
    if num is None or den is None:  # not reachable: not_available is handled above
        raise DefinitionError(f"{ind.id}: a term has no counting rule")
    frame = (
        base.join(num.rename({"n": "numerator"}), on=[LA, "year"], how="left")
        .join(den.rename({"n": "denominator"}), on=[LA, "year"], how="left")
        .with_columns(pl.col("numerator").cast(pl.Float64), pl.col("denominator").cast(pl.Float64))
    )
    needs = tuple(dict.fromkeys(num_tables + den_tables))
    # an LA with no rows at all in a table the indicator needs has no data, not zero; nor has a year for which
    # pooled returns hold no return with that table (a 2022 CIN census does not make 2019's referrals)
    missing = pl.lit(None, dtype=pl.String)
    uncovered = pl.lit(None, dtype=pl.String)
    for table in reversed(needs):
        present = ctx.has(table)
        missing = pl.when(~pl.col(LA).is_in(list(present))).then(pl.lit(table)).otherwise(missing)
        covered = ctx.coverage.get(table)
        if covered is not None:
            frame = frame.join(covered.with_columns(pl.lit(True).alias(f"_has_{table}")), on=[LA, "year"],
                               how="left")
            uncovered = pl.when(pl.col(f"_has_{table}").is_null()).then(pl.lit(table)).otherwise(uncovered)
    uses_population = "population_0_17" in (ind.numerator.canonical.count, ind.denominator.canonical.count)
    frame = frame.with_columns(pl.coalesce(missing, uncovered).alias("_missing"), missing.alias("_absent"))
    frame = frame.drop([c for c in frame.columns if c.startswith("_has_")])
    status = (
        pl.when(pl.col("_missing").is_not_null())
        .then(pl.lit("no_data"))
        .when(pl.lit(uses_population) & pl.col("denominator").is_null())
        .then(pl.lit("not_computable"))
        .when(pl.col("denominator").fill_null(0) == 0)
        .then(pl.lit("zero_denominator"))
        .otherwise(pl.lit("ok"))
    )
    note = (
        pl.when(pl.col("_absent").is_not_null())
        .then(pl.lit("the data hold no rows in table ") + pl.col("_absent"))
        .when(pl.col("_missing").is_not_null())
        .then(pl.lit("no return for this year holds table ") + pl.col("_missing"))
        .when(pl.lit(uses_population) & pl.col("denominator").is_null())
        .then(pl.lit("no 0-17 population for this area and year: give the area (--area) so the ONS estimate is used"))
        .when(pl.col("denominator").fill_null(0) == 0)
        .then(pl.lit("no " + ind.denominator.description[0].lower() + ind.denominator.description[1:]))
        .otherwise(None)
    )
    frame = frame.with_columns(status.alias("status"), note.alias("note")).with_columns(
        pl.when(pl.col("status") == "ok").then(pl.col("numerator").fill_null(0)).otherwise(pl.col("numerator")),
    )
    # counts from a year no return covers are partial: show none rather than a misleading part
    partial = (pl.col("status") == "no_data") & pl.col("_absent").is_null()
    frame = frame.with_columns(
        pl.when(partial).then(None).otherwise(pl.col("numerator")).alias("numerator"),
        pl.when(partial).then(None).otherwise(pl.col("denominator")).alias("denominator"),
    )
    return _finish(frame.drop("_missing", "_absent"), ind.scale)


def _finish(frame: pl.DataFrame, scale: float = 1.0) -> pl.DataFrame:
    frame = frame.with_columns(
        pl.when(pl.col("status") == "ok").then(pl.col("numerator") / pl.col("denominator") * scale).alias("value"),
        pl.lit(None, dtype=pl.String).alias("symbol"),
        pl.lit(None, dtype=pl.Float64).alias("dfe_value"),
        pl.lit(None, dtype=pl.String).alias("dfe_symbol"),
        pl.lit("returns").alias("source"),
    ).rename({LA: "area_code"})
    return frame.select([pl.col(c).cast(t) for c, t in FIGURE_SCHEMA.items()])
