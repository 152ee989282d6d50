"""What a collection year's CIN census holds, by DfE's specification, from canonical tables.

The CIN census of a year (1 April to 31 March) holds the children in need episodes open at any time in it, as
known on 31 March. Within those episodes it holds only what belongs to the year; DfE's validation rules (as in
``csc-validator-be-cin``; codes named below) check each of these:

* assessments completed (authorised) in the year, or started in it and not completed by 31 March (8696, 8736);
* section 47 enquiries started in the year, or whose initial conference was held in it (8715, 8740);
* CIN plans and child protection plans open at any time in the year (4013, 8930), a plan's reviews held in it;
* an initial conference recorded once (2884): with its section 47 enquiry when that is in the census, at the
  episode's level only when it is not;
* a CIN plan never open at the same time as a child protection plan (4001, 4003, 4017): where the record keeps
  the child's plan of support going under a child protection plan, the census shows the CIN plan ending the day
  the protection plan starts and a new one starting the day it ends.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from careflow.tables import CareData

__all__ = ["census_year"]


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def _censor(frame: pl.DataFrame, end: dt.date, columns: dict[str, list[str]]) -> pl.DataFrame:
    """Null every date after ``end`` (as on 31 March), and the columns that go with it."""
    exprs = []
    for date_col, dependants in columns.items():
        if date_col not in frame.columns:
            continue
        late = pl.col(date_col).is_not_null() & (pl.col(date_col) > end)
        for dep in dependants:
            exprs.append(pl.when(late).then(None).otherwise(pl.col(dep)).alias(dep))
        exprs.append(pl.when(late).then(None).otherwise(pl.col(date_col)).alias(date_col))
    return frame.with_columns(exprs) if exprs else frame


def _outside_protection(plans: pl.DataFrame, cpp: pl.DataFrame) -> pl.DataFrame:
    """CIN plans cut around the same child's child protection plans (never open at the same time)."""
    if plans.height == 0 or cpp.height == 0:
        return plans
    spans: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for cid, s, e in cpp.select("child_id", "start_date", "end_date").iter_rows():
        spans.setdefault(cid, []).append((s, e))
    rows = []
    for row in plans.iter_rows(named=True):
        pieces: list[tuple[dt.date, dt.date | None]] = [(row["start_date"], row["end_date"])]
        for cs, ce in sorted(spans.get(row["child_id"], []), key=lambda t: t[0]):
            cut = []
            for s, e in pieces:
                if (e is not None and e <= cs) or (ce is not None and ce <= s):
                    cut.append((s, e))  # no overlap (a plan may end the day the other starts)
                    continue
                if s < cs:
                    cut.append((s, cs))
                if ce is not None and (e is None or ce < e):
                    cut.append((ce, e))
            pieces = cut
        for s, e in pieces:
            rows.append({**row, "start_date": s, "end_date": e})
    out = pl.DataFrame(rows, schema=plans.schema) if rows else plans.clear()
    # number the plans again within each episode, in date order
    return (out.sort("child_id", "referral_id", "start_date")
            .with_columns(pl.int_range(1, pl.len() + 1).over("child_id", "referral_id")
                          .cast(plans.schema["plan_id"]).alias("plan_id")))


def census_year(data: CareData, year: int) -> CareData:
    """The CIN census of collection year ``year`` (ending 31 March) from canonical tables.

    ``data`` holds the CIN tables (``children``, ``referrals``, ``assessments``, ``child_in_need_plans``,
    ``section47_enquiries``, ``child_protection_plans``, optionally ``pre_proceedings``) over any span of time;
    the result holds the episodes open in the year and what the year's census holds of them (see the module's
    docstring), every date after 31 March left out. Other tables are passed through.
    """
    start, end = _bounds(year)
    ref = data["referrals"].filter((pl.col("referral_date") <= end)
                                   & (pl.col("closure_date").is_null() | (pl.col("closure_date") >= start)))
    ref = _censor(ref, end, {"closure_date": ["reason_for_closure"],
                             "initial_child_protection_conference_date": []})
    keys = ref.select("child_id", "referral_id")

    def sub(name: str, start_col: str, dates: dict[str, list[str]]) -> pl.DataFrame:
        frame = data[name].join(keys, on=["child_id", "referral_id"], how="semi")
        frame = frame.filter(pl.col(start_col) <= end)
        return _censor(frame, end, dates)

    def in_year(col: str) -> pl.Expr:
        return pl.col(col).is_not_null() & (pl.col(col) >= start) & (pl.col(col) <= end)

    def open_in_year(col: str) -> pl.Expr:
        return pl.col(col).is_null() | (pl.col(col) >= start)

    assessments = sub("assessments", "start_date", {"authorisation_date": ["factors"]})
    assessments = assessments.filter(in_year("authorisation_date")
                                     | (pl.col("authorisation_date").is_null() & in_year("start_date")))
    s47 = sub("section47_enquiries", "start_date", {"initial_conference_date": [],
                                                    "initial_conference_target_date": []})
    s47 = s47.filter(in_year("start_date") | in_year("initial_conference_date"))
    s47 = s47.with_columns(pl.col("is_conference_not_required").fill_null(False))
    cpp = sub("child_protection_plans", "start_date", {"end_date": []}).filter(open_in_year("end_date"))
    cpp = cpp.with_columns(pl.col("review_dates").list.eval(
        pl.element().filter((pl.element() >= start) & (pl.element() <= end))))
    plans = sub("child_in_need_plans", "start_date", {"end_date": []})
    plans = _outside_protection(plans, cpp).filter(open_in_year("end_date"))
    held = (s47.filter(pl.col("initial_conference_date").is_not_null())
            .select("child_id", "referral_id", pl.col("initial_conference_date")
                    .alias("initial_child_protection_conference_date"), pl.lit(True).alias("_held"))
            .unique(["child_id", "referral_id", "initial_child_protection_conference_date"]))
    ref = (ref.join(held, on=["child_id", "referral_id", "initial_child_protection_conference_date"], how="left")
           .with_columns(pl.when(pl.col("_held")).then(None)
                         .otherwise(pl.col("initial_child_protection_conference_date"))
                         .alias("initial_child_protection_conference_date"))
           .drop("_held"))
    tables = dict(data.tables)
    tables.update({
        "children": data["children"].join(keys.select("child_id").unique(), on="child_id", how="semi"),
        "referrals": ref, "assessments": assessments, "child_in_need_plans": plans,
        "section47_enquiries": s47, "child_protection_plans": cpp,
    })
    if "pre_proceedings" in data.tables:
        tables["pre_proceedings"] = sub("pre_proceedings", "start_date", {
            "step_decision_date": ["outcome"], "court_application_date": [], "initial_meeting_date": []})
    return CareData(tables)
