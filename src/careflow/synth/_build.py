"""From simulated arrays and journey rows to canonical tables: trim to the children active in the window,
censor at the end date, and add what is derived per collection year (OC2, OC3) and the family network."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from careflow.synth._care import CareModel
from careflow.synth._common import Mix, collection_year_of
from careflow.synth._dates import NO_DATE, add_years, to_date_series
from careflow.synth._names import FAMILY, GIVEN_FEMALE, GIVEN_MALE
from careflow.synth._params import Parameters
from careflow.synth._pathway import (
    CPP_PLO,
    CPP_PROC,
    ICPC_NO_PLAN,
    NFA,
    NOT_IN_NEED,
    ROUTES,
    S47_ONLY,
    Pathway,
)
from careflow.tables import CareData

__all__ = ["build_tables"]

I64 = npt.NDArray[np.int64]
NOT_CARE_LEAVER = {"E2", "E3", "E11", "E12", "E41", "E45", "E46", "E47", "E48", "E4A", "E4B", "E13", "E14",
                   "E15", "E16"}
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _concat(generations: list[dict[str, Any]], key: str) -> Any:
    return np.concatenate([g[key] for g in generations])


def _dates(frame: pl.DataFrame, **columns: I64) -> pl.DataFrame:
    return frame.with_columns([to_date_series(name, values) for name, values in columns.items()])


def _str(values: Any) -> pl.Series:
    """A polars string series from an array that may hold None."""
    return pl.Series([None if x is None else str(x) for x in values], dtype=pl.String)


def _censor(days: I64, end: int) -> I64:
    return np.where(days > end, NO_DATE, days)


def build_tables(
    pathway: Pathway,
    care: CareModel,
    params: Parameters,
    rng: np.random.Generator,
    *,
    start_day: int,
    end_day: int,
    first_year: int,
    end_year: int,
) -> CareData:
    """The canonical tables of the synthetic LA: children active between ``start_day`` and ``end_day``."""
    pop = pathway.pop
    gens = pathway.generations
    ep = {k: _concat(gens, k) for k in gens[0] if k != "reviews"}
    reviews = np.concatenate([g["reviews"] for g in gens])
    rec = care.records

    # --- the care journeys as arrays -----------------------------------------------------------------------
    epi = pl.DataFrame(
        rec.episodes,
        schema=["ci", "start", "rne", "ls", "need", "place", "provider", "end", "rec", "rpc", "home_pc",
                "pl_pc", "urn"],
        orient="row",
        infer_schema_length=None,
    ).with_columns(pl.col("ci").cast(pl.Int64), pl.col("start").cast(pl.Int64), pl.col("end").cast(pl.Int64))
    periods = (
        epi.sort(["ci", "start"])
        .with_columns((pl.col("rne") == "S").cum_sum().over("ci").alias("period"))
        .group_by(["ci", "period"], maintain_order=True)
        .agg(pl.col("start").min().alias("period_start"), pl.col("end").max().alias("period_end"),
             pl.col("rec").last().alias("reason"))
    )

    # --- which children the data holds ---------------------------------------------------------------------
    child = ep["child"]
    active_ref = (ep["referral_date"] <= end_day) & (ep["closure"] >= start_day)
    keep = np.zeros(len(pop), dtype=bool)
    keep[child[active_ref]] = True
    if periods.height:
        ci = periods["ci"].to_numpy()
        pstart, pend = periods["period_start"].to_numpy(), periods["period_end"].to_numpy()
        keep[ci[(pstart <= end_day) & (pend >= start_day)]] = True
        age_exit = (pend - pop.dob[ci]) / 365.25
        leaver = (age_exit >= 16) & ~np.isin(periods["reason"].to_numpy(), list(NOT_CARE_LEAVER)) & \
            (pend <= end_day) & (add_years(pop.dob[ci], 22) > start_day)
        keep[ci[leaver]] = True
    kept = np.nonzero(keep)[0]
    order = rng.permutation(len(kept))
    ids = np.full(len(pop), "", dtype=object)
    # seven-digit identifiers, one-to-one while fewer than 9,000,000 children (7 is coprime with 9,000,000)
    ids[kept] = [f"{1_000_000 + int(k) * 7 % 9_000_000:07d}" for k in order]
    id_of = ids

    data: dict[str, pl.DataFrame] = {}
    e = end_day

    # --- referrals and the CIN census tables ---------------------------------------------------------------
    rows = np.nonzero(keep[child] & (ep["referral_date"] <= e))[0]
    sel = {k: v[rows] for k, v in ep.items()}
    rev = reviews[rows]
    n = len(rows)
    cid = id_of[sel["child"]]
    closure = sel["closure"]
    closed = closure <= e
    conf_ok = sel["has_conf"] & (sel["conf"] <= e) & (sel["conf"] < closure)
    data["referrals"] = _dates(
        pl.DataFrame({
            "child_id": cid.astype(str),
            "referral_id": sel["referral_id"].astype(np.int32),
            "referral_source": sel["source"].astype(str),
            "primary_need": sel["need"].astype(str),
            "reason_for_closure": _str(np.where(closed, sel["closure_reason"], None)),
            "is_no_further_action": sel["outcome"] == NFA,
        }),
        referral_date=sel["referral_date"],
        closure_date=np.where(closed, closure, NO_DATE),
        initial_child_protection_conference_date=np.where(conf_ok, sel["conf"], NO_DATE),
    )

    assessed = (sel["outcome"] != NFA) & (sel["assessment_start"] <= e) & (sel["assessment_start"] <= closure)
    a_end = np.minimum(sel["assessment_end"], closure)
    a_done = a_end <= e
    factors = _factors(rng, params, n, sel["is_uasc_arrival"], sel["age"])
    data["assessments"] = _dates(
        pl.DataFrame({
            "child_id": cid[assessed].astype(str),
            "referral_id": sel["referral_id"][assessed].astype(np.int32),
            "assessment_id": np.ones(int(assessed.sum()), dtype=np.int32),
            "factors": pl.Series([f if d else None for f, d in zip(factors[assessed], a_done[assessed],
                                                                     strict=True)],
                                 dtype=pl.List(pl.String)),
        }),
        start_date=sel["assessment_start"][assessed],
        authorisation_date=np.where(a_done, a_end, NO_DATE)[assessed],
    )

    m = (sel["cin_plan_start"] != NO_DATE) & (sel["cin_plan_start"] <= e)
    data["child_in_need_plans"] = _dates(
        pl.DataFrame({"child_id": cid[m].astype(str), "referral_id": sel["referral_id"][m].astype(np.int32),
                      "plan_id": np.ones(int(m.sum()), dtype=np.int32)}),
        start_date=sel["cin_plan_start"][m],
        end_date=_censor(sel["cin_plan_end"][m], e),
    )

    m = sel["has_s47"] & (sel["s47"] <= e) & (sel["s47"] < closure)
    # no conference planned, or the episode closed before it was held (DfE rule 8868)
    not_needed = ~sel["has_conf"] | ((sel["conf"] >= closure) & (closure <= e))
    data["section47_enquiries"] = _dates(
        pl.DataFrame({"child_id": cid[m].astype(str), "referral_id": sel["referral_id"][m].astype(np.int32),
                      "enquiry_id": np.ones(int(m.sum()), dtype=np.int32),
                      "is_conference_not_required": not_needed[m]}),
        start_date=sel["s47"][m],
        initial_conference_target_date=_censor(np.where(sel["has_conf"], sel["conf_target"], NO_DATE), e)[m],
        initial_conference_date=np.where(conf_ok, sel["conf"], NO_DATE)[m],
    )

    m = sel["has_cpp"] & (sel["conf"] <= e)
    cpp_end = sel["cpp_end"]
    limit = np.minimum(cpp_end, e)
    care_route = sel["care"]
    keep_review = (rev <= limit[:, None]) & ~(care_route[:, None] & (rev >= cpp_end[:, None]))
    plan_rows = np.nonzero(m)[0]
    hit = keep_review[plan_rows]
    long = pl.DataFrame({"row": np.repeat(np.arange(len(plan_rows)), hit.sum(axis=1)),
                         "day": rev[plan_rows][hit]})
    review_lists = (long.group_by("row", maintain_order=True).agg(pl.col("day"))
                    .join(pl.DataFrame({"row": np.arange(len(plan_rows))}), on="row", how="right")
                    .sort("row")["day"])
    data["child_protection_plans"] = _dates(
        pl.DataFrame({
            "child_id": cid[m].astype(str), "referral_id": sel["referral_id"][m].astype(np.int32),
            "plan_id": np.ones(int(m.sum()), dtype=np.int32),
            "initial_category_of_abuse": sel["abuse_initial"][m].astype(str),
            "latest_category_of_abuse": sel["abuse_latest"][m].astype(str),
            "number_of_previous_plans": sel["prev_cpp"][m].astype(np.int16),
        }),
        start_date=sel["conf"][m],
        end_date=_censor(cpp_end[m], e),
    ).with_columns(
        review_lists.fill_null([]).list.eval(pl.element().cast(pl.Int32).cast(pl.Date)).alias("review_dates")
    )

    # --- pre-proceedings, family group decision making, family network plans -------------------------------
    v = params.value
    m_plo = sel["has_plo"] & (sel["plo_start"] <= e)
    k = int(m_plo.sum())
    offered = rng.random(k) < float(v("outcomes.family_group_meeting_offered"))
    held = offered & (rng.random(k) < float(v("outcomes.family_group_meeting_held")))
    plo_start, plo_end = sel["plo_start"][m_plo], sel["plo_end"][m_plo]
    offered_day = plo_start - rng.integers(7, 43, k)
    meeting_day = offered_day + rng.integers(7, 29, k)
    to_court = (sel["outcome"][m_plo] == CPP_PROC) | sel["care"][m_plo]
    plo_cid = cid[m_plo].astype(str)
    plo_ref = sel["referral_id"][m_plo].astype(np.int32)
    data["pre_proceedings"] = _dates(
        pl.DataFrame({
            "child_id": plo_cid, "referral_id": plo_ref, "pre_proceedings_id": np.ones(k, dtype=np.int32),
            "is_family_group_meeting_offered": offered, "is_family_group_meeting_facilitated": held,
            "review_meetings_count": ((np.minimum(plo_end, e) - plo_start) // 42).astype(np.int16),
        }),
        start_date=plo_start,
        letter_before_proceedings_date=plo_start,
        initial_meeting_date=_censor(plo_start + rng.integers(7, 22, k), e),
        step_decision_date=_censor(plo_end, e),
        court_application_date=_censor(np.where(to_court, plo_end, NO_DATE), e),
    )
    fnp = held & (sel["outcome"][m_plo] == CPP_PLO) & (rng.random(k) < float(v("outcomes.family_network_plan_share")))
    outcome = np.where(~offered, "none", np.where(~held, "none", np.where(
        fnp, "family_network_plan", np.where(to_court, "pre_proceedings", "support_at_home"))))
    emergency = sel["care"] & (sel["route"] == ROUTES.index("emergency")) & (sel["care_date"] <= e)
    fg = pl.concat([
        _dates(pl.DataFrame({"child_id": plo_cid, "meeting_id": [f"F{r}" for r in plo_ref],
                             "is_emergency_exemption": np.zeros(k, bool),
                             "outcome": outcome.astype(str)}),
               offered_date=np.where(offered, offered_day, NO_DATE),
               meeting_date=_censor(np.where(held, meeting_day, NO_DATE), e)).filter(
            pl.col("offered_date").is_not_null()),
        _dates(pl.DataFrame({"child_id": cid[emergency].astype(str),
                             "meeting_id": [f"F{r}" for r in sel["referral_id"][emergency]],
                             "is_emergency_exemption": np.ones(int(emergency.sum()), bool),
                             "outcome": np.full(int(emergency.sum()), "none")}),
               offered_date=np.full(int(emergency.sum()), NO_DATE),
               meeting_date=np.full(int(emergency.sum()), NO_DATE)),
    ], how="diagonal_relaxed")
    data["family_group_decision_meetings"] = fg.filter(
        pl.col("offered_date").is_null() | (pl.col("offered_date") <= to_date_series("x", [e])[0]))
    funding = v("outcomes.family_network_plan_weekly_gbp")
    fnp_start = meeting_day[fnp] + rng.integers(14, 61, int(fnp.sum()))
    fnp_end = fnp_start + np.maximum(60, rng.lognormal(np.log(365), 0.5, int(fnp.sum()))).astype(np.int64)
    fnp_frame = _dates(
        pl.DataFrame({"child_id": plo_cid[fnp], "plan_id": [f"N{r}" for r in plo_ref[fnp]],
                      "weekly_funding_gbp": np.round(rng.uniform(float(funding["min"]), float(funding["max"]),
                                                                 int(fnp.sum())), 2)}),
        start_date=fnp_start, end_date=_censor(fnp_end, e),
    ).filter(pl.col("start_date") <= to_date_series("x", [e])[0])

    # --- child community safety plans (extra-familial harm, reformed pathway) ------------------------------
    teen = (sel["age"] >= 12) & np.isin(sel["outcome"], [S47_ONLY, ICPC_NO_PLAN]) & (sel["s47"] <= e)
    m = teen & (rng.random(n) < float(v("outcomes.community_safety_plan_share")))
    cs_start = sel["s47"][m] + rng.integers(5, 31, int(m.sum()))
    cs_end = cs_start + np.maximum(60, rng.lognormal(np.log(200), 0.5, int(m.sum()))).astype(np.int64)
    data["child_community_safety_plans"] = _dates(
        pl.DataFrame({"child_id": cid[m].astype(str), "plan_id": [f"S{r}" for r in sel["referral_id"][m]],
                      "harm_type": Mix(v("outcomes.community_safety_harm")).draw(rng, int(m.sum())).astype(str)}),
        start_date=cs_start, end_date=_censor(cs_end, e),
    ).filter(pl.col("start_date") <= to_date_series("x", [e])[0])

    # --- family help episodes (one s17 category: child in need and child protection) -----------------------
    in_need = ~np.isin(sel["outcome"], [NFA, NOT_IN_NEED])
    fh_start = np.where(sel["has_s47"], np.minimum(sel["assessment_end"], sel["s47"]), sel["assessment_end"])
    fh_end = np.where(sel["care"], sel["care_date"], closure)
    m = in_need & (fh_start < fh_end) & (fh_start <= e)
    teams = int(v("outcomes.family_help_team_count"))
    home = pop.home[sel["child"][m]]
    data["family_help_episodes"] = _dates(
        pl.DataFrame({
            "child_id": cid[m].astype(str), "episode_id": [f"H{r}" for r in sel["referral_id"][m]],
            "team": [f"Family Help Team {int(t) % teams + 1}" for t in np.maximum(home, 0)],
            "key_worker_id": [f"KW{int(x):04d}" for x in rng.integers(1, 40 * teams, int(m.sum()))],
            "supervising_social_worker_id": [f"SW{int(x):04d}" for x in rng.integers(1, 12 * teams,
                                                                                      int(m.sum()))],
            "has_expert_child_protection_practitioner": sel["has_s47"][m],
        }),
        start_date=fh_start[m], end_date=_censor(fh_end[m], e),
    )

    # --- proceedings and orders -----------------------------------------------------------------------------
    m = (sel["outcome"] == CPP_PROC) & (sel["plo_end"] <= e)
    final = sel["final"][m]
    order = sel["no_care_order"][m].astype(str)
    final_ok = final <= e
    proc_rows: list[dict[str, Any]] = []
    order_rows: list[dict[str, Any]] = []
    b18_all = pop.b18
    for i, c in enumerate(cid[m]):
        ref = int(sel["referral_id"][m][i])
        proc_rows.append({"child_id": c, "proceedings_id": f"P{ref}", "issue": int(sel["plo_end"][m][i]),
                          "final": int(final[i]) if final_ok[i] else int(NO_DATE),
                          "outcome": order[i] if final_ok[i] else None})
        if final_ok[i] and order[i] in ("supervision_order", "special_guardianship_order",
                                        "child_arrangements_order"):
            order_end = int(final[i]) + 365 if order[i] == "supervision_order" else int(b18_all[sel["child"][m][i]])
            order_rows.append({"child_id": c, "order_id": f"O{ref}", "order_type": order[i],
                               "start": int(final[i]), "end": order_end})
    for k_, (who, issue, fin, outcome_) in enumerate(rec.proceedings):
        if not keep[who] or issue > e:
            continue
        done = fin is not None and fin <= e
        proc_rows.append({"child_id": id_of[who], "proceedings_id": f"C{k_}", "issue": issue,
                          "final": fin if done else int(NO_DATE), "outcome": (outcome_ or None) if done else None})
    for k_, (who, kind, start_, end_) in enumerate(rec.court_orders):
        if not keep[who] or start_ > e:
            continue
        order_rows.append({"child_id": id_of[who], "order_id": f"K{k_}", "order_type": kind, "start": start_,
                           "end": end_ if end_ is not None else int(NO_DATE)})
    pf = pl.DataFrame(proc_rows, schema={"child_id": pl.String, "proceedings_id": pl.String, "issue": pl.Int64,
                                         "final": pl.Int64, "outcome": pl.String})
    data["proceedings"] = _dates(pf.drop("issue", "final"), issue_date=pf["issue"].to_numpy(),
                                 final_hearing_date=_censor(pf["final"].to_numpy(), e))
    of = pl.DataFrame(order_rows, schema={"child_id": pl.String, "order_id": pl.String, "order_type": pl.String,
                                          "start": pl.Int64, "end": pl.Int64})
    data["court_orders"] = _dates(of.drop("start", "end"), start_date=of["start"].to_numpy(),
                                  end_date=_censor(of["end"].to_numpy(), e))

    # --- looked after children ------------------------------------------------------------------------------
    dob_all = pop.dob
    epi = epi.filter(pl.Series(keep[epi["ci"].to_numpy()]) & (pl.col("start") <= e))
    eci = epi["ci"].to_numpy()
    ended = epi["end"].to_numpy() <= e
    data["looked_after_episodes"] = _dates(
        pl.DataFrame({
            "child_id": id_of[eci].astype(str), "reason_new_episode": epi["rne"], "legal_status": epi["ls"],
            "category_of_need": epi["need"], "placement_type": epi["place"],
            "placement_provider": epi["provider"],
            "reason_episode_ceased": _str([r if k else None for r, k in zip(epi["rec"].to_list(), ended, strict=True)]),
            "reason_placement_change": _str([r if k else None
                                             for r, k in zip(epi["rpc"].to_list(), ended, strict=True)]),
            "home_postcode": epi["home_pc"], "placement_postcode": epi["pl_pc"], "urn": epi["urn"],
        }),
        start_date=epi["start"].to_numpy(), end_date=np.where(ended, epi["end"].to_numpy(), NO_DATE),
    )
    data["looked_after_reviews"] = _rows_with_dob(
        [(c, d, code) for c, d, code in rec.reviews if keep[c] and d <= e], ["ci", "review_date", "participation"],
        id_of, dob_all, dates=("review_date",))
    data["missing_episodes"] = _rows_with_dob(
        [(c, t, s, f if f <= e else int(NO_DATE)) for c, t, s, f in rec.missing if keep[c] and s <= e],
        ["ci", "missing_type", "start_date", "end_date"], id_of, dob_all, dates=("start_date", "end_date"))
    data["placed_for_adoption"] = _rows_with_dob(
        [(c, d) for c, d in rec.placed_for_adoption if keep[c] and d <= e], ["ci", "date_placed"], id_of, dob_all,
        dates=("date_placed",))
    adopted_by = {int(c): int(p) for c, p in periods.filter(pl.col("reason").is_in(["E11", "E12"]))
                  .select("ci", "period_end").iter_rows()}
    data["adoptions"] = _rows_with_dob(
        [(c, d, mt, fc, nb, sx, ls_) for c, d, mt, fc, nb, sx, ls_ in rec.adoptions
         if keep[c] and adopted_by.get(c, e + 1) <= e],
        ["ci", "date_decision_to_place", "date_matched", "is_foster_care_adoption", "number_of_adopters",
         "sex_of_adopters", "legal_status_of_adopters"], id_of, dob_all,
        dates=("date_decision_to_place", "date_matched"),
    ).with_columns(pl.col("number_of_adopters").cast(pl.Int16))
    pp = [(c, int(collection_year_of(np.array([s]))[0]), code, la, dp) for c, s, code, la, dp in
          rec.previous_permanence if keep[c] and s <= e]
    data["previous_permanence"] = _rows_with_dob(
        pp, ["ci", "collection_year", "previous_permanence", "la_of_permanence", "date_of_permanence"], id_of,
        dob_all).with_columns(pl.col("collection_year").cast(pl.Int16)).unique(
        ["child_id", "collection_year"], keep="last", maintain_order=True)
    uasc_rows = [(c, d) for c, d in rec.uasc if keep[c]]
    uasc_rows = list(dict.fromkeys(uasc_rows))
    data["uasc"] = _dates(
        pl.DataFrame({"child_id": [id_of[c] for c, _ in uasc_rows],
                      "sex": ["1" if pop.is_male[c] else "2" for c, _ in uasc_rows]}, schema={
            "child_id": pl.String, "sex": pl.String}),
        date_of_birth=np.array([dob_all[c] for c, _ in uasc_rows], dtype=np.int64),
        date_uasc_ceased=np.array([d for _, d in uasc_rows], dtype=np.int64),
    ).unique("child_id", keep="first", maintain_order=True)

    # --- per collection year: outcomes of children looked after 12 months (OC2) and care leavers (OC3) ------
    periods_k = periods.filter(pl.Series(keep[periods["ci"].to_numpy()]))
    data["looked_after_outcomes"] = _oc2(periods_k, params, rng, id_of, dob_all, first_year, end_year)
    data["care_leavers"] = _oc3(periods_k, params, rng, id_of, dob_all, first_year, end_year)

    # --- children and their families -----------------------------------------------------------------------
    data["children"] = _children(kept, pop, id_of, epi, periods_k, rng, params, end_year, e)
    data["family_network_plans"] = fnp_frame
    fm, rel = _family(kept, pop, id_of, rng, params, data, periods_k, e)
    data["family_members"] = fm
    data["relationships"] = rel
    carers = (rel.filter(pl.col("relationship").is_in(["grandparent", "aunt_uncle"]))
              .group_by("child_id").agg(pl.col("person_id").first()))
    data["family_network_plans"] = fnp_frame.join(carers.rename({"person_id": "carer_person_id"}),
                                                  on="child_id", how="left")
    return CareData(data)


def _rows_with_dob(
    rows: list[tuple[Any, ...]], columns: list[str], id_of: npt.NDArray[np.object_], dob: I64,
    dates: tuple[str, ...] = (),
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None) if rows else pl.DataFrame(
        {c: [] for c in columns})
    ci = frame["ci"].to_numpy().astype(np.int64) if frame.height else np.zeros(0, dtype=np.int64)
    out = frame.drop("ci").with_columns(
        pl.Series("child_id", id_of[ci].astype(str) if len(ci) else [], dtype=pl.String),
        to_date_series("date_of_birth", dob[ci]),
    )
    for name in dates:
        out = out.with_columns(to_date_series(name, out[name].cast(pl.Int64).fill_null(int(NO_DATE)).to_numpy()))
    return out


def _factors(rng: np.random.Generator, params: Parameters, n: int, is_uasc: npt.NDArray[np.bool_],
             age: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    shares = params.value("assessment.factors")
    codes = list(shares)
    draws = rng.random((n, len(codes))) < np.array([float(shares[c]) for c in codes])[None, :]
    young = age < 10
    for j, code in enumerate(codes):  # exploitation and gangs are factors for older children
        if code in ("11A", "13A", "24A", "10A", "15A", "14A"):
            draws[young, j] = False
    out = np.empty(n, dtype=object)
    arr = np.array(codes, dtype=object)
    for i in range(n):
        found = arr[draws[i]].tolist()
        out[i] = ["9A"] if is_uasc[i] else (found or ["21"])
    return out


def _year_bounds(year: int) -> tuple[int, int]:
    import datetime as dt

    from careflow.synth._dates import day

    return day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))


def _oc2(periods: pl.DataFrame, params: Parameters, rng: np.random.Generator, id_of: npt.NDArray[np.object_],
         dob_all: I64, first_year: int, end_year: int) -> pl.DataFrame:
    v = params.value
    health = v("outcomes_12_months.health")
    reasons = Mix(v("outcomes_12_months.sdq_missing_reason"))
    frames = []
    ci_all = periods["ci"].to_numpy()
    ps, pe = periods["period_start"].to_numpy(), periods["period_end"].to_numpy()
    for year in range(first_year, end_year + 1):
        cs, ce = _year_bounds(year)
        m = (ps <= cs) & (pe >= ce)
        ci = np.unique(ci_all[m])
        k = len(ci)
        if k == 0:
            continue
        dob = dob_all[ci]
        four, five, ten, seventeen = (add_years(dob, a) for a in (4, 5, 10, 17))
        sdq_due = (four <= ce) & (seventeen >= cs)
        missing_sdq = rng.random(k) < float(v("outcomes_12_months.sdq_missing_share"))
        score = np.clip(np.round(rng.normal(float(v("outcomes_12_months.sdq_mean")),
                                            float(v("outcomes_12_months.sdq_sd")), k)), 0, 40)
        age = (ce - dob) / 365.25
        substance = (age >= 11) & (rng.random(k) < float(health["substance_misuse"]) * 3)
        received = substance & (rng.random(k) < float(health["intervention_received"]))
        offered = np.where(substance & ~received, rng.random(k) < float(health["intervention_offered"]), False)

        def flag(share: float, mask: npt.NDArray[np.bool_] | None = None, k: int = k) -> list[bool | None]:
            vals = rng.random(k) < share
            if mask is None:
                return [bool(x) for x in vals]
            return [bool(x) if mm else None for x, mm in zip(vals, mask, strict=True)]

        frames.append(pl.DataFrame({
            "child_id": id_of[ci].astype(str),
            "sdq_score": pl.Series([int(s) if (d and not mi) else None for s, d, mi in
                                    zip(score, sdq_due, missing_sdq, strict=True)], dtype=pl.Int16),
            "sdq_reason": [reasons.pick(float(u)) if (d and mi) else None
                           for u, d, mi in zip(rng.random(k), sdq_due, missing_sdq, strict=True)],
            "is_convicted": flag(float(health["convicted"]) * 2, ten < ce),
            "has_health_check": flag(float(health["health_check"]), five > ce),
            "has_immunisations": flag(float(health["immunisations"])),
            "has_teeth_check": flag(float(health["teeth_check"])),
            "has_health_assessment": flag(float(health["health_assessment"])),
            "has_substance_misuse": [bool(x) for x in substance],
            "is_intervention_received": [bool(r) if s else None for r, s in zip(received, substance, strict=True)],
            "is_intervention_offered": [bool(o) if (s and not r) else None
                                        for o, s, r in zip(offered, substance, received, strict=True)],
            "collection_year": np.full(k, year, dtype=np.int16),
        }).with_columns(to_date_series("date_of_birth", dob)))
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed")


def _oc3(periods: pl.DataFrame, params: Parameters, rng: np.random.Generator, id_of: npt.NDArray[np.object_],
         dob_all: I64, first_year: int, end_year: int) -> pl.DataFrame:
    """Care leavers whose 17th to 21st birthday falls in each year and who left care (at 16 or over, after
    13 weeks looked after since 14) before that birthday; not for those who died, moved to another LA,
    were adopted, left under an order or went home (DfE OC3 cohort)."""
    from careflow.synth._dates import age_years

    v = params.value
    in_touch = Mix(v("care_leavers.in_touch"))
    activity = Mix(v("care_leavers.activity"))
    accommodation = Mix(v("care_leavers.accommodation"))
    young_accommodation = Mix({k: w for k, w in v("care_leavers.accommodation").items()
                               if k not in ("Z1", "Z2", "T1", "T2")})
    last = periods.sort(["ci", "period_start"]).group_by("ci", maintain_order=True).agg(
        pl.col("period_start").last(), pl.col("period_end").last(), pl.col("reason").last())
    ci = last["ci"].to_numpy()
    dob = dob_all[ci]
    exit_ = last["period_end"].to_numpy()
    start = last["period_start"].to_numpy()
    weeks13 = (exit_ - np.maximum(start, add_years(dob, 14))) >= 91
    eligible = (exit_ >= add_years(dob, 16)) & weeks13 & ~np.isin(last["reason"].to_numpy(), list(NOT_CARE_LEAVER))
    ci, dob, exit_ = ci[eligible], dob[eligible], exit_[eligible]
    frames = []
    for year in range(first_year, end_year + 1):
        cs, ce = _year_bounds(year)
        age = age_years(dob, ce)
        birthday = add_years(dob, age)
        m = (birthday >= cs) & (age >= 17) & (age <= 21) & (exit_ < birthday)
        k = int(m.sum())
        if not k:
            continue
        touch = in_touch.codes_array[in_touch.index(rng.random(k))].astype(str)
        act = activity.codes_array[activity.index(rng.random(k))].astype(str)
        u = rng.random(k)
        acc = np.where(age[m] < 18, young_accommodation.codes_array[young_accommodation.index(u)],
                       accommodation.codes_array[accommodation.index(u)]).astype(str)
        yes = touch == "YES"
        frames.append(pl.DataFrame({
            "child_id": id_of[ci[m]].astype(str), "in_touch": touch,
            "activity": np.where(yes, act, "0"), "accommodation": np.where(yes, acc, "0"),
            "collection_year": np.full(k, year, dtype=np.int16),
        }).with_columns(to_date_series("date_of_birth", dob[m])))
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames)


#: The DfE LA number in the synthetic children's UPNs: Richmond upon Thames, where the synthetic LA's 'inside'
#: postcodes lie (data/postcodes.csv).
UPN_LA = "318"


def _upn(rng: np.random.Generator, la: str, n: int) -> npt.NDArray[np.object_]:
    """Valid-format UPNs: check letter, LA number, two-digit year, serial (DfE UPN guidance)."""
    digits = np.concatenate([np.tile([int(c) for c in la], (n, 1)), rng.integers(0, 10, (n, 9))], axis=1)
    check = (digits * np.arange(2, 14)[None, :]).sum(axis=1) % 23
    letters = np.array(list(_UPN_LETTERS), dtype=object)[check]
    body = ["".join(map(str, row)) for row in digits.tolist()]
    return np.array([a + b for a, b in zip(letters, body, strict=True)], dtype=object)


def _nhs(rng: np.random.Generator, n: int) -> list[str]:
    """NHS numbers that pass the modulus-11 check, in the 999 range reserved for test data."""
    digits = np.concatenate([np.full((n, 3), 9), rng.integers(0, 10, (n, 6))], axis=1)
    check = 11 - (digits * np.arange(10, 1, -1)[None, :]).sum(axis=1) % 11
    check = np.where(check == 11, 0, check)
    bad = check == 10  # no valid check digit: change the last digit until there is one
    while bad.any():
        digits[bad, 8] = (digits[bad, 8] + 1) % 10
        check = 11 - (digits * np.arange(10, 1, -1)[None, :]).sum(axis=1) % 11
        check = np.where(check == 11, 0, check)
        bad = check == 10
    full = np.concatenate([digits, check[:, None]], axis=1)
    return ["".join(map(str, row)) for row in full.tolist()]


def _children(kept: I64, pop: Any, id_of: npt.NDArray[np.object_], epi: pl.DataFrame, periods: pl.DataFrame,
              rng: np.random.Generator, params: Parameters, end_year: int, end_day: int) -> pl.DataFrame:
    import datetime as dt

    from careflow.synth._dates import day

    n = len(kept)
    dob = pop.dob[kept]
    sex = np.where(pop.is_male[kept], "1", "2")
    # UN1 only for children too young for school in every year returned (DfE rule 209)
    too_young = add_years(dob, 4) > day(dt.date(end_year - 2, 8, 31))
    known = rng.random(n) < float(params.value("population.upn_known_share"))
    # UPNs carry the DfE number of the LA that issued them (characters 2-4; DfE rule 1530 checks it is a real LA):
    # the synthetic LA's addresses are in Richmond upon Thames (data/postcodes.csv), DfE LA number 318.
    upns = _upn(rng, UPN_LA, n)
    upn = [None if (y or not k) else str(u) for u, y, k in zip(upns, too_young, known, strict=True)]
    unknown = ["UN1" if y else (None if k else "UN2") for y, k in zip(too_young, known, strict=True)]
    # mothers among girls in care (MOTHER is required for every girl looked after)
    in_care = set(epi["ci"].to_list())
    is_mother: list[bool | None] = []
    mc_dob = np.full(n, NO_DATE, dtype=np.int64)
    share = float(params.value("family.looked_after_mother_share"))
    last_exit = dict(zip(periods["ci"].to_list(), periods["period_end"].to_list(), strict=True))
    first_start: dict[int, int] = {}
    for c, s in zip(periods["ci"].to_list(), periods["period_start"].to_list(), strict=True):
        first_start.setdefault(c, s)
    for i, c in enumerate(kept.tolist()):
        if sex[i] != "2" or c not in in_care:
            is_mother.append(None)
            continue
        lo = max(int(first_start[c]), int(add_years(dob[i], 15)[0]))
        hi = int(last_exit[c]) - 1
        if hi > lo and rng.random() < share * 8:
            birth = lo + int(rng.integers(0, hi - lo))
            is_mother.append(birth <= end_day)  # nothing after the end of the data
            mc_dob[i] = birth if birth <= end_day else NO_DATE
        else:
            is_mother.append(False)
    disability = Mix(params.value("population.disability"))
    dis = disability.draw(rng, n)
    died = {int(c): int(d) for c, d in periods.filter((pl.col("reason") == "E2") & (pl.col("period_end") <= end_day))
            .select("ci", "period_end").iter_rows()}
    return pl.DataFrame({
        "child_id": id_of[kept].astype(str),
        "sex": sex,
        "ethnicity": pop.ethnicity[kept].astype(str),
        "upn": pl.Series(upn, dtype=pl.String),
        "upn_unknown": pl.Series(unknown, dtype=pl.String),
        "nhs_number": _nhs(rng, n),
        "is_mother": pl.Series(is_mother, dtype=pl.Boolean),
        "disabilities": pl.Series([[d] for d in dis], dtype=pl.List(pl.String)),
    }).with_columns(
        to_date_series("date_of_birth", dob),
        to_date_series("mothers_child_date_of_birth", mc_dob),
        to_date_series("date_of_death", np.array([died.get(int(c), NO_DATE) for c in kept], dtype=np.int64)),
    )


def _family(kept: I64, pop: Any, id_of: npt.NDArray[np.object_], rng: np.random.Generator, params: Parameters,
            data: dict[str, pl.DataFrame], periods: pl.DataFrame, end_day: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parents, grandparents, siblings, aunts and uncles of each child (people and names synthetic)."""
    v = params.value
    n = len(kept)
    cids = id_of[kept].astype(str)
    dob = pop.dob[kept]
    mother_age = v("family.mother_age_at_birth")
    age_m = np.clip(rng.normal(float(mother_age["mean"]), float(mother_age["sd"]), n),
                    float(mother_age["min"]), float(mother_age["max"]))
    mother_dob = dob - (age_m * 365.25).astype(np.int64)
    fam = rng.integers(0, len(FAMILY), n)
    has_father = rng.random(n) < float(v("family.father_known_share"))
    n_gp = Mix(v("family.grandparents")).draw(rng, n).astype(int)
    n_sib = Mix(v("family.siblings")).draw(rng, n).astype(int)
    has_aunt = rng.random(n) < float(v("family.aunt_uncle_share"))
    orders = data["court_orders"].filter(pl.col("order_type").is_in(
        ["special_guardianship_order", "child_arrangements_order"]))
    kin_needed = set(data["family_network_plans"]["child_id"].to_list()) | set(orders["child_id"].to_list())
    has_aunt |= np.isin(cids, list(kin_needed)) & (n_gp == 0)

    parts: list[dict[str, Any]] = []

    def add(idx: I64, kind: str, female: npt.NDArray[np.bool_], born: I64, family: npt.NDArray[np.int64],
            pr: npt.NDArray[np.bool_], significant: npt.NDArray[np.bool_], since: I64) -> None:
        parts.append({"child": idx, "kind": np.full(len(idx), kind, dtype=object), "female": female,
                      "born": born, "family": family, "pr": pr, "significant": significant, "since": since})

    all_ = np.arange(n)
    add(all_, "mother", np.ones(n, bool), mother_dob, fam, np.ones(n, bool), np.ones(n, bool), dob)
    f = all_[has_father]
    add(f, "father", np.zeros(len(f), bool), mother_dob[f] - (rng.normal(3, 4, len(f)) * 365.25).astype(np.int64),
        rng.integers(0, len(FAMILY), len(f)),
        rng.random(len(f)) < float(v("family.father_parental_responsibility_share")), rng.random(len(f)) < 0.6,
        dob[f])
    g = np.repeat(all_, n_gp)
    add(g, "grandparent", rng.random(len(g)) < 0.55,
        mother_dob[g] - (rng.normal(27, 5, len(g)) * 365.25).astype(np.int64), fam[g], np.zeros(len(g), bool),
        rng.random(len(g)) < 0.7, dob[g])
    a = all_[has_aunt]
    add(a, "aunt_uncle", rng.random(len(a)) < 0.7, mother_dob[a] + (rng.normal(0, 5, len(a)) * 365.25).astype(
        np.int64), fam[a], np.zeros(len(a), bool), rng.random(len(a)) < 0.5, dob[a])
    sb = np.repeat(all_, n_sib)
    sib_dob = dob[sb] + (rng.normal(0, 4, len(sb)) * 365.25).astype(np.int64)
    born = sib_dob <= end_day  # brothers and sisters born by the end of the data
    sb, sib_dob = sb[born], sib_dob[born]
    add(sb, "sibling", rng.random(len(sb)) < 0.5, sib_dob, fam[sb], np.zeros(len(sb), bool),
        np.ones(len(sb), bool), np.maximum(dob[sb], sib_dob))
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    total = len(cat["child"])
    person_id = np.array([f"P{i + 1:08d}" for i in range(total)], dtype=object)
    female_names = np.array(GIVEN_FEMALE, dtype=object)[rng.integers(0, len(GIVEN_FEMALE), total)]
    male_names = np.array(GIVEN_MALE, dtype=object)[rng.integers(0, len(GIVEN_MALE), total)]
    fm = pl.DataFrame({
        "person_id": person_id.astype(str),
        "given_name": np.where(cat["female"], female_names, male_names).astype(str),
        "family_name": np.array(FAMILY, dtype=object)[cat["family"]].astype(str),
        "sex": np.where(cat["female"], "2", "1"),
    }).with_columns(to_date_series("date_of_birth", cat["born"]))
    rel = pl.DataFrame({
        "child_id": cids[cat["child"]], "person_id": person_id.astype(str),
        "relationship": cat["kind"].astype(str), "has_parental_responsibility": cat["pr"],
        "is_significant": cat["significant"],
    }).with_columns(to_date_series("start_date", cat["since"]))
    # special guardians and child arrangements carers: a grandparent, aunt or uncle, from the order's date
    kin = rel.filter(pl.col("relationship").is_in(["grandparent", "aunt_uncle"])).group_by(
        "child_id", maintain_order=True).agg(pl.col("person_id").first())
    carers = orders.sort("start_date").unique("child_id", keep="first").join(kin, on="child_id").select(
        "child_id", "person_id",
        pl.when(pl.col("order_type") == "special_guardianship_order").then(pl.lit("special_guardian"))
        .otherwise(pl.lit("child_arrangements_carer")).alias("relationship"),
        pl.lit(True).alias("has_parental_responsibility"), pl.lit(True).alias("is_significant"),
        pl.col("start_date"))
    return fm, pl.concat([rel, carers], how="vertical_relaxed")
