"""Sufficiency: demand for placements by type and age against supply, year by year, with the gap and its cost.

**Demand.** With an LA's SSDA903 returns (``returns=``), the flows model (:class:`careflow.flows.FlowModel`) is
fitted to them and projects children by placement category and age band at each 31 March. Without returns, flows
cannot be fitted from published tables (they hold no episodes), so the published-statistics outlook
(:mod:`careflow.outlook`) gives children looked after at 31 March and the area's own 2022 placement and age mix
splits it (:mod:`careflow.supply.placements`). The result says which was used.

**Supply.** In the base year every child has a place: usable supply of each planned type is the children in it.
Fostering places then follow the carers' stock-flow (approvals from the funnel, leaving and retirement hazards);
children's homes and supported accommodation places follow their (assumed) growth plus any homes a scenario opens;
a user's Ofsted capacity file replaces the base-year places it gives.

**Where children go when there is no place** (the cascade, each step counted): a child who needs an in-house foster
home and has none goes to a spare agency foster place; with none, to a children's home (one third of children in
homes had foster care on their plan, 001_8bebe4ae25a58006.txt:2385). A child who needs a children's home (or is sent
to one) and finds no local place is placed out of area, further away, bought spot (or in block) at the prices of
:func:`careflow.supply.placements.weekly_prices`. Supported accommodation short of places goes out of area too.

**Inspection measures the Review proposes for RCCs** (001_8bebe4ae25a58006.txt:2313, 2722): needs met (the share
not placed in a type other than the one they need), stability (the published share with 3+ placements in the year,
plus every child moved for want of a place as an upper bound) and the share placed within 20 miles and in the home
LA (the published shares, with every child placed out of area for want of a place counted as further away).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from careflow.errors import CareflowError
from careflow.supply.areas import Footprint
from careflow.supply.placements import (
    AGE_GROUPS,
    LABELS,
    PLACEMENT_TYPES,
    BasePlacements,
    CarerHazards,
    base_placements,
    carer_hazards,
    funnel,
    parameters,
    project_carers,
    read_ofsted_capacity,
    weekly_prices,
)

__all__ = ["Scenario", "ScenarioError", "SufficiencyResult", "national_fostering_overflow", "run_sufficiency"]

WEEKS = 52


class ScenarioError(CareflowError, ValueError):
    """A scenario that cannot be run (negative capacity, a cap outside 0-1, an unknown purchasing mode)."""


@dataclass(frozen=True)
class Scenario:
    """What a run changes: carers recruited a year (in-house), children's homes opened, how gap places are bought,
    a cap on providers' margins."""

    recruit_carers: float = 0.0
    open_homes: float = 0.0
    purchasing: str = "spot"
    margin_cap: float | None = None

    def check(self) -> Scenario:
        problems = []
        if self.recruit_carers < 0:
            problems.append(f"recruit carers: {self.recruit_carers:g} is negative (a scenario cannot remove "
                            "capacity by recruiting; give 0 or more households a year)")
        if self.open_homes < 0:
            problems.append(f"open homes: {self.open_homes:g} is negative (a scenario cannot ask for negative "
                            "capacity; give 0 or more homes)")
        if self.purchasing not in {"spot", "block"}:
            problems.append(f"purchasing: {self.purchasing!r} is not 'spot' or 'block'")
        if self.margin_cap is not None and not 0.0 <= self.margin_cap < 1.0:
            problems.append(f"margin cap: {self.margin_cap:g} is not a share from 0 to below 1 (e.g. 0.1 for 10%)")
        if problems:
            raise ScenarioError("scenario: " + "; ".join(problems))
        return self

    @property
    def label(self) -> str:
        parts = []
        if self.recruit_carers:
            parts.append(f"recruit {self.recruit_carers:g} carers a year")
        if self.open_homes:
            parts.append(f"open {self.open_homes:g} homes")
        if self.purchasing != "spot":
            parts.append(f"{self.purchasing} purchasing")
        if self.margin_cap is not None:
            parts.append(f"margins capped at {self.margin_cap:.0%}")
        return ", ".join(parts) or "baseline"


