"""Journeys through care, one child at a time: legal status, placements, reviews, missing, adoption, exits.

Only children who become looked after pass through here (a few hundred a year in a typical local authority),
so the journey is written plainly, one period of care per call, with draws from a :class:`Stream`.

A period of care follows a permanence plan drawn at entry by age band (``care.plan``): in a steady state
the reasons children leave care are the plans they entered with, which is how the plan mix is calibrated
to the national reasons for ceasing. The plan sets the legal route (proceedings, orders) and the terminal
phase (placed for adoption, placed with parents, kinship care before a special guardianship order,
supported accommodation at 16-17); placement moves in between follow age-specific rates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from careflow.synth._common import Mix, Stream, age_band
from careflow.synth._dates import (
    add_months_one,
    add_years_one,
    day,
    from_day,
    previous_weekday_one,
    working_days_after_one,
)
from careflow.synth._params import Parameters

__all__ = ["CareModel", "CareRecords", "Period"]

#: Placement groups whose placements carry an Ofsted URN (XXXXXXX when not known).
URN_GROUPS = {"kinship", "foster", "home", "secure", "adoption", "school"}
SGO_CODES = {"E45", "E46", "E47", "E48"}
CLOSURE_BY_REASON = {"E11": "RC1", "E12": "RC1", "E2": "RC2", "E41": "RC3", "E45": "RC4", "E46": "RC4",
                     "E47": "RC4", "E48": "RC4", "E3": "RC5", "E7": "RC6"}
URN_UNKNOWN = "XXXXXXX"
#: From 28 October 2023 independent living (P2) ended for children and supported accommodation (H5) had to be
#: registered with Ofsted, so carries a URN (DfE validation rules 217t, 230).
SUPPORTED_ACCOMMODATION_REFORM = (dt.date(2023, 10, 28) - dt.date(1970, 1, 1)).days
#: Synthetic URNs of registered supported accommodation (no real provider has these).
SYNTHETIC_SUPPORTED_URNS = tuple(f"SYNSA{k:02d}" for k in range(1, 31))
#: Placement groups whose providers are known by a synthetic URN (one per group and postcode), not XXXXXXX.
PROVIDER_URN_GROUPS = {"home": "SYNCH", "secure": "SYNSC", "school": "SYNRS", "family_centre": "SYNFC"}


def _provider_urn(group: str, postcode: str | None) -> str:
    """The synthetic URN of the ``group`` provider with premises at ``postcode`` (no real provider has these)."""
    digest = int(hashlib.sha256(f"{group}|{postcode}".encode()).hexdigest()[:8], 16) % 100
    return f"{PROVIDER_URN_GROUPS[group]}{digest:02d}"


@dataclass
class Period:
    """How a period of care ended, for the referral episode that led to it."""

    exit_date: int
    reason: str
    closure_reason: str
    plan: str


@dataclass
class CareRecords:
    """Rows collected from every journey, as tuples in the canonical tables' column order."""

    episodes: list[tuple[Any, ...]] = field(default_factory=list)
    reviews: list[tuple[int, int, str]] = field(default_factory=list)
    missing: list[tuple[int, str, int, int]] = field(default_factory=list)
    placed_for_adoption: list[tuple[int, int]] = field(default_factory=list)
    adoptions: list[tuple[Any, ...]] = field(default_factory=list)
    previous_permanence: list[tuple[int, int, str, str | None, str | None]] = field(default_factory=list)
    proceedings: list[tuple[int, int, int | None, str]] = field(default_factory=list)
    court_orders: list[tuple[int, str, int, int | None]] = field(default_factory=list)
    uasc: list[tuple[int, int]] = field(default_factory=list)


def _mixes(value: dict[str, Any]) -> dict[str, Mix]:
    return {k: Mix(v) for k, v in value.items()}


