"""Episode clean-up: from canonical SSDA903 episodes to placement spells, every change reported.

A *spell* is an unbroken stretch of care in one placement category. Consecutive episodes in the same category
(legal-status-only changes, moves between carers of the same kind) are merged; a spell ends in a move to another
category, an exit from care, or is *censored* (still open when the data stop). Nothing is dropped or changed
silently: each change becomes an :class:`~careflow.issues.Issue` (capped at ``MAX_PER_KIND`` one by one, then
a summary with the count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from careflow.flows.states import StateConfig
from careflow.issues import Issue, Severity
from careflow.tables.dataset import CareData

__all__ = ["MAX_PER_KIND", "CleanEpisodes", "clean_episodes"]

MAX_PER_KIND = 50
TABLE = "looked_after_episodes"


@dataclass
class CleanEpisodes:
    """The spells, what was changed to get them, and the date the data run to.

    Attributes:
        spells: one row per spell: ``key`` (local authority / child), ``date_of_birth``, ``category`` (index),
            ``start_date``, ``end_date`` (null if open), ``to`` (category index for a move, ``K + exit index``
            for an exit, -1 if censored), ``censor_date`` (when observation stops for an open spell),
            ``is_entry`` (the spell opens a period of care), ``local_authority``, ``age18_date``, ``provider``
            (of the spell's last episode).
        issues: every change made, as issues.
        data_end: the last date the data cover.
        counts: how many episodes each kind of change touched.
    """

    spells: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    data_end: date | None = None
    counts: dict[str, int] = field(default_factory=dict)


class _Reporter:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.counts: dict[str, int] = {}

    def rows(self, code: str, severity: Severity, frame: pl.DataFrame, message: str, field_: str | None) -> None:
        """One issue per row of ``frame`` (which has ``_row``, ``child_id`` and the message's fields)."""
        n = frame.height
        if n == 0:
            return
        self.counts[code] = self.counts.get(code, 0) + n
        for row in frame.head(MAX_PER_KIND).iter_rows(named=True):
            self.issues.append(
                Issue(
                    code,
                    severity,
                    message.format(**{k: _fmt(v) for k, v in row.items()}),
                    element=f"row index {row['_row']}",
                    field=field_,
                    value=None if field_ is None or row.get(field_) is None else _fmt(row.get(field_)),
                    table=TABLE,
                )
            )
        if n > MAX_PER_KIND:
            self.issues.append(
                Issue(code, severity, f"… and {n - MAX_PER_KIND} more episodes with the same change", table=TABLE)
            )

    def summary(self, code: str, severity: Severity, n: int, message: str) -> None:
        if n:
            self.counts[code] = self.counts.get(code, 0) + n
            self.issues.append(Issue(code, severity, message.format(n=n), table=TABLE))


def _fmt(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _key(pooled: bool) -> pl.Expr:
    if pooled:
        return pl.concat_str([pl.col("local_authority").fill_null(""), pl.lit("/"), pl.col("child_id")]).hash(7)
    return pl.col("child_id").hash(7)


def _within(shifted: pl.Expr, n: int) -> pl.Expr:
    """``shifted`` (a column shifted by ``n`` rows) where that row is the same child, else null; rows are sorted
    by key (faster than ``.over("key")``)."""
    return pl.when(pl.col("key") == pl.col("key").shift(n)).then(shifted).otherwise(None)


def _year_end(year: pl.Expr) -> pl.Expr:
    return pl.date(year.cast(pl.Int32), 3, 31)


def clean_episodes(data: CareData, states: StateConfig, *, data_end: date | None = None) -> CleanEpisodes:
    """Turn canonical episodes into placement spells, reporting every change.

    The steps, in order (each a function below, each reporting what it changes): select the episodes and key
    them by child; drop episodes without a start date; keep one version of an episode repeated across returns
    (or of two starting the same day); drop episodes ending before they start; fix when observation ends;
    attach dates of birth (dropping episodes that cannot be placed in an age band); resolve overlaps, missing
    end dates and gaps; end care at 18; drop same-day episodes; map placement categories; map exits; merge
    episodes into spells.

    Args:
        data: canonical tables; ``looked_after_episodes`` and ``children`` (for dates of birth) are read.
        states: the state space (placement categories and exits).
        data_end: the date the data run to; by default 31 March of the latest collection year where rows carry
            one, else the latest date in the episodes.

    Returns:
        The spells and the issues. Episodes that cannot be placed (no start date, no date of birth, starting
        before birth or after 18) are left out, each reported as an error or warning.
    """
    rep = _Reporter()
    ep, pooled = _select_episodes(data)
    ep = _drop_missing_start(ep, rep)
    ep, has_year = _keep_one_version(ep, rep)
    ep = _drop_ending_before_start(ep, rep)
    ep, data_end = _censor_dates(ep, data_end, has_year=has_year, pooled=pooled)
    ep = _attach_dates_of_birth(ep, data, rep, pooled=pooled)
    ep = _resolve_ends(ep, states, rep, data_end)
    ep = _end_care_at_18(ep, states, rep)
    ep = _drop_same_day(ep, rep)
    ep = _map_categories(ep, states, rep)
    ep = _map_exits(ep, states, rep)
    spells = _merge_spells(ep, rep)
    return CleanEpisodes(spells=spells, issues=rep.issues, data_end=data_end, counts=rep.counts)


def _select_episodes(data: CareData) -> tuple[pl.DataFrame, bool]:
    """The episode columns the model reads, with an integer key per child (and LA, in pooled data)."""
    # Only the columns the model reads: sorting a million rows moves every column.
    ep = data[TABLE].with_row_index("_row").select(
        "_row", "child_id", "local_authority", "collection_year", "start_date", "end_date", "reason_new_episode",
        "placement_type", "placement_provider", "reason_episode_ceased",
    )
    pooled = ep["local_authority"].null_count() < ep.height
    # An integer key per child (and local authority, in pooled data): sorting and grouping on integers is many
    # times faster than on strings at a million episodes. 64-bit hashes do not collide at these sizes.
    key_expr = _key(pooled)
    return ep.with_columns(key_expr.alias("key")), pooled


def _drop_missing_start(ep: pl.DataFrame, rep: _Reporter) -> pl.DataFrame:
    """Episodes without a start date cannot be placed in time: left out, each reported."""
    missing = ep.filter(pl.col("start_date").is_null())
    rep.rows("missing-start-date", Severity.ERROR, missing,
             "child {child_id}: the episode has no start date (DECOM) and was left out", "start_date")
    ep = ep.filter(pl.col("start_date").is_not_null())
    return ep


def _keep_one_version(ep: pl.DataFrame, rep: _Reporter) -> tuple[pl.DataFrame, bool]:
    """One row per episode: the latest return's version of a repeated one, or the later of two same-day rows.

    Returns the episodes sorted by child and start, and whether rows carry a collection year.
    """
    # Pooled returns repeat an episode in each year's return while it is open: keep the latest version.
    has_year = ep["collection_year"].null_count() < ep.height
    if has_year:
        # Latest year first (a negated year sorts far faster than a descending, nulls-last multi-key sort).
        ep = ep.with_columns((-pl.col("collection_year").cast(pl.Int32)).fill_null(1 << 30).alias("_neg_year"))
        ep = ep.sort(["key", "start_date", "_neg_year"]).drop("_neg_year")
        # After the sort a repeat sits just below the latest version of the same episode.
        repeat = (pl.col("key") == pl.col("key").shift(1)) & (pl.col("start_date") == pl.col("start_date").shift(1))
        ep = ep.with_columns(repeat.fill_null(False).alias("_repeat"))
        rep.summary("repeated-across-returns", Severity.INFO, int(ep["_repeat"].sum()),
                    "{n} episodes appear in more than one year's return; the latest return's version was kept")
        ep = ep.filter(~pl.col("_repeat")).drop("_repeat")
    else:
        ep = ep.sort(["key", "start_date", "_row"])
        later = (pl.col("key") == pl.col("key").shift(-1)) & (pl.col("start_date") == pl.col("start_date").shift(-1))
        ep = ep.with_columns(later.fill_null(False).alias("_dup"))
        rep.rows("duplicate-episode", Severity.WARNING, ep.filter(pl.col("_dup")),
                 "child {child_id}: two episodes start on {start_date}; the later row was kept", "start_date")
        ep = ep.filter(~pl.col("_dup")).drop("_dup")
    return ep, has_year


def _drop_ending_before_start(ep: pl.DataFrame, rep: _Reporter) -> pl.DataFrame:
    """Episodes that end before they start: left out, each reported."""
    backwards = ep.filter(pl.col("end_date") < pl.col("start_date"))
    rep.rows("end-before-start", Severity.ERROR, backwards,
             "child {child_id}: episode starting {start_date} ends {end_date}, before it starts; left out",
             "end_date")
    ep = ep.filter(~(pl.col("end_date") < pl.col("start_date")).fill_null(False))
    return ep


def _censor_dates(ep: pl.DataFrame, data_end: date | None, *, has_year: bool, pooled: bool
                  ) -> tuple[pl.DataFrame, date]:
    """When the data end, and ``_censor``: when observation of each episode stops (its return's 31 March for an
    episode missing from later returns, else ``data_end``)."""
    if data_end is None:
        if has_year:
            data_end = date(int(ep["collection_year"].max()), 3, 31)  # type: ignore[arg-type]
        else:
            latest = ep.select(pl.max_horizontal(pl.col("start_date").max(), pl.col("end_date").max())).item()
            data_end = latest if latest is not None else date.today()
    if has_year:
        last_year = pl.col("collection_year").max().over("local_authority") if pooled else pl.col(
            "collection_year").max()
        ep = ep.with_columns(
            pl.when(pl.col("collection_year").is_not_null() & (pl.col("collection_year") < last_year))
            .then(_year_end(pl.col("collection_year")))
            .otherwise(pl.lit(data_end))
            .alias("_censor")
        )
    else:
        ep = ep.with_columns(pl.lit(data_end).alias("_censor"))
    return ep, data_end


def _attach_dates_of_birth(ep: pl.DataFrame, data: CareData, rep: _Reporter, *, pooled: bool) -> pl.DataFrame:
    """Each episode's date of birth (latest return's) and 18th birthday; episodes without one, starting before
    birth or on or after the 18th birthday are left out, each reported."""
    kids = data["children"].select("child_id", "local_authority", "collection_year", "date_of_birth")
    births = (
        kids.filter(pl.col("date_of_birth").is_not_null())
        .with_columns(_key(pooled).alias("key"))
        .join(ep.select("key").unique(), on="key", how="semi")  # only children with episodes
        .sort("key", "collection_year", nulls_last=False)
        .unique("key", keep="last", maintain_order=True)
        .select("key", "date_of_birth")
    )
    ep = ep.join(births, on="key", how="left")
    no_dob = ep.filter(pl.col("date_of_birth").is_null())
    rep.rows("no-date-of-birth", Severity.WARNING, no_dob,
             "child {child_id}: no date of birth in the children (header) table, so the episode starting "
             "{start_date} cannot be placed in an age band; left out", "child_id")
    ep = ep.filter(pl.col("date_of_birth").is_not_null())
    early = ep.filter(pl.col("start_date") < pl.col("date_of_birth"))
    rep.rows("before-birth", Severity.ERROR, early,
             "child {child_id}: episode starts {start_date}, before the date of birth {date_of_birth}; left out",
             "start_date")
    ep = ep.filter(pl.col("start_date") >= pl.col("date_of_birth"))
    ep = ep.with_columns(pl.col("date_of_birth").dt.offset_by("18y").alias("_age18"))
    late = ep.filter(pl.col("start_date") >= pl.col("_age18"))
    rep.rows("after-18", Severity.WARNING, late,
             "child {child_id}: episode starts {start_date}, on or after the 18th birthday; left out",
             "start_date")
    ep = ep.filter(pl.col("start_date") < pl.col("_age18"))
    return ep


def _resolve_ends(ep: pl.DataFrame, states: StateConfig, rep: _Reporter, data_end: date) -> pl.DataFrame:
    """Order each child's episodes; end an overlapping or open episode when the next starts; treat an exit code
    without an end date as open; mark ``_is_exit`` (an exit code, or an end with no episode following)."""
    ep = ep.sort(["key", "start_date"]).with_columns(
        _within(pl.col("start_date").shift(-1), -1).alias("_next_start"),
        pl.col("reason_episode_ceased").str.strip_chars().alias("reason_episode_ceased"),
    )
    overlap = ep.filter(pl.col("end_date").is_not_null() & (pl.col("end_date") > pl.col("_next_start")))
    rep.rows("overlapping-episodes", Severity.WARNING, overlap,
             "child {child_id}: episode starting {start_date} ends {end_date}, after the next one starts "
             "({_next_start}); its end was moved to {_next_start}", "end_date")
    open_followed = ep.filter(pl.col("end_date").is_null() & pl.col("_next_start").is_not_null())
    rep.rows("open-episode-followed", Severity.WARNING, open_followed,
             "child {child_id}: episode starting {start_date} has no end date but a later episode starts "
             "{_next_start}; it was closed then", "end_date")
    ep = ep.with_columns(
        pl.when(pl.col("_next_start").is_not_null() & (pl.col("end_date").is_null() | (
            pl.col("end_date") > pl.col("_next_start"))))
        .then(pl.col("_next_start"))
        .otherwise(pl.col("end_date"))
        .alias("end_date")
    )
    is_exit_code = pl.col("reason_episode_ceased").str.starts_with("E").fill_null(False)
    closed_no_end = ep.filter(pl.col("end_date").is_null() & is_exit_code)
    rep.rows("closed-without-end-date", Severity.ERROR, closed_no_end,
             "child {child_id}: episode starting {start_date} has a reason for ceasing ({reason_episode_ceased}) "
             "but no end date (DEC); it is treated as open until {_censor} and its exit is not counted", "end_date")
    ep = ep.with_columns(
        pl.when(pl.col("end_date").is_null()).then(None).otherwise(pl.col("reason_episode_ceased"))
        .alias("reason_episode_ceased")
    )
    stale = ep.filter(pl.col("end_date").is_null() & (pl.col("_censor") < pl.lit(data_end)))
    rep.rows("open-not-returned-later", Severity.WARNING, stale,
             "child {child_id}: episode starting {start_date} is open in the {collection_year} return but "
             "missing from later returns; it is censored at {_censor}", "end_date")

    gap = ep.filter(
        pl.col("end_date").is_not_null()
        & ~is_exit_code
        & ((pl.col("_next_start") > pl.col("end_date")) | (
            pl.col("_next_start").is_null() & (pl.col("end_date") < pl.col("_censor"))))
    )
    rep.rows("end-without-exit", Severity.WARNING, gap,
             "child {child_id}: episode starting {start_date} ends {end_date} with reason "
             "'{reason_episode_ceased}' but no episode follows that day; counted as an exit to "
             f"'{states.default_exit}'", "reason_episode_ceased")
    ep = ep.with_columns(
        (is_exit_code | (pl.col("end_date").is_not_null() & (
            (pl.col("_next_start") > pl.col("end_date")) | (
                pl.col("_next_start").is_null() & (pl.col("end_date") < pl.col("_censor")))))).alias("_is_exit")
    )
    return ep


def _end_care_at_18(ep: pl.DataFrame, states: StateConfig, rep: _Reporter) -> pl.DataFrame:
    """Care ends at 18: an episode running past the 18th birthday ends then, as an exit to the age-out exit."""
    past18 = ep.filter(pl.col("end_date").fill_null(pl.col("_censor")) > pl.col("_age18"))
    rep.summary("ends-at-18", Severity.INFO, past18.height,
                "{n} episodes run past the child's 18th birthday; each is ended on that birthday "
                f"(exit '{states.age_out_exit}')")
    ep = ep.with_columns(
        pl.when(pl.col("end_date").fill_null(pl.col("_censor")) > pl.col("_age18"))
        .then(pl.col("_age18")).otherwise(pl.col("end_date")).alias("end_date"),
        pl.when(pl.col("end_date").fill_null(pl.col("_censor")) > pl.col("_age18"))
        .then(True).otherwise(pl.col("_is_exit")).alias("_is_exit"),
        pl.when(pl.col("end_date").fill_null(pl.col("_censor")) > pl.col("_age18"))
        .then(pl.lit("_AGE18")).otherwise(pl.col("reason_episode_ceased")).alias("reason_episode_ceased"),
    )
    return ep


def _drop_same_day(ep: pl.DataFrame, rep: _Reporter) -> pl.DataFrame:
    """Same-day episodes (start = end, care continues) hold no time in care: merged into the next one."""
    is_zero = ((pl.col("end_date") == pl.col("start_date")) & ~pl.col("_is_exit")).fill_null(False)
    zero = ep.filter(is_zero)
    rep.summary("same-day-episode", Severity.INFO, zero.height,
                "{n} episodes start and end on the same day with care continuing; they hold no time in care "
                "and were merged into the next episode")
    ep = ep.filter(~is_zero)
    return ep


def _map_categories(ep: pl.DataFrame, states: StateConfig, rep: _Reporter) -> pl.DataFrame:
    """The placement category (index) of each episode; unmapped or missing placement types reported, and
    temporary placements continuing the placement they interrupt."""
    cats = states.category_names
    pairs = ep.select("placement_type", "placement_provider").unique()
    mapping = {
        (p, v): cats.index(states.category_of(p, v)) for p, v in pairs.iter_rows()
    }
    unknown = sorted({p for p, _ in mapping if p is not None and not states.is_known_placement(p)})
    for code in unknown:
        n = ep.filter(pl.col("placement_type") == code).height
        rep.summary("unmapped-placement-type", Severity.INFO, n,
                    f"{{n}} episodes have placement type {code}, which the state space v{states.version} does not "
                    f"map; counted as '{states.default_category}'")
    n_null = ep.filter(pl.col("placement_type").is_null()).height
    rep.summary("missing-placement-type", Severity.WARNING, n_null,
                f"{{n}} episodes have no placement type (PLACE); counted as '{states.default_category}'")
    map_frame = pl.DataFrame(
        {
            "placement_type": [p for p, _ in mapping],
            "placement_provider": [v for _, v in mapping],
            "category": [c for c in mapping.values()],
        },
        schema={"placement_type": pl.String, "placement_provider": pl.String, "category": pl.Int64},
    )
    ep = ep.join(map_frame, on=["placement_type", "placement_provider"], how="left", nulls_equal=True).sort(
        ["key", "start_date"])
    if states.temporary_placement_types:
        ep = _continue_temporary(ep, states, rep)
    return ep


def _map_exits(ep: pl.DataFrame, states: StateConfig, rep: _Reporter) -> pl.DataFrame:
    """``_exit_to``: for an episode ending a period of care, the index of its exit (after the categories)."""
    cats = states.category_names
    exits = states.exit_names
    reasons = ep.select("reason_episode_ceased").unique().to_series().to_list()
    exit_map = {r: len(cats) + exits.index(states.exit_of(r)) for r in reasons if r is not None}
    exit_map["_AGE18"] = len(cats) + exits.index(states.age_out_exit)
    unknown_exit = sorted(r for r in reasons if r and r.startswith("E") and not states.is_known_exit(r))
    for code in unknown_exit:
        n = ep.filter(pl.col("reason_episode_ceased") == code).height
        rep.summary("unmapped-reason-ceased", Severity.INFO, n,
                    f"{{n}} episodes ceased with reason {code}, which the state space does not map; counted as "
                    f"'{states.default_exit}'")
    default_exit = len(cats) + exits.index(states.default_exit)
    ep = ep.with_columns(
        pl.when(pl.col("_is_exit"))
        .then(pl.col("reason_episode_ceased").replace_strict(exit_map, default=default_exit, return_dtype=pl.Int64))
        .otherwise(None)
        .alias("_exit_to")
    )
    return ep


def _merge_spells(ep: pl.DataFrame, rep: _Reporter) -> pl.DataFrame:
    """Merge consecutive episodes in the same category into spells; each spell ends in a move, an exit or is
    censored (``to`` = -1, no end date)."""
    ep = ep.with_columns(
        _within(pl.col("_is_exit").shift(1), 1).fill_null(True).alias("_period_start"),
        _within(pl.col("category").shift(1), 1).alias("_prev_category"),
    )
    ep = ep.with_columns(
        (pl.col("_period_start") | (pl.col("category") != pl.col("_prev_category"))).fill_null(True).alias("_new")
    )
    merged = ep.filter(~pl.col("_new"))
    legal_only = merged.filter(pl.col("reason_new_episode") == "L").height
    rep.summary("legal-status-change-merged", Severity.INFO, legal_only,
                "{n} legal-status-only changes (RNE L) were merged into the placement spell they continue")
    rep.summary("same-category-move-merged", Severity.INFO, merged.height - legal_only,
                "{n} changes of placement within the same placement category were merged into one spell")
    ep = ep.with_columns(pl.col("_new").cast(pl.Int64).cum_sum().alias("_spell"))
    spells = (
        ep.group_by("_spell", maintain_order=True)
        .agg(
            pl.col("key").first(),
            pl.col("local_authority").first(),
            pl.col("date_of_birth").first(),
            pl.col("category").first(),
            pl.col("start_date").first(),
            pl.col("end_date").last(),
            pl.col("_exit_to").last(),
            pl.col("_censor").last().alias("censor_date"),
            pl.col("_period_start").first().alias("is_entry"),
            pl.col("_age18").first().alias("age18_date"),
            pl.col("placement_provider").last().alias("provider"),
        )
        .with_columns(_within(pl.col("category").shift(-1), -1).alias("_next_cat"))
        .with_columns(
            pl.when(pl.col("_exit_to").is_not_null())
            .then(pl.col("_exit_to"))
            .when(pl.col("end_date").is_not_null() & pl.col("_next_cat").is_not_null())
            .then(pl.col("_next_cat"))
            .otherwise(-1)
            .alias("to"),
        )
        .drop("_spell", "_exit_to", "_next_cat")
    )
    # Censored spells carry no end date: the moment observation stops is censor_date (or the 18th birthday).
    spells = spells.with_columns(
        pl.when(pl.col("to") < 0).then(None).otherwise(pl.col("end_date")).alias("end_date"),
        pl.min_horizontal("censor_date", "age18_date").alias("censor_date"),
    )
    return spells


def _continue_temporary(ep: pl.DataFrame, states: StateConfig, rep: _Reporter) -> pl.DataFrame:
    """Temporary placements (T0-T4: hospital, holidays, a carer's holiday, a week or less) continue the category
    and provider of the placement they interrupt, so a child in a children's home who spends three nights in
    hospital stays in the children's home spell. One that opens a period of care keeps its own category.

    Rows are sorted by child and start; ``_is_exit`` marks episodes that end a period of care.
    """
    codes = list(states.temporary_placement_types)
    is_temporary = pl.col("placement_type").is_in(codes).fill_null(False)
    opens_period = _within(pl.col("_is_exit").shift(1), 1).fill_null(True)
    continues = is_temporary & ~opens_period
    ep = ep.with_columns(continues.alias("_continues"))
    rep.summary("temporary-placement-continued", Severity.INFO, int(ep["_continues"].sum()),
                f"{{n}} temporary placements ({', '.join(codes)}) were counted in the placement category (and "
                f"provider) of the placement they interrupt, as the state space v{states.version} asks")
    rep.summary("temporary-placement-first", Severity.INFO, int((ep["placement_type"].is_in(codes).fill_null(False)
                                                                  & ~ep["_continues"]).sum()),
                "{n} temporary placements open a period of care, with no placement before them to continue; "
                "each kept its own category")
    # A continued row takes the values of the last row before it that is not continued: the placement before a
    # run of temporary rows (always the same child's, since the period did not just open).
    source = pl.when(pl.col("_continues")).then(None).otherwise(pl.int_range(pl.len())).forward_fill()
    ep = ep.with_columns(source.alias("_source"))
    return ep.with_columns(
        pl.col(c).gather(pl.col("_source")).alias(c) for c in ("category", "placement_provider")
    ).drop("_continues", "_source")


def episodes_frame(rows: Sequence[dict[str, object]]) -> pl.DataFrame:
    """Build a canonical episodes frame from dicts (missing columns null) — a helper for tests and examples."""
    from careflow.tables.schema import schema

    return schema(TABLE).conform(pl.DataFrame(list(rows), infer_schema_length=None))