@dataclass
class SufficiencyResult:
    """Every figure of a run: ``rows`` (one per year and placement type), ``measures`` (inspection measures per
    year), ``prices``, ``carers``, ``demand_by_age``, the funnel, notes and where demand came from."""

    area: Footprint
    scenario: Scenario
    years: list[int]
    rows: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    prices: list[dict[str, Any]]
    carers: list[dict[str, Any]]
    demand_by_age: list[dict[str, Any]]
    funnel: dict[str, float]
    demand_source: str
    hazards: str
    notes: list[str] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    capacity: list[dict[str, Any]] = field(default_factory=list)

    def row(self, year: int, placement_type: str) -> dict[str, Any]:
        for r in self.rows:
            if r["year"] == year and r["placement_type"] == placement_type:
                return r
        raise KeyError((year, placement_type))

    def series(self, placement_type: str, column: str) -> list[float]:
        return [float(self.row(y, placement_type)[column]) for y in self.years]

    def to_json(self) -> dict[str, Any]:
        return {"area": self.area.name, "level": self.area.level, "las": list(self.area.las),
                "scenario": asdict(self.scenario) | {"label": self.scenario.label}, "years": self.years,
                "demand_source": self.demand_source, "rows": self.rows, "measures": self.measures,
                "prices": self.prices, "carers": self.carers, "demand_by_age": self.demand_by_age,
                "funnel": self.funnel, "carer_hazards": self.hazards, "notes": self.notes, "capacity": self.capacity,
                "parameters": self.parameters}


# ------------------------------------------------------------------------------------------------------- demand
@dataclass
class Demand:
    years: list[int]  # base year first
    by_type: dict[str, list[float]]
    by_age: dict[str, list[float]]
    source: str
    notes: list[str]


def outlook_demand(base: BasePlacements, n_years: int) -> Demand:
    """Children looked after from the published-statistics outlook, split by the area's own base-year mix."""
    import polars as pl

    from careflow.outlook import run_outlook

    if not 1 <= n_years <= 5:
        raise CareflowError(f"years: the published-statistics outlook forecasts 1 to 5 years, not {n_years} "
                            "(give --returns to forecast further with the flows model)")
    frame = run_outlook(horizon=n_years).frame.filter(pl.col("measure") == "cla_31_march")
    fp = base.footprint
    notes: list[str] = []
    if fp.level == "national":
        sel = frame.filter(pl.col("level") == "national")
        method = sel["method"][0]
    elif fp.level == "region":
        sel = frame.filter((pl.col("level") == "regional") & (pl.col("area_name") == fp.name))
        method = sel["method"][0] if sel.height else ""
    else:
        sel = pl.DataFrame()
        method = ""
    if sel.height == 0:  # an LA or a footprint (or a region the outlook does not hold): sum its LAs
        from careflow.supply.areas import _table

        codes = {name: code for code, name in _table()[1].items()}
        las = frame.filter(pl.col("level") == "local authority")
        missing = [la for la in fp.las if codes.get(la) not in set(las["old_la_code"].to_list())]
        if missing:
            raise CareflowError(f"{fp.name}: the outlook has no forecast for {', '.join(missing)}")
        sel = las.filter(pl.col("old_la_code").is_in([codes[la] for la in fp.las])).group_by("year").agg(
            pl.col("value").sum(), pl.col("method").first())
        method = sel["method"][0]
    by_year = {int(y): float(v) for y, v in zip(sel["year"], sel["value"], strict=True)}
    years = [base.year, *[base.year + k for k in range(1, n_years + 1)]]
    missing_years = [y for y in years[1:] if y not in by_year]
    if missing_years:
        raise CareflowError(f"{fp.name}: the outlook has no forecast for {missing_years} (it starts after the "
                            "latest published year)")
    cla = [base.cla, *[by_year[y] for y in years[1:]]]
    by_type = {t: [c * base.by_type[t] / base.cla for c in cla] for t in PLACEMENT_TYPES}
    ages_total = sum(base.by_age.values()) or 1.0
    by_age = {a: [c * base.by_age[a] / ages_total for c in cla] for a in AGE_GROUPS}
    source = (f"published-statistics outlook (careflow.outlook, method {method}) for children looked after at "
              f"31 March, split by {fp.name}'s own 31 March {base.year} placement and age mix (DfE): the flows model "
              "needs episodes, which published tables do not hold (give --returns DIR to use it)")
    return Demand(years, by_type, by_age, source, notes)


