"""The children in need pathway, vectorised over referrals: population, referrals, assessments, s47
enquiries, conferences, child protection plans, pre-proceedings, proceedings, and the hand-over to care.

Referrals come in *generations*: generation 0 holds each child's first referral (drawn for the whole
population at once from an age-specific hazard) and the arrivals of unaccompanied children; generation k+1
holds the re-referrals of children whose generation-k episode closed. Within a generation every stage is a
numpy operation over all episodes; only children entering care go through :class:`~careflow.synth._care.CareModel`
one at a time. A child's history (a previous child protection plan, a previous period of care) moves the
probabilities of the next episode, which gives repeat plans and re-entry to care.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from careflow.synth._care import CareModel
from careflow.synth._common import AGE_BANDS, Mix, age_band_index, collection_year_of
from careflow.synth._dates import (
    NO_DATE,
    add_months,
    add_years,
    next_weekday,
    previous_weekday,
    working_days_after,
)
from careflow.synth._params import Parameters

__all__ = ["OUTCOMES", "Pathway", "Population"]

I64 = npt.NDArray[np.int64]

#: Deepest stage reached by a referral episode (index = code used in the arrays).
OUTCOMES = ("nfa", "not_in_need", "cin", "s47_only", "icpc_no_plan", "cpp", "cpp_plo", "cpp_proceedings",
            "care")
NFA, NOT_IN_NEED, CIN, S47_ONLY, ICPC_NO_PLAN, CPP, CPP_PLO, CPP_PROC, CARE = range(len(OUTCOMES))
STAGES = OUTCOMES[2:8]
HISTORY = ("none", "previous_cpp", "previous_care")
ROUTES = ("s20", "emergency", "proceedings", "remand", "uasc")
PLANS = ("adoption", "sgo", "cao", "home_short", "home_order", "other", "until_18")
BAND_NAMES = [name for _, name in AGE_BANDS]
_HOME_EXITS = {"E4A", "E4B", "E13", "E8"}


@dataclass
class Population:
    """Every child who may be referred: the birth cohorts of the simulated years plus arriving UASC."""

    dob: I64
    is_male: npt.NDArray[np.bool_]
    is_uasc: npt.NDArray[np.bool_]
    ethnicity: npt.NDArray[np.object_]
    home: npt.NDArray[np.int64]  # index into the inside/outside postcode lists (-1: none)
    b18: I64 = field(init=False)

    def __post_init__(self) -> None:
        self.b18 = add_years(self.dob, 18)

    def __len__(self) -> int:
        return len(self.dob)


class Pathway:
    """Runs the generations of referrals and collects their rows."""

    def __init__(
        self,
        params: Parameters,
        rng: np.random.Generator,
        care: CareModel,
        *,
        sim_start: int,
        sim_end: int,
        care_multiplier: Callable[[I64, I64], npt.NDArray[np.float64]],
        plan_multiplier: Callable[[I64], dict[str, npt.NDArray[np.float64]]] | None = None,
        postcodes_inside: list[str],
        postcodes_outside: list[str],
    ) -> None:
        self.p = params
        self.rng = rng
        self.care = care
        self.sim_start = sim_start
        self.sim_end = sim_end
        self.care_multiplier = care_multiplier
        self.plan_multiplier = plan_multiplier or (lambda days: {})
        self.inside = postcodes_inside
        self.outside = postcodes_outside
        v = params.value
        self.nfa = float(v("referrals.no_further_action"))
        self.not_in_need = float(v("referrals.assessed_not_in_need"))
        stage = v("outcomes.stage_mix")
        self.stage_weights = np.array([[self.nfa, self.not_in_need] + [float(stage[h].get(s, 0.0)) for s in STAGES]
                                       for h in HISTORY])
        care_share = v("outcomes.care")
        self.care_table = np.array([[float(care_share[h][b]) for b in BAND_NAMES] for h in HISTORY])
        self.plan_mix = {k: Mix(w) for k, w in v("care.plan").items()}
        self.route_mix = {k: Mix(w) for k, w in v("care.route").items()}
        self.source = Mix(v("referrals.source_mix"))
        self.factors = v("assessment.factors")
        self.abuse = Mix(v("outcomes.category_of_abuse"))
        self.rereferral = v("referrals.rereferral")
        self.end_at_review = [float(x) for x in v("outcomes.cpp_end_at_review")]
        self.no_care_outcome = Mix(v("outcomes.proceedings_no_care_outcome"))
        self.generations: list[dict[str, Any]] = []
        # child-level history, sized when the population is known
        self.n_cpp: I64 = np.zeros(0, dtype=np.int64)
        self.ever_care: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.last_exit: list[tuple[int, str] | None] = []
        self.need_mix = Mix(v("referrals.primary_need"))

    # --- population and first referrals -----------------------------------------------------------------
    def population(self, population: int, first_dob: int, uasc_rate: Callable[[int], float]) -> Population:
        """The birth cohorts from ``first_dob`` to the end, and UASC arriving during the simulation."""
        rng, v = self.rng, self.p.value
        span = self.sim_end - first_dob
        n = int(rng.poisson(population * span / (18 * 365.25)))
        dob = np.sort(rng.integers(first_dob, self.sim_end + 1, size=n)).astype(np.int64)
        is_male = rng.random(n) < float(v("population.male_share"))
        ethnicity = Mix(v("population.ethnicity")).draw(rng, n)
        # unaccompanied children arriving, year by year
        arrivals: list[int] = []
        ages: list[float] = []
        age_mix = Mix(v("care.uasc_age"))
        for year_start in range(self.sim_start, self.sim_end, 365):
            year_end = min(year_start + 365, self.sim_end)
            mean = uasc_rate(year_start) * population / 1e4 * (year_end - year_start) / 365.25
            k = int(rng.poisson(mean))
            arrivals.extend(rng.integers(year_start, year_end, size=k).tolist())
            ages.extend((age_mix.draw(rng, k).astype(float) + rng.random(k) * 0.98).tolist())
        arrive = np.array(arrivals, dtype=np.int64)
        u_dob = arrive - np.round(np.array(ages) * 365.25).astype(np.int64)
        k = len(arrive)
        u_male = rng.random(k) < float(v("care.uasc_male_share"))
        u_eth = Mix(v("population.uasc_ethnicity")).draw(rng, k)
        pop = Population(
            dob=np.concatenate([dob, u_dob]),
            is_male=np.concatenate([is_male, u_male]),
            is_uasc=np.concatenate([np.zeros(n, bool), np.ones(k, bool)]),
            ethnicity=np.concatenate([ethnicity, u_eth]),
            home=np.concatenate([
                np.where(rng.random(n) < float(v("population.home_inside_la_share")),
                         rng.integers(0, len(self.inside), n),
                         len(self.inside) + rng.integers(0, len(self.outside), n)),
                np.full(k, -1),
            ]).astype(np.int64),
        )
        self.pop = pop
        self.uasc_arrival = arrive
        self.n_pool = n
        self.n_cpp = np.zeros(len(pop), dtype=np.int64)
        self.ever_care = np.zeros(len(pop), dtype=bool)
        self.last_exit = [None] * len(pop)
        self.referral_count = np.zeros(len(pop), dtype=np.int64)
        return pop

    def first_referrals(self) -> tuple[I64, I64]:
        """(child, referral day) of each child's first referral within the simulation, and UASC arrivals."""
        rng, v = self.rng, self.p.value
        hazard = v("referrals.first_referral_hazard")
        h = np.array([float(hazard[b]) for b in BAND_NAMES])
        edges = np.array([0.0, 1.0, 5.0, 10.0, 16.0, 18.0])
        cum = np.concatenate([[0.0], np.cumsum(h * np.diff(edges))])
        n = self.n_pool
        e = rng.exponential(1.0, n)
        band = np.clip(np.searchsorted(cum, e, side="right") - 1, 0, len(h) - 1)
        age = edges[band] + (e - cum[band]) / h[band]
        at_birth = (age < 1.0) & (rng.random(n) < float(v("referrals.at_birth_share_of_under_1")))
        age = np.where(at_birth, rng.integers(0, 8, n) / 365.25, age)
        referred = e < cum[-1]
        day_ = self.pop.dob[:n] + np.round(age * 365.25).astype(np.int64)
        keep = referred & (day_ >= self.sim_start) & (day_ <= self.sim_end) & (day_ < self.pop.b18[:n] - 1)
        child = np.nonzero(keep)[0].astype(np.int64)
        days = day_[keep]
        uasc = np.arange(n, len(self.pop), dtype=np.int64)
        return np.concatenate([child, uasc]), np.concatenate([days, self.uasc_arrival])

    # --- generations --------------------------------------------------------------------------------------
    def run(self, progress: Callable[[str, float], None] | None = None) -> None:
        """Simulate every generation of referrals until no child is referred again before the end."""
        child, ref = self.first_referrals()
        gen = 0
        total = max(len(child), 1)
        done = 0
        while len(child):
            episodes = self._generation(child, ref, gen)
            self.generations.append(episodes)
            done += len(child)
            if progress is not None:
                progress(f"referrals: generation {gen + 1}", min(0.95, done / (total * 1.8)))
            child, ref = self._next_referrals(episodes)
            gen += 1

    def _generation(self, child: I64, r: I64, gen: int) -> dict[str, Any]:
        rng = self.rng
        pop = self.pop
        n = len(child)
        dob, b18 = pop.dob[child], pop.b18[child]
        age = (r - dob) / 365.25
        band = age_band_index(age)
        hist = np.where(self.ever_care[child], 2, np.where(self.n_cpp[child] > 0, 1, 0))
        uasc_arrival = pop.is_uasc[child] & (gen == 0)
        self.referral_count[child] += 1
        ref_id = self.referral_count[child].copy()

        # Deepest stage: care, or one of the other outcomes.
        p_care = self.care_table[hist, band] * self.care_multiplier(r, band)
        care = (rng.random(n) < p_care) | uasc_arrival
        weights = self.stage_weights[hist]
        cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        outcome = (rng.random(n)[:, None] > cum).sum(axis=1).astype(np.int64)
        outcome = np.minimum(outcome, CPP_PROC)
        outcome[care] = CARE
        # plan and route of those entering care
        plan = np.full(n, -1, dtype=np.int64)
        route = np.full(n, -1, dtype=np.int64)
        key = np.where(uasc_arrival, -1, band)
        u_plan, u_route = rng.random(n), rng.random(n)
        plan_weight = self.plan_multiplier(r)
        affected = {"adoption": ("adoption",), "home": ("home_short", "home_order")}
        for k in range(-1, len(BAND_NAMES)):
            m = care & (key == k)
            if m.any():
                mix = self.plan_mix["uasc" if k < 0 else BAND_NAMES[k]]
                weights = np.tile(np.array(mix.shares), (int(m.sum()), 1))
                for effect, weight in plan_weight.items():  # plans follow the national series (year effects)
                    cols = [mix.codes.index(p) for p in affected[effect] if p in mix.codes]
                    if not cols:
                        continue
                    # scale the chance of these plans by the ratio, and the other plans to make room
                    before = weights[:, cols].sum(axis=1)
                    after = np.minimum(before * weight[m], 0.95)
                    others = [j for j in range(len(mix.codes)) if j not in cols]
                    weights[:, cols] *= (after / np.maximum(before, 1e-12))[:, None]
                    weights[:, others] *= ((1 - after) / np.maximum(1 - before, 1e-12))[:, None]
                cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
                idx = np.minimum((u_plan[m][:, None] > cum).sum(axis=1), len(mix.codes) - 1)
                codes = np.array([PLANS.index(c) for c in mix.codes])
                plan[m] = codes[idx]
        for j, name in enumerate(PLANS):
            m = care & (plan == j) & ~uasc_arrival
            if m.any():
                mix = self.route_mix[name]
                route[m] = [ROUTES.index(mix.codes[i]) for i in mix.index(u_route[m])]
        route[uasc_arrival] = ROUTES.index("uasc")

        # --- timeline ------------------------------------------------------------------------------------
        a_start = r + rng.geometric(1 / 3.0, n) - 1
        a_start[uasc_arrival] = r[uasc_arrival]
        v = self.p.value
        a_dur = np.clip(rng.lognormal(np.log(float(v("assessment.duration_median"))),
                                      float(v("assessment.duration_sigma")), n), 3,
                        float(v("assessment.duration_max"))).astype(np.int64)
        a_auth = a_start + a_dur
        s47 = a_start + rng.integers(0, 11, n)
        is_emergency = care & (route == ROUTES.index("emergency"))
        s47[is_emergency] = a_start[is_emergency] + rng.integers(0, 3, int(is_emergency.sum()))
        s47 = next_weekday(s47)
        icpc = v("outcomes.icpc_working_days")
        wd = np.clip(np.round(rng.normal(float(icpc["mean"]), 3.5, n)), int(icpc["min"]), int(icpc["max"]))
        conf = working_days_after(s47, wd.astype(np.int64))
        conf_target = working_days_after(s47, int(v("outcomes.icpc_target_working_days")))
        # child protection plan reviews (3 months, then 6-monthly), as a matrix
        n_rev = 12
        reviews = np.empty((n, n_rev), dtype=np.int64)
        # review conferences are held by their deadline, on a weekday
        reviews[:, 0] = previous_weekday(add_months(conf, int(v("outcomes.cpp_first_review")))
                                         - rng.integers(0, 15, n))
        for k in range(1, n_rev):
            reviews[:, k] = previous_weekday(add_months(reviews[:, k - 1], int(v("outcomes.cpp_review_interval")))
                                             - rng.integers(0, 22, n))
        hazard = np.array(self.end_at_review + [self.end_at_review[-1]] * (n_rev - len(self.end_at_review)))
        ends = rng.random((n, n_rev)) < hazard[None, :n_rev]
        ends[:, -1] = True
        k_end = ends.argmax(axis=1)
        cpp_end = reviews[np.arange(n), k_end]
        pre = v("outcomes.pre_proceedings_delay")
        speed = np.where(age < 1, float(v("outcomes.pre_birth_speed_up")), 1.0)
        delay = (rng.integers(int(pre["min"]), int(pre["max"]) + 1, n) * speed).astype(np.int64)
        plo_start = next_weekday(conf + delay)
        dur = v("outcomes.pre_proceedings_duration")
        length = np.maximum(14, rng.integers(int(dur["min"]), int(dur["max"]) + 1, n) * speed).astype(np.int64)
        plo_end = next_weekday(plo_start + length)
        final = plo_end + np.maximum(int(v("proceedings.duration_min")),
                                     rng.lognormal(np.log(float(v("proceedings.duration_median"))),
                                                   float(v("proceedings.duration_sigma")), n)).astype(np.int64)

        # care dates by route
        care_date = np.full(n, NO_DATE, dtype=np.int64)
        for name, days in (
            ("s20", a_start + rng.integers(0, 46, n)),
            ("emergency", s47 + rng.integers(0, 3, n)),
            ("proceedings", plo_end),
            ("remand", r + rng.integers(0, 3, n)),
            ("uasc", r),
        ):
            m = care & (route == ROUTES.index(name))
            care_date[m] = days[m]
        too_late = care & (care_date >= b18 - 7)
        outcome[too_late] = CIN
        care &= ~too_late
        care_date[too_late] = NO_DATE
        route[too_late] = -1
        plan[too_late] = -1

        is_proceedings_care = care & (route == ROUTES.index("proceedings"))
        has_s47 = np.isin(outcome, [S47_ONLY, ICPC_NO_PLAN, CPP, CPP_PLO, CPP_PROC]) | is_emergency | \
            is_proceedings_care
        has_conf = np.isin(outcome, [ICPC_NO_PLAN, CPP, CPP_PLO, CPP_PROC]) | is_proceedings_care
        has_cpp = np.isin(outcome, [CPP, CPP_PLO, CPP_PROC]) | is_proceedings_care
        has_plo = np.isin(outcome, [CPP_PLO, CPP_PROC]) | is_proceedings_care

        # when plans end: at a review; later for pre-proceedings; on entering care
        def first_review_on_or_after(day_: I64) -> I64:
            ok = reviews >= day_[:, None]
            idx = np.where(ok.any(axis=1), ok.argmax(axis=1), n_rev - 1)
            return reviews[np.arange(n), idx]

        cpp_end = np.where(outcome == CPP_PLO, np.maximum(cpp_end, first_review_on_or_after(plo_end)), cpp_end)
        cpp_end = np.where(outcome == CPP_PROC, first_review_on_or_after(plo_end), cpp_end)
        cpp_end = np.where(is_proceedings_care, care_date, cpp_end)

        # --- closure of the episode ----------------------------------------------------------------------
        cin_median = float(v("outcomes.cin_plan_median"))
        cin_sigma = float(v("outcomes.cin_plan_sigma"))
        step_median = float(v("outcomes.step_down_median"))
        plan_len = np.maximum(30, rng.lognormal(np.log(cin_median), cin_sigma, n)).astype(np.int64)
        step_len = np.maximum(20, rng.lognormal(np.log(step_median), 0.6, n)).astype(np.int64)
        cin_plan_start = np.full(n, NO_DATE, dtype=np.int64)
        cin_plan_end = np.full(n, NO_DATE, dtype=np.int64)
        closure = np.full(n, NO_DATE, dtype=np.int64)
        reason = np.full(n, "RC7", dtype=object)
        continues = rng.random(n) < float(v("outcomes.s47_only_continues_share"))

        m = outcome == NFA
        closure[m], reason[m] = r[m], "RC8"
        m = outcome == NOT_IN_NEED
        closure[m], reason[m] = a_auth[m], "RC8"
        referred_on = m & (collection_year_of(a_auth) >= 2024) & (
            rng.random(n) < float(v("referrals.referred_to_early_help_share")))
        reason[referred_on] = "RC9"
        m = (outcome == CIN) | ((outcome == S47_ONLY) & continues)
        cin_plan_start[m] = a_auth[m] + rng.integers(0, 11, int(m.sum()))
        m2 = outcome == ICPC_NO_PLAN
        cin_plan_start[m2] = np.maximum(a_auth[m2], conf[m2]) + rng.integers(0, 8, int(m2.sum()))
        m = m | m2
        cin_plan_end[m] = cin_plan_start[m] + plan_len[m]
        closure[m] = cin_plan_end[m] + rng.integers(0, 15, int(m.sum()))
        m = (outcome == S47_ONLY) & ~continues
        closure[m] = np.maximum(a_auth[m], s47[m] + rng.integers(10, 31, int(m.sum())))
        reason[m] = "RC8"
        m = np.isin(outcome, [CPP, CPP_PLO])
        # a CIN plan starts a day or more after the protection plan ends: csc-validator-be-cin 0.1.13 numbers plans
        # afresh in each episode and its rule 4003 matches reviews to plans by that number, so a CIN plan starting
        # the day a child's second protection plan ended is taken as open during the first plan's review
        cin_plan_start[m] = cpp_end[m] + rng.integers(1, 4, int(m.sum()))
        cin_plan_end[m] = cin_plan_start[m] + step_len[m]
        closure[m] = cin_plan_end[m] + rng.integers(0, 15, int(m.sum()))
        # proceedings without care
        no_care_order = np.full(n, "", dtype=object)
        m = outcome == CPP_PROC
        if m.any():
            no_care_order[m] = self.no_care_outcome.draw(rng, int(m.sum()))
        after = np.where(no_care_order == "supervision_order", rng.integers(90, 366, n),
                         np.where(np.isin(no_care_order, ["no_order", "withdrawn"]), rng.integers(0, 91, n), 0))
        closure[m] = final[m] + after[m]
        reason[m & (no_care_order == "special_guardianship_order")] = "RC4"
        reason[m & (no_care_order == "child_arrangements_order")] = "RC3"

        # --- care ----------------------------------------------------------------------------------------
        care_exit = np.full(n, NO_DATE, dtype=np.int64)
        care_reason = np.full(n, "", dtype=object)
        care_need = np.full(n, "", dtype=object)
        home_pc = pop.home[child]
        for i in np.nonzero(care)[0]:
            ci = int(child[i])
            hp = int(home_pc[i])
            postcode = None if hp < 0 else (self.inside[hp] if hp < len(self.inside)
                                            else self.outside[hp - len(self.inside)])
            period = self.care.journey(
                ci, int(dob[i]), "1" if pop.is_male[ci] else "2", bool(uasc_arrival[i]), int(care_date[i]),
                ROUTES[route[i]], PLANS[plan[i]], postcode, self.last_exit[ci],
            )
            care_exit[i], care_reason[i] = period.exit_date, period.reason
            closure[i], reason[i] = period.exit_date, period.closure_reason
            self.last_exit[ci] = (period.exit_date, period.reason)
            care_need[i] = self.care.records.episodes[-1][4]
        # a child in need plan after going home, for some
        back = care & np.isin(care_reason, list(_HOME_EXITS)) & (
            rng.random(n) < float(v("outcomes.cin_after_return_home_share")))
        cin_plan_start[back] = care_exit[back]
        cin_plan_end[back] = care_exit[back] + step_len[back]
        closure[back] = cin_plan_end[back]
        reason[back] = "RC7"

        # nothing runs past the 18th birthday
        late = closure >= b18
        closure = np.where(late, b18, closure)
        reason[late & ~care] = "RC7"
        cin_plan_end = np.where((cin_plan_end != NO_DATE) & (cin_plan_end > closure), closure, cin_plan_end)
        drop_plan = (cin_plan_start != NO_DATE) & (cin_plan_start >= closure)
        cin_plan_start[drop_plan] = NO_DATE
        cin_plan_end[drop_plan] = NO_DATE
        # RC8 / RC9 say the case closed after assessment: an episode with a section 47 enquiry, a conference or a
        # child in need plan did not, and closes with RC7 (services ceased for any other reason; DfE CIN census
        # rule 2990: no activity on a case closed as no further action)
        acted = has_s47 | has_conf | (cin_plan_start != NO_DATE)
        reason[acted & np.isin(reason, ["RC8", "RC9"])] = "RC7"

        # history for the next generation
        prev_cpp = self.n_cpp[child].copy()
        np.add.at(self.n_cpp, child[has_cpp & (conf < closure)], 1)
        self.ever_care[child[care]] = True

        # --- the rest of the record: sources, needs, factors ---------------------------------------------
        source = self.source.draw(rng, n)
        source[uasc_arrival] = "8"
        source[care & (route == ROUTES.index("remand"))] = "6"
        need = self.need_mix.draw(rng, n)
        need[has_cpp] = "N1"
        need[np.isin(outcome, [NFA, NOT_IN_NEED])] = "N9"
        need[care] = care_need[care]
        abuse_initial = self.abuse.draw(rng, n)
        abuse_latest = np.where(rng.random(n) < float(v("outcomes.category_changes_share")),
                                self.abuse.draw(rng, n), abuse_initial)
        return {
            "child": child, "referral_id": ref_id, "referral_date": r, "outcome": outcome, "history": hist,
            "prev_cpp": prev_cpp, "source": source, "need": need, "age": age,
            "assessment_start": a_start, "assessment_end": a_auth,
            "s47": s47, "has_s47": has_s47, "conf": conf, "conf_target": conf_target, "has_conf": has_conf,
            "cpp_start": conf, "cpp_end": cpp_end, "has_cpp": has_cpp & (conf < closure),
            "reviews": reviews, "abuse_initial": abuse_initial, "abuse_latest": abuse_latest,
            "plo_start": plo_start, "plo_end": plo_end, "has_plo": has_plo & (plo_start < closure),
            "final": final, "no_care_order": no_care_order,
            "cin_plan_start": cin_plan_start, "cin_plan_end": cin_plan_end,
            "care": care, "care_date": care_date, "route": route, "plan": plan,
            "care_exit": care_exit, "care_reason": care_reason,
            "closure": closure, "closure_reason": reason, "is_uasc_arrival": uasc_arrival,
        }

    def _next_referrals(self, ep: dict[str, Any]) -> tuple[I64, I64]:
        rng = self.rng
        rr = self.rereferral
        outcome, care_reason = ep["outcome"], ep["care_reason"]
        n = len(outcome)
        p = np.select(
            [outcome == NFA, outcome == NOT_IN_NEED, np.isin(outcome, [CIN, S47_ONLY, ICPC_NO_PLAN]),
             np.isin(outcome, [CPP, CPP_PLO]), outcome == CPP_PROC],
            [rr["after_nfa"], rr["after_not_in_need"], rr["after_cin"], rr["after_cpp"], rr["after_proceedings"]],
            default=rr["after_care"],
        ).astype(float)
        # adopted children start a new record; children who died, moved abroad or to another LA, or were
        # found to be adults are not referred here again
        p[np.isin(care_reason, ["E11", "E12", "E2", "E3", "E15", "E16"])] = 0.0
        p[np.isin(care_reason, ["E41", "E45", "E46", "E47", "E48"])] = float(rr["after_proceedings"])
        child = ep["child"]
        gap = np.maximum(1, rng.lognormal(np.log(float(self.p.value("referrals.rereferral_gap_median"))),
                                          float(self.p.value("referrals.rereferral_gap_sigma")), n)).astype(np.int64)
        nxt = ep["closure"] + gap
        # after a special guardianship or child arrangements order, not back before the next 1 April: the
        # SSDA903 dates previous permanence before the child's first episode in the return (DfE rule 632)
        order_exit = np.isin(care_reason, ["E41", "E45", "E46", "E47", "E48"])
        if order_exit.any():
            next_april = _next_april(ep["closure"][order_exit])
            nxt[order_exit] = np.maximum(nxt[order_exit], next_april)
        ok = (rng.random(n) < p) & (nxt < self.pop.b18[child] - 1) & (nxt <= self.sim_end)
        return child[ok], nxt[ok]


def _next_april(days: I64) -> I64:
    """1 April after each day (the start of the next collection year)."""
    years = collection_year_of(days)
    out = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) + 90
    # day 90 of a year is 1 April in common years and 31 March in leap years
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    return out + leap.astype(np.int64)