class CareModel:
    """Simulates periods of care from prepared parameters; rows go to :attr:`records`."""

    def __init__(
        self,
        params: Parameters,
        stream: Stream,
        *,
        la_code: str,
        postcodes_inside: list[str],
        postcodes_outside: list[str],
        duration_factor: Callable[[int], float] | None = None,
    ) -> None:
        p = params
        self.duration_factor: Callable[[int], float] = duration_factor or (lambda _day: 1.0)
        self.s = stream
        self.la_code = la_code
        self.inside = postcodes_inside
        self.inside_set = frozenset(postcodes_inside)
        self.outside = postcodes_outside
        self.records = CareRecords()
        self.plan = _mixes(p.value("care.plan"))
        self.route = _mixes(p.value("care.route"))
        self.other_reason = Mix(p.value("care.other_reason")["default"])
        self.other_reason_no_custody = Mix({k: v for k, v in p.value("care.other_reason")["default"].items()
                                            if k not in ("E14", "E9")})
        self.other_reason_uasc = Mix(p.value("care.other_reason")["uasc"])
        self.other_median = p.value("care.other_duration_median")
        self.eighteen = _mixes(p.value("care.eighteen_reason"))
        self.e17_first_year = int(p.value("care.e17_first_year"))
        self.police_share = float(p.value("care.emergency_police_share"))
        self.voluntary = p.value("care.s20_until_18_stays_voluntary")
        self.home_short = Mix(p.value("care.home_short_duration"))
        self.home_unplanned = float(p.value("care.home_short_unplanned"))
        self.home_order_median = float(p.value("care.home_order_duration_median"))
        self.sgo_late = float(p.value("care.sgo_late_share"))
        self.late_median = float(p.value("care.late_order_median"))
        self.adoption = p.value("care.adoption")
        self.opposed = float(p.value("care.adoption_opposed_share"))
        self.adopters = Mix(p.value("care.adopters"))
        self.foster_adoption = float(p.value("care.foster_carer_adoption_share"))
        self.prev_perm = Mix(p.value("care.previous_permanence"))
        self.need = _mixes(p.value("care.category_of_need"))
        self.entry = _mixes(p.value("placements.entry"))
        self.remand_entry = Mix(p.value("placements.remand_entry"))
        self.remand_reason = Mix(p.value("care.remand_reason"))
        self.sgo_carer = _mixes(p.value("care.sgo_carer"))
        self.single_adopter = Mix(p.value("care.single_adopter_sex"))
        self.supported_independent = float(p.value("placements.supported_independent_share"))
        self.kinship_sgo = float(p.value("placements.kinship_for_sgo"))
        self.move_rate = p.value("placements.move_rate")
        self.move_to = _mixes(p.value("placements.move_to"))
        self.supported16 = float(p.value("placements.move_to_supported_at_16"))
        self.change_reason = Mix(p.value("placements.placement_change_reason"))
        self.provider = _mixes(p.value("placements.provider"))
        self.inside_share = p.value("placements.inside_la_share")
        self.proc_median = float(p.value("proceedings.duration_median"))
        self.proc_sigma = float(p.value("proceedings.duration_sigma"))
        self.proc_min = int(p.value("proceedings.duration_min"))
        self.s20_issue = float(p.value("proceedings.s20_to_issue_median"))
        self.participation = Mix(p.value("reviews.participation"))
        self.first_review_wd = int(p.value("reviews.first_within"))
        self.missing_prone = p.value("missing.prone_share")
        self.missing_rate = p.value("missing.incidents_per_year")
        self.missing_mean = p.value("missing.duration_mean")

    # --- helpers -----------------------------------------------------------------------------------------
    def _postcode(self, inside: bool) -> str:
        return self.s.choice(self.inside if inside else self.outside)

    def _placement_code(self, group: str, age: float, plan: str, long_term: bool, remand: bool) -> str:
        s = self.s
        if group == "kinship":
            return "U1" if long_term else "U3"
        if group == "foster":
            return "U4" if long_term else "U6"
        if group == "residential":
            if age < 1:
                return "R3"
            if remand and age >= 15:
                return "R5"
            return "R2" if s.u() < 0.5 else "R1"
        return {"home": "K2", "secure": "K1", "school": "S1", "supported": "H5", "independent": "P2",
                "parents": "P1", "adoption": "A6", "other": "Z1"}[group]

    def _fit_group(self, group: str, age: float, plan: str, remand: bool) -> str:
        """Keep placements the rules allow for the child's age and plan."""
        if group in ("supported", "independent") and age < 16:
            return "foster"
        if group == "school" and age < 5:
            return "foster"
        if group == "secure" and age < 10:
            return "foster"
        if group == "residential" and 1 <= age < 10:
            return "foster"
        if group == "other" and age < 10:
            return "foster"
        if plan == "adoption" and group not in ("foster", "kinship", "residential"):
            return "foster"
        return group

    # --- one period of care ------------------------------------------------------------------------------
    def journey(
        self,
        ci: int,
        dob: int,
        sex: str,
        is_uasc: bool,
        start: int,
        route: str,
        plan: str,
        home_postcode: str | None,
        previous: tuple[int, str] | None,
    ) -> Period:
        """Simulate one period of care starting on day ``start``; returns how it ended."""
        s = self.s
        b18 = add_years_one(dob, 18)
        age0 = (start - dob) / 365.25
        f = self.duration_factor(start)
        band = "uasc" if is_uasc else age_band(age0)
        if route == "remand" and age0 < 10:
            route = "s20"
        need = self.need["uasc" if is_uasc else ("remand" if route == "remand" else "default")].pick(s.u())

        # Proceedings: needed for plans that end in an order, and for younger children staying long-term.
        voluntary_until_18 = False
        if plan == "until_18" and not is_uasc and route == "s20":
            key = "under_10" if age0 < 10 else ("10_to_13" if age0 < 14 else "14_plus")
            voluntary_until_18 = s.u() < float(self.voluntary[key])
        needs_order = (not is_uasc) and (
            plan in ("adoption", "sgo", "cao", "home_order")
            or (plan == "until_18" and not voluntary_until_18)
            or (plan == "other" and route == "proceedings")
        )
        police = s.u() < self.police_share
        emergency_days = s.uniform_int(1, 3) if police else s.uniform_int(3, 10)
        issue: int | None = None
        final: int | None = None
        if needs_order:
            if route == "proceedings":
                issue = start
            elif route == "emergency":
                issue = start + emergency_days
            else:
                issue = start + max(7, int(s.lognormal(self.s20_issue * f, 0.6)))
            final = issue + max(self.proc_min, int(s.lognormal(self.proc_median * f, self.proc_sigma)))

        # Exit date and reason by plan.
        reason = ""
        decision = matched = placed = None
        foster_adopt = False
        late = False
        if plan == "adoption":
            assert final is not None
            a = self.adoption
            decision = max(start + 7, final - s.uniform_int(20, 2 * int(a["decision_before_final_days"])))
            matched = final + max(14, int(s.lognormal(float(a["match_median"]) * f, 0.5)))
            placed = matched + s.uniform_int(7, int(a["placed_after_match_max"]))
            exit_date = placed + max(int(a["adopted_after_placed_min"]),
                                     int(s.lognormal(float(a["adopted_after_placed_median"]) * f, 0.35)))
            if from_day(exit_date).timetuple()[1:3] == (3, 31):
                # adopted on 31 March would count as looked after all year (DfE OC2 cohort, rule 187)
                exit_date += 1
            reason = "E12" if s.u() < self.opposed else "E11"
            foster_adopt = s.u() < self.foster_adoption
        elif plan in ("sgo", "cao"):
            assert final is not None
            late = s.u() < self.sgo_late
            exit_date = final + (max(30, int(s.lognormal(self.late_median * f, 0.6))) if late else 0)
            reason = "E41" if plan == "cao" else "SGO"
        elif plan == "home_short":
            bin_ = self.home_short.pick(s.u())
            low, high = {"under_2_weeks": (1, 13), "2_to_8_weeks": (14, 55), "8_weeks_to_6_months": (56, 182),
                         "6_to_12_months": (183, 364)}[bin_]
            exit_date = start + max(1, int(s.uniform_int(low, high) * f))
            reason = "E4B" if s.u() < self.home_unplanned else "E4A"
        elif plan == "home_order":
            assert final is not None
            exit_date = final + max(60, int(s.lognormal(self.home_order_median * f, 0.5)))
            reason = "E4A"
        elif plan == "other":
            if is_uasc:
                reason = self.other_reason_uasc.pick(s.u())
            elif route == "remand":
                reason = self.remand_reason.pick(s.u())
            else:
                reason = self.other_reason_no_custody.pick(s.u())
            exit_date = start + max(2, int(s.lognormal(float(self.other_median[reason]) * f, 0.8)))
            if final is not None and final >= exit_date:
                final = None
        else:  # until_18
            exit_date = b18
        if exit_date >= b18:
            exit_date, plan, final_ok = b18, "until_18", final is not None and final < b18
            if not final_ok:
                final = None
            decision = matched = placed = None
        if plan == "until_18":
            reason = self._eighteen_reason(is_uasc, b18)
        if final is not None and final > exit_date:
            final = None
        if issue is not None and issue >= exit_date:
            issue = final = None

        # Legal status timeline.
        ls: list[tuple[int, str]] = []
        if route == "proceedings":
            ls.append((start, "C1"))
        elif route == "emergency":
            ls.append((start, "L1" if police else "L2"))
            after = start + emergency_days
            if after < exit_date:
                ls.append((after, "C1" if issue is not None else "V2"))
        elif route == "remand":
            ls.append((start, "J1"))
        else:
            ls.append((start, "V2"))
            if issue is not None:
                ls.append((issue, "C1"))
        if final is not None and final < exit_date:
            ls.append((final, "E1" if plan == "adoption" else "C2"))
        ls = _strictly_increasing(ls, exit_date)

        # Placement timeline (groups), then the plan's terminal phase.
        remand = route == "remand"
        g0 = (self.remand_entry if remand else self.entry[band]).pick(s.u())
        if plan in ("sgo", "cao") and s.u() < self.kinship_sgo:
            g0 = "kinship"
        first_ls = ls[0][1]
        if g0 == "parents" and (first_ls != "C1" or plan not in ("home_order", "until_18", "other")):
            g0 = "foster"
        g0 = self._fit_group(g0, age0, plan, remand)
        groups: list[tuple[int, str]] = [(start, g0)]
        t, g = start, g0
        while True:
            rate = float(self.move_rate.get(g, 0.0))
            if rate <= 0:
                break
            t = t + max(7, int(s.exponential(365.25 / rate)))
            if t >= exit_date - 7:
                break
            age_t = (t - dob) / 365.25
            key = "under_10" if age_t < 10 else ("10_to_15" if age_t < 16 else "16_to_17")
            g = self._fit_group(self.move_to[key].pick(s.u()), age_t, plan, remand)
            groups.append((t, g))

        def truncate_at(day_: int) -> None:
            while groups and groups[-1][0] >= day_:
                groups.pop()

        if plan == "adoption" and placed is not None:
            truncate_at(placed)
            if not groups or groups[-1][1] not in ("foster", "kinship"):
                move = max(start, placed - 30)
                truncate_at(move + 1 if move == start else move)
                if not groups:
                    groups.append((start, "foster"))
                elif groups[-1][1] not in ("foster", "kinship"):
                    groups.append((move, "foster"))
            groups.append((placed, "adoption"))
        elif plan == "home_order" and final is not None:
            if groups[0][1] == "parents":
                groups[:] = [(start, "parents")]
            else:
                truncate_at(final)
                groups.append((final, "parents"))
        elif plan in ("sgo", "cao") and late and final is not None and g0 == "kinship":
            truncate_at(final)
            if groups[-1][1] != "kinship":
                groups.append((final, "kinship"))
        elif plan == "until_18" and s.u() < self.supported16:
            t16 = max(start + 30, add_years_one(dob, 16))
            last = b18 - 60
            if t16 < last:
                move = t16 + s.uniform_int(0, last - t16)
                truncate_at(move)
                if groups and groups[-1][1] not in ("supported", "independent"):
                    groups.append((move, "independent" if s.u() < self.supported_independent else "supported"))
        if plan != "home_order":  # placed with parents only under an order, with the plan to go home
            groups[:] = [(d, "foster" if gg == "parents" and _ls_at(ls, d) in ("V2", "L1", "L2", "J1") else gg)
                         for d, gg in groups]
        groups = _dedupe_groups(groups)
        reform = SUPPORTED_ACCOMMODATION_REFORM
        reform_same_carer = False
        if start < reform < exit_date:
            active = max(i for i, (d, _) in enumerate(groups) if d <= reform)
            if groups[active][1] in ("supported", "independent") and groups[active][0] < reform:
                reform_same_carer = groups[active][1] == "supported"
                groups.insert(active + 1, (reform, "supported"))
        groups = [(d, "supported" if gg == "independent" and d >= reform else gg) for d, gg in groups]

        # Placements: codes, providers, postcodes.
        placements: list[tuple[int, str, str, str | None, str | None, str | None, str]] = []
        for i, (d, grp) in enumerate(groups):
            age_d = (d - dob) / 365.25
            long_term = plan == "until_18" and d >= start + 180
            code = self._placement_code(grp, age_d, plan, long_term, remand)
            same_carer = False
            if grp == "adoption" and foster_adopt and i > 0 and groups[i - 1][1] == "foster":
                code, same_carer = "A5", True
            provider: str | None = self.provider[grp].pick(s.u())
            registered = grp == "supported" and d >= reform
            if d == reform and grp == "supported" and reform_same_carer and placements:
                same_carer = True  # the same accommodation, now registered
            inside = True
            if grp == "parents":
                postcode = home_postcode
            elif same_carer and placements and (placements[-1][4] in self.inside_set or not registered):
                postcode = placements[-1][4]
                provider = placements[-1][3]
            else:
                same_carer = same_carer and not registered
                inside = s.u() < float(self.inside_share.get(grp, 0.5))
                if provider == "PR1" and grp not in ("kinship", "foster", "adoption"):
                    inside = True
                if provider == "PR2":
                    inside = False
                if registered:
                    # DfE's validator checks that registered supported accommodation is in an LA where its provider
                    # has premises (rule 241, 2025-26) against the submitting LA, having no Ofsted lookup: the
                    # synthetic LA's providers of it have their premises in the LA.
                    inside = True
                postcode = self._postcode(inside)
                while postcode == home_postcode:  # only placed with parents at home (DfE rule 392d)
                    postcode = self._postcode(inside)
            urn = URN_UNKNOWN if (grp in URN_GROUPS or code == "R3") else None
            if grp in PROVIDER_URN_GROUPS or code == "R3":
                # from 2025-26 XXXXXXX is for foster and adoption placements only (DfE rule 242): a home, secure
                # unit, school or family centre is known by the provider at the placement's postcode
                urn = _provider_urn(grp if code != "R3" else "family_centre", postcode)
            if grp == "supported" and d >= reform:
                urn = s.choice(SYNTHETIC_SUPPORTED_URNS)
                if same_carer and placements[-1][5] is not None:
                    urn = placements[-1][5]
            if code == "Z1":
                provider = None  # DfE rule 178: no provider for other placements
            if placements and not same_carer and grp != "parents":
                # a move changes something the return records (DfE rule 435)
                for _ in range(6):
                    if (code, provider, postcode, urn) != placements[-1][2:6]:
                        break
                    postcode = self._postcode(inside)
                    while postcode == home_postcode:
                        postcode = self._postcode(inside)
            placements.append((d, grp, code, provider, postcode, urn, "T" if same_carer else "P"))

        foster_adopt = foster_adopt and placements[-1][2] == "A5"
        # Exit reason for special guardianship depends on the last carers.
        last_group = placements[-1][1]
        if reason == "SGO":
            reason = self.sgo_carer[last_group if last_group in ("kinship", "foster") else "other"].pick(s.u())
        if reason in ("E45", "E46") and last_group not in ("kinship", "foster"):
            reason = "E47"

        # Episodes: a new one at each change of legal status or placement.
        self._episodes(ci, start, exit_date, reason, ls, placements, need, home_postcode)

        # Reviews, missing, adoption, previous permanence, proceedings and orders, UASC.
        self._reviews(ci, dob, start, exit_date)
        if exit_date - dob > 11 * 365:
            boundaries = sorted({d for d, _ in ls} | {pl[0] for pl in placements} | {exit_date})
            self._missing(ci, dob, start, exit_date, boundaries)
        if plan == "adoption" and decision is not None and matched is not None:
            self.records.placed_for_adoption.append((ci, decision))
            ls_code = self.adopters.pick(s.u())
            number = 1 if ls_code == "L0" else 2
            if ls_code == "L0":
                sex_code = self.single_adopter.pick(s.u())
            elif ls_code in ("L11", "L3"):
                sex_code = "MF"
            else:
                sex_code = "FF" if s.u() < 0.5 else "MM"
            self.records.adoptions.append((ci, decision, matched, foster_adopt, number, sex_code, ls_code))
        self._previous_permanence(ci, dob, start, previous)
        if issue is not None:
            if final is not None:
                outcome = {"adoption": "placement_order", "sgo": "special_guardianship_order",
                           "cao": "child_arrangements_order"}.get(plan, "care_order")
                if plan in ("sgo", "cao") and late:
                    outcome = "care_order"
            else:
                outcome = ""
            self.records.proceedings.append((ci, issue, final, outcome))
            if _ls_at(ls, issue) == "C1":
                self.records.court_orders.append((ci, "interim_care_order", issue, final or exit_date))
            if final is not None:
                if plan == "adoption":
                    self.records.court_orders.append((ci, "placement_order", final, exit_date))
                elif final < exit_date:
                    self.records.court_orders.append((ci, "care_order", final, exit_date))
        if reason in SGO_CODES:
            self.records.court_orders.append((ci, "special_guardianship_order", exit_date, b18))
        elif reason == "E41":
            self.records.court_orders.append((ci, "child_arrangements_order", exit_date, b18))
        if is_uasc:
            self.records.uasc.append((ci, b18))
        return Period(exit_date, reason, CLOSURE_BY_REASON.get(reason, "RC7"), plan)

    def _eighteen_reason(self, is_uasc: bool, b18: int) -> str:
        reason = self.eighteen["uasc" if is_uasc else "default"].pick(self.s.u())
        if reason == "E17":
            when = from_day(b18)
            if when.year + (1 if when.month >= 4 else 0) < self.e17_first_year:
                reason = "E8"
        return reason

    def _episodes(
        self,
        ci: int,
        start: int,
        exit_date: int,
        reason: str,
        ls: list[tuple[int, str]],
        placements: list[tuple[int, str, str, str | None, str | None, str | None, str]],
        need: str,
        home_postcode: str | None,
    ) -> None:
        days = sorted({d for d, _ in ls} | {p[0] for p in placements})
        rows: list[list[Any]] = []
        prev_ls: str | None = None
        prev_pl = -1
        li = pi = 0
        for d in days:
            while li + 1 < len(ls) and ls[li + 1][0] <= d:
                li += 1
            while pi + 1 < len(placements) and placements[pi + 1][0] <= d:
                pi += 1
            status = ls[li][1]
            pl = placements[pi]
            if prev_ls is None:
                rne = "S"
            else:
                ls_changed = status != prev_ls
                pl_changed = pi != prev_pl
                same_carer = pl_changed and pl[6] == "T"
                if ls_changed and pl_changed:
                    rne = "U" if same_carer else "B"
                elif pl_changed:
                    rne = "T" if same_carer else "P"
                else:
                    rne = "L"
            if rows and rne in ("P", "B", "T", "U"):
                rows[-1][9] = self.change_reason.pick(self.s.u())
            rows.append([ci, d, rne, status, need, pl[2], pl[3], None, "X1", None, home_postcode, pl[4], pl[5]])
            prev_ls, prev_pl = status, pi
        for i in range(len(rows) - 1):
            rows[i][7] = rows[i + 1][1]
        rows[-1][7] = exit_date
        rows[-1][8] = reason
        self.records.episodes.extend(tuple(r) for r in rows)

    def _reviews(self, ci: int, dob: int, start: int, exit_date: int) -> None:
        s = self.s
        first = working_days_after_one(start, self.first_review_wd - s.uniform_int(1, 8))
        dates = []
        d = first
        k = 0
        while d < exit_date:
            dates.append(d)
            months = 3 if k == 0 else 6
            d = previous_weekday_one(add_months_one(d, months) - s.uniform_int(1, 21 if k == 0 else 30))
            k += 1
        four = add_years_one(dob, 4)
        for d in dates:
            code = "PN0" if d < four else self.participation.pick(s.u())
            self.records.reviews.append((ci, d, code))

    def _missing(self, ci: int, dob: int, start: int, exit_date: int, boundaries: list[int]) -> None:
        """Missing and away-from-placement incidents; each ends before the episode it began in ends."""
        s = self.s
        begin = max(start, add_years_one(dob, 11))
        end = exit_date - 3
        if end <= begin:
            return
        age_exit = (exit_date - dob) / 365.25
        prone = float(self.missing_prone["14_to_17" if age_exit >= 14 else "11_to_13"])
        if s.u() >= prone:
            return
        years = (end - begin) / 365.25
        events: list[tuple[int, str]] = []
        for kind, code in (("missing", "M"), ("away", "A")):
            n = min(s.poisson(float(self.missing_rate[kind]) * years * (0.5 + s.u())), 80)
            events.extend((begin + int(s.u() * (end - begin)), code) for _ in range(n))
        events.sort()
        last_end = -(10**9)
        for day_, code in events:
            if day_ <= last_end:
                continue
            mean = float(self.missing_mean["missing" if code == "M" else "away"])
            episode_end = boundaries[bisect_right(boundaries, day_)] if day_ < boundaries[-1] else end
            if episode_end - 1 < day_:
                continue
            when = from_day(day_)
            year_end = day(dt.date(when.year + (1 if when.month > 3 else 0), 3, 31))
            # an incident open on 31 March would be open in that year's return; none runs over it here
            finish = min(day_ + int(s.exponential(mean + 1e-9) + 0.5), end, episode_end - 1, year_end)
            self.records.missing.append((ci, code, day_, finish))
            last_end = finish

    def _previous_permanence(self, ci: int, dob: int, start: int, previous: tuple[int, str] | None) -> None:
        s = self.s
        if previous is not None and previous[1] in SGO_CODES | {"E41"}:
            code = "P2" if previous[1] in SGO_CODES else "P3"
            when = from_day(previous[0])
            self.records.previous_permanence.append((ci, start, code, self.la_code, when.strftime("%d/%m/%Y")))
            return
        code = self.prev_perm.pick(s.u())
        if code == "Z1":
            self.records.previous_permanence.append((ci, start, code, None, None))
            return
        # A permanence order before this LA knew the child: another LA, month known, day not.
        earliest = dob + 60
        latest = start - 120
        if latest <= earliest:  # too young for an earlier order
            self.records.previous_permanence.append((ci, start, "Z1", None, None))
            return
        when = from_day(earliest + int(s.u() * (latest - earliest)))
        la = s.choice(("202", "203", "204", "301", "302", "304", "305", "306", "307", "308", "330", "350", "800"))
        self.records.previous_permanence.append((ci, start, code, la, "ZZ/" + when.strftime("%m/%Y")))


def _ls_at(ls: list[tuple[int, str]], day_: int) -> str:
    current = ls[0][1]
    for d, code in ls:
        if d <= day_:
            current = code
    return current


def _strictly_increasing(ls: list[tuple[int, str]], exit_date: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for d, code in ls:
        if d >= exit_date:
            continue
        if out and d <= out[-1][0]:
            out[-1] = (out[-1][0], code) if d == out[-1][0] else out[-1]
            continue
        if out and code == out[-1][1]:
            continue
        out.append((d, code))
    return out


def _dedupe_groups(groups: list[tuple[int, str]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for d, g in sorted(groups, key=lambda x: x[0]):
        if out and d == out[-1][0]:
            out[-1] = (d, g)
        else:
            out.append((d, g))
    return out