_FLOW_MAP = {"kinship_foster": "kinship_foster", "foster_in_house": "foster_in_house",
             "foster_independent": "foster_independent", "childrens_home": "childrens_home", "secure": "childrens_home",
             "supported_accommodation": "supported_accommodation", "placed_with_parents": "other",
             "placed_for_adoption": "other", "other": "other"}
_FLOW_AGES = {"under_1": "age_under_1", "age_1_to_4": "age_1_to_4", "age_5_to_9": "age_5_to_9",
              "age_10_to_15": "age_10_to_15", "age_16_to_17": "age_16_plus"}


def flows_demand(returns: str | Path, n_years: int) -> tuple[Demand, BasePlacements | None]:
    """Demand from the flows model fitted on an LA's SSDA903 returns: children by placement category and age band
    at each 31 March after the data end (the base year is the stock at the data end)."""
    import polars as pl

    from careflow.flows._cli import load_data
    from careflow.flows.model import FlowModel

    data, _issues, label, data_end = load_data(str(returns))
    model = FlowModel(data_end=data_end).fit(data)
    start: dt.date = model.start_date_
    proj = model.predict(12 * n_years + 12)
    summary = proj.summary
    march = [dt.date(start.year + k + (1 if start.month > 3 else 0), 3, 31) for k in range(n_years + 1)]
    if start in march:
        march = [start, *[d for d in march if d != start]][: n_years + 1]
    stock0 = model.stock_

    def at(breakdown: str, group_map: dict[str, str], when: dt.date, keys: tuple[str, ...]) -> dict[str, float]:
        out = dict.fromkeys(keys, 0.0)
        if when == start:  # the observed stock at the data end
            if breakdown == "category":
                names = [c.name for c in model.states_.categories]  # the stock holds category indices
                for g, n in stock0.group_by("category").len().iter_rows():
                    name = names[int(g)] if isinstance(g, int) else str(g)
                    if name in group_map:
                        out[group_map[name]] += float(n)
            else:
                for months in stock0["age_months"].to_list():
                    band = next(a for limit, a in ((12, "age_under_1"), (60, "age_1_to_4"), (120, "age_5_to_9"),
                                                   (192, "age_10_to_15"), (10**6, "age_16_plus")) if months < limit)
                    out[band] += 1.0
            return out
        rows = summary.filter((pl.col("breakdown") == breakdown) & (pl.col("date") == when))
        for g, m in zip(rows["group"], rows["mean"], strict=True):
            if g in group_map:
                out[group_map[g]] += float(m)
        return out

    years = [d.year for d in march]
    by_type = {t: [] for t in PLACEMENT_TYPES}  # type: dict[str, list[float]]
    by_age = {a: [] for a in AGE_GROUPS}  # type: dict[str, list[float]]
    for d in march:
        for t, v in at("category", _FLOW_MAP, d, PLACEMENT_TYPES).items():
            by_type[t].append(v)
        for a, v in at("age_band", _FLOW_AGES, d, AGE_GROUPS).items():
            by_age[a].append(v)
    source = (f"flows model (careflow.flows.FlowModel, Markov projection) fitted to {label}; children by placement "
              f"category and age band at 31 March from {start}")
    return Demand(years, by_type, by_age, source, []), None


# ------------------------------------------------------------------------------------------------------ the run
def _cascade(demand: dict[str, float], supply: dict[str, float]) -> dict[str, float]:
    """Where children go when there is no place; returns the flows of the cascade."""
    short_in = max(0.0, demand["foster_in_house"] - supply["foster_in_house"])
    spare_in = max(0.0, supply["foster_in_house"] - demand["foster_in_house"])
    short_ifa = max(0.0, demand["foster_independent"] - supply["foster_independent"])
    spare_ifa = max(0.0, supply["foster_independent"] - demand["foster_independent"])
    to_ifa = min(short_in, spare_ifa)
    to_in = min(short_ifa, spare_in)
    foster_overflow = (short_in - to_ifa) + (short_ifa - to_in)  # children who need a family, with none free
    res_demand = demand["childrens_home"] + foster_overflow
    res_out = max(0.0, res_demand - supply["childrens_home"])
    sa_out = max(0.0, demand["supported_accommodation"] - supply["supported_accommodation"])
    return {"in_house_to_agency": to_ifa, "agency_to_in_house": to_in, "foster_to_childrens_home": foster_overflow,
            "childrens_home_out_of_area": res_out, "supported_out_of_area": sa_out,
            "childrens_home_demand": res_demand}


def run_sufficiency(area: Footprint, *, years: int = 5, scenario: Scenario | None = None,
                    returns: str | Path | None = None, ofsted: str | Path | None = None,
                    progress: Callable[[str, float], None] | None = None) -> SufficiencyResult:
    """Demand against supply for ``area`` over ``years`` years after the base year (see the module docstring).

    Raises:
        ScenarioError: the scenario asks for negative capacity or an impossible cap.
        CareflowError: the area, the returns or the Ofsted file cannot be used (the message says why).
    """
    sc = (scenario or Scenario()).check()
    step = progress or (lambda _s, _f: None)
    step("published placements", 0.1)
    notes: list[str] = []
    base = base_placements(area)
    notes += base.notes
    step("demand", 0.3)
    if returns is not None:
        demand, _ = flows_demand(returns, years)
        base_types = {t: demand.by_type[t][0] for t in PLACEMENT_TYPES}
        notes.append("base-year supply is the LA's own children in each placement at the data end (its returns); "
                     "distance, locality and stability shares are the published ones for " + area.name)
    else:
        demand = outlook_demand(base, years)
        base_types = dict(base.by_type)
    notes += demand.notes
    step("supply", 0.6)
    hz: CarerHazards = carer_hazards()
    england = base_placements(Footprint("England", (), "national"))
    nat_non_kin = england.by_type["foster_in_house"] + england.by_type["foster_independent"]
    area_share = (base_types["foster_in_house"] + base_types["foster_independent"]) / nat_non_kin
    fyears = demand.years[1:]
    carers = project_carers(base_types, fyears, area_share=area_share, extra_recruits=sc.recruit_carers, hazards=hz)
    p = parameters()
    places_per_home = float(p.value_at("residential.places", dt.date(2021, 4, 1))) / float(
        p.value_at("residential.homes", dt.date(2021, 4, 1)))
    base_supply = {t: base_types[t] for t in PLACEMENT_TYPES}
    if ofsted is not None:
        given, ofsted_notes = read_ofsted_capacity(ofsted, area.las)
        notes += ofsted_notes
        for t, v in given.items():
            if not t.startswith("_"):
                base_supply[t] = v
                notes.append(f"{t}: base-year places {v:,.0f} from the Ofsted file {ofsted} (replacing the "
                             f"children in it, {base_types[t]:,.0f})")
        for t in ("foster_in_house", "foster_independent"):
            if t in given:
                scale = given[t] / max(1e-9, base_types[t])
                carers.places[t] = [v * scale for v in carers.places[t]]
    res_growth = float(p.value_at("residential.growth", dt.date(2022, 4, 1)))
    sa_growth = float(p.value_at("supported_accommodation.growth", dt.date(2022, 4, 1)))
    rows: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    age_rows: list[dict[str, Any]] = []
    capacity: list[dict[str, Any]] = []
    foster_occupancy = float(p.value_at("fostering.occupancy", dt.date(2022, 4, 1)))
    within = base.share("within_20_miles", "cla") / max(1e-9, 1.0 - base.share("distance_unknown", "cla"))
    in_la = base.share("inside_la", "cla")
    three_plus = base.share("three_plus_placements", "stability_base")
    for j, year in enumerate(demand.years):
        d = {t: demand.by_type[t][j] for t in PLACEMENT_TYPES}
        s = dict(d) if j == 0 else {"kinship_foster": d["kinship_foster"], "other": d["other"]}
        if j == 0:
            s.update({t: base_supply[t] for t in ("foster_in_house", "foster_independent", "childrens_home",
                                                  "supported_accommodation")})
        else:
            s["foster_in_house"] = carers.places["foster_in_house"][j - 1]
            s["foster_independent"] = carers.places["foster_independent"][j - 1]
            s["childrens_home"] = base_supply["childrens_home"] * (1 + res_growth) ** j + sc.open_homes * \
                places_per_home
            s["supported_accommodation"] = base_supply["supported_accommodation"] * (1 + sa_growth) ** j
        c = _cascade(d, s)
        pr = weekly_prices(year, margin_cap=sc.margin_cap, purchasing=sc.purchasing)
        prices.append({"year": year, **{k: round(v, 2) for k, v in pr.items()}})
        placed = {
            "kinship_foster": d["kinship_foster"],
            "foster_in_house": d["foster_in_house"] - max(0.0, d["foster_in_house"] - s["foster_in_house"])
            + c["agency_to_in_house"],
            "foster_independent": d["foster_independent"] - max(0.0, d["foster_independent"]
                                                                - s["foster_independent"]) + c["in_house_to_agency"],
            "childrens_home_local": c["childrens_home_demand"] - c["childrens_home_out_of_area"],
            "supported_accommodation": d["supported_accommodation"],
            "other": d["other"],
        }
        cost = {
            "kinship_foster": placed["kinship_foster"] * pr["kinship_foster"] * WEEKS,
            "foster_in_house": placed["foster_in_house"] * pr["foster_in_house"] * WEEKS,
            "foster_independent": placed["foster_independent"] * pr["foster_independent"] * WEEKS,
            "childrens_home": (placed["childrens_home_local"] * pr["childrens_home"]
                               + c["childrens_home_out_of_area"] * pr["gap_childrens_home"]) * WEEKS,
            "supported_accommodation": placed["supported_accommodation"] * pr["supported_accommodation"] * WEEKS,
            "other": placed["other"] * pr["other"] * WEEKS,
        }
        if sc.open_homes and j > 0:  # homes opened are paid for whether filled or not, at the unit cost
            empty = max(0.0, s["childrens_home"] - c["childrens_home_demand"])
            cost["childrens_home"] += min(empty, sc.open_homes * places_per_home) * pr["childrens_home"] * WEEKS
        for t in PLACEMENT_TYPES:
            dem = c["childrens_home_demand"] if t == "childrens_home" else d[t]
            instead = {"foster_in_house": f"{c['in_house_to_agency']:.1f} to agency fostering",
                       "foster_independent": f"{c['agency_to_in_house']:.1f} to in-house fostering",
                       "childrens_home": f"{c['childrens_home_out_of_area']:.1f} out of area, further away",
                       "supported_accommodation": f"{c['supported_out_of_area']:.1f} out of area"}.get(t, "")
            if t in ("foster_in_house", "foster_independent") and c["foster_to_childrens_home"] > 0:
                instead += f"; {c['foster_to_childrens_home']:.1f} (all fostering) to children's homes"
            rows.append({"area": area.name, "year": year, "placement_type": t, "label": LABELS[t],
                         "demand": round(dem, 2), "supply": round(s[t], 2), "gap": round(dem - s[t], 2),
                         "cost_gbp": round(cost[t], 0),
                         "placed_from_fostering": round(c["foster_to_childrens_home"], 2) if t == "childrens_home"
                         else 0.0,
                         "out_of_area": round(c["childrens_home_out_of_area"] if t == "childrens_home" else
                                              c["supported_out_of_area"] if t == "supported_accommodation" else 0.0, 2),
                         "placed_instead": instead})
        total = sum(d.values())
        displaced = c["foster_to_childrens_home"] + c["childrens_home_out_of_area"] + c["supported_out_of_area"]
        out_area = c["childrens_home_out_of_area"] + c["supported_out_of_area"]
        measures.append({
            "year": year, "children": round(total, 1),
            "needs_met_share": round(1.0 - c["foster_to_childrens_home"] / total, 4) if total else None,
            "within_20_miles_share": round(within * (total - out_area) / total, 4) if total else None,
            "in_home_la_share": round(in_la * (total - out_area) / total, 4) if total else None,
            "three_plus_placements_share_upper": round(min(1.0, three_plus + displaced / total), 4) if total else None,
            "children_without_a_place_of_their_type": round(displaced, 1),
            "foster_to_childrens_home": round(c["foster_to_childrens_home"], 1),
            "childrens_home_out_of_area": round(c["childrens_home_out_of_area"], 1),
            "supported_out_of_area": round(c["supported_out_of_area"], 1),
            "total_cost_gbp": round(sum(cost.values()), 0),
        })
        # Capacity: approved foster places hold usable places at the assumed occupancy; a home's places are all usable.
        for t, filled in (("foster_in_house", placed["foster_in_house"]),
                          ("foster_independent", placed["foster_independent"]),
                          ("childrens_home", placed["childrens_home_local"]),
                          ("supported_accommodation", min(d["supported_accommodation"], s["supported_accommodation"]))):
            places = s[t] / foster_occupancy if t.startswith("foster") else s[t]
            capacity.append({"year": year, "placement_type": t, "places": round(places, 1),
                             "occupied": round(filled, 1), "vacant": round(max(0.0, places - filled), 1),
                             "occupancy": round(filled / places, 4) if places > 0 else None})
        for a in AGE_GROUPS:
            age_rows.append({"year": year, "age_group": a, "demand": round(demand.by_age[a][j], 2)})
    carer_rows = []
    for j, year in enumerate(fyears):
        carer_rows.append({"year": year, **{f"households_{pool}": round(carers.households[pool][j], 1)
                                            for pool in carers.households},
                           **{f"approvals_{pool}": round(carers.approvals[pool][j], 1) for pool in carers.approvals},
                           **{f"leavers_{pool}": round(carers.leavers[pool][j], 1) for pool in carers.leavers},
                           "extra_recruits_in_post": round(carers.recruits_in_post[j], 1),
                           "extra_enquiries_needed": round(carers.enquiries_needed[j], 0)})
    if area.level != "national":
        notes.append(f"{area.name}: carers' approvals are England's x {area_share:.2%} (its share of children in "
                     "non-kinship foster care), an assumption; Ofsted's fostering data by LA would replace it")
    notes.append("children's homes and supported accommodation places are held at the base year (assumptions "
                 "residential.growth and supported_accommodation.growth), plus any homes a scenario opens")
    notes.append("prices are in the prices of their source year (no general inflation); the private children's "
                 "home price rises 3.5% a year in real terms (001_8bebe4ae25a58006.txt:2214)")
    params = [{"name": n, "unit": q.unit, "value": q.value, "reference": q.references,
               "assumption": q.assumption} for n, q in p.items()]
    step("done", 1.0)
    return SufficiencyResult(area, sc, demand.years, rows, measures, prices, carer_rows, age_rows,
                             funnel(sc.recruit_carers), demand.source, hz.derivation, notes, params, capacity)


@functools.cache
def national_fostering_overflow() -> dict[int, float]:
    """England's children who need a foster family and would go to a children's home for want of one (the
    baseline run, years ending 31 March 2023-2027); the reform model's fostering lever reads it."""
    from careflow.supply.areas import resolve_area

    r = run_sufficiency(resolve_area("England"))
    return {m["year"]: float(m["foster_to_childrens_home"]) for m in r.measures}
