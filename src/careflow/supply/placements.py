"""Placement supply: fostering households (in-house and agency), children's homes and supported accommodation.

Three parts, each a function of cited parameters (``careflow/supply/data/parameters``, loaded by
:func:`careflow.params.load_dir`; unit costs from :mod:`careflow.params.costs`):

* **What an area has** (:func:`base_placements`): children at 31 March by placement type, age, distance and
  locality, from the DfE tables careflow ships (``data/placements_by_la.csv``, 2021-2022). A suppressed LA cell
  falls back to the LA's 2021 figure, then to the national share of the LA's total; an LA missing from 2022 uses
  2021. Every fallback is a note; nothing becomes a silent zero. Fostering is split into kinship, in-house and
  agency with national shares (no LA split is published; a note says so).
* **Carers joining and leaving** (:func:`carer_hazards`, :func:`project_carers`): fostering households in two
  age groups (under 60, over 60; a quarter of carers are over 60 and two-thirds over 50, 000_dab62616b6dfd7b9.txt:
  2495), each provider pool joined by approvals from the recruitment funnel (160,635 enquiries, 2,165 approvals:
  1.35%, 001_8bebe4ae25a58006.txt:2387) and left at a hazard derived so that 2020/21's leavers are approvals less
  the published net change (+525 agency, -35 in-house households, 001_8bebe4ae25a58006.txt:2233). Carers over 60
  also retire (an assumption), so the leaving rate rises as carers age.
* **Prices** (:func:`weekly_prices`): by provider type. A place the area has is costed at the unit-cost
  library's figure (residential £4,971 a week, 000_dab62616b6dfd7b9.txt:586 - the authority's unit cost, the one
  flows and reform use); a child the area has no place for is bought at the ADCS spot price (£5,000-£7,000,
  001_8bebe4ae25a58006.txt:2221), or in block at the CMA's average private price (£2,977 in 2016 to £3,830 in 2020,
  rising 3.5% a year in real terms, 001_8bebe4ae25a58006.txt:2214) over the block's occupancy. A margin cap lowers
  private prices within the cited margins (22.6% children's homes, 19.4% agencies, 001_8bebe4ae25a58006.txt:2214-
  2219): price x (1 - margin) / (1 - cap). Prices are in the prices of their source year (no general inflation).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careflow.errors import CareflowError
from careflow.params import ParameterSet, load_dir, weekly_cost
from careflow.supply.areas import DATA_DIR, Footprint

__all__ = [
    "BASE_YEAR",
    "PLACEMENT_TYPES",
    "SUPPRESSED",
    "BasePlacements",
    "CarerHazards",
    "CarerProjection",
    "SupplyDataError",
    "base_placements",
    "carer_hazards",
    "funnel",
    "managed_market_price_fall",
    "parameters",
    "places_per_recruit",
    "private_share",
    "project_carers",
    "read_ofsted_capacity",
    "recruits_in_post",
    "weekly_prices",
]

BASE_YEAR = 2022  # children at 31 March 2022: the latest year in the tables careflow ships
# Placement types careflow plans supply for. 'other' = placed with parents, placed for adoption, residential schools,
# other residential settings and other placements: not capacity this model plans (supply = demand, stated).
PLACEMENT_TYPES = ("kinship_foster", "foster_in_house", "foster_independent", "childrens_home",
                   "supported_accommodation", "other")
PLANNED_TYPES = ("foster_in_house", "foster_independent", "childrens_home", "supported_accommodation")
LABELS = {"kinship_foster": "Kinship foster care", "foster_in_house": "Fostering, in-house",
          "foster_independent": "Fostering, independent agency", "childrens_home": "Children's homes (incl. secure)",
          "supported_accommodation": "Supported accommodation", "other": "Other (with parents, adoption, other)"}
SUPPRESSED = {"c", "k", "x", "z", "u", "", ".", ":"}
_OTHER = ("placed_with_parents", "placed_for_adoption", "other_residential", "residential_schools", "other_placements")
_COUNTS = ("cla", "foster", "childrens_home", "supported_accommodation", *_OTHER, "within_20_miles", "over_20_miles",
           "distance_unknown", "inside_la", "outside_la", "age_under_1", "age_1_to_4", "age_5_to_9", "age_10_to_15",
           "age_16_plus", "three_plus_placements", "stability_base")
AGE_GROUPS = ("age_under_1", "age_1_to_4", "age_5_to_9", "age_10_to_15", "age_16_plus")


class SupplyDataError(CareflowError, ValueError):
    """Supply data that cannot be used (a missing column, a negative count): the message names file, row, field."""


@functools.cache
def parameters() -> ParameterSet:
    """The supply parameters (every one cited, or marked an assumption)."""
    return load_dir(Path(__file__).parent / "data" / "parameters", citation_required=True)


def _p(name: str, when: dt.date = dt.date(2022, 4, 1)) -> Any:
    return parameters().value_at(name, when)


# --------------------------------------------------------------------------------------------- what an area has
@functools.cache
def _rows() -> dict[tuple[str, str, int], dict[str, str]]:
    """(level, name, year) -> measure -> value text."""
    out: dict[tuple[str, str, int], dict[str, str]] = {}
    with (DATA_DIR / "placements_by_la.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault((r["level"], r["la_name"], int(r["year"])), {})[r["measure"]] = r["value"].strip()
    return out


@functools.cache
def _national_provider_split() -> tuple[float, float]:
    """Children in foster care at 31 March 2022 with in-house carers (own LA, other LA, other public) and with
    agencies (private and voluntary), England (DfE national placement-provider table)."""
    in_house = agency = 0.0
    with (DATA_DIR / "national_placements.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["year"] != str(BASE_YEAR) or r["table"] != "provider" or "Foster placements" not in r["group"]:
                continue
            if r["value"].lower() in SUPPRESSED:
                continue
            if r["characteristic"].startswith(("Own provision", "Other LA", "Other public")):
                in_house += float(r["value"])
            elif r["characteristic"].startswith(("Private", "Voluntary")):
                agency += float(r["value"])
    return in_house, agency


def _num(text: str | None) -> float | None:
    if text is None or text.lower() in SUPPRESSED:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


@dataclass
class BasePlacements:
    """An area's children at 31 March of the base year by placement type, age and locality, with the notes of
    every fallback used."""

    footprint: Footprint
    year: int
    by_type: dict[str, float]
    by_age: dict[str, float]
    counts: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def cla(self) -> float:
        return self.counts["cla"]

    def share(self, measure: str, of: str = "cla") -> float:
        den = self.counts.get(of, 0.0)
        return self.counts.get(measure, 0.0) / den if den > 0 else 0.0


def _aggregate(footprint: Footprint, year: int) -> tuple[dict[str, float], list[str]]:
    rows = _rows()
    notes: list[str] = []
    if footprint.level in {"national", "region"} and footprint.name != "London":
        level = "national" if footprint.level == "national" else "region"
        name = "England" if level == "national" else footprint.name
        got = rows.get((level, name, year))
        if got is not None and all(_num(got.get(m)) is not None for m in _COUNTS):
            return {m: float(_num(got[m]) or 0.0) for m in _COUNTS}, notes
    nat = rows[("national", "England", year)]
    total: dict[str, float] = {m: 0.0 for m in _COUNTS}
    for la in footprint.las:
        own = rows.get(("la", la, year))
        prev = rows.get(("la", la, year - 1), {})
        if own is None:
            if not prev:
                raise SupplyDataError(f"{la}: no placement figures for {year} or {year - 1} in "
                                      f"{DATA_DIR / 'placements_by_la.csv'}")
            notes.append(f"{la}: no figures for 31 March {year}; its {year - 1} figures are used")
            own, prev = prev, {}
        la_cla = _num(own.get("cla")) or _num(prev.get("cla"))
        if la_cla is None:
            raise SupplyDataError(f"{la}: the number of children looked after is suppressed in {year} and "
                                  f"{year - 1}; the area cannot be sized")
        for m in _COUNTS:
            v = _num(own.get(m))
            if v is None and _num(prev.get(m)) is not None:
                v = _num(prev.get(m))
                notes.append(f"{la}: {m} suppressed in {year}; its {year - 1} figure ({v:,.0f}) is used")
            if v is None:
                nat_v, nat_cla = _num(nat.get(m)), _num(nat.get("cla"))
                v = (nat_v or 0.0) / (nat_cla or 1.0) * la_cla
                notes.append(f"{la}: {m} suppressed in {year} and {year - 1}; the national share of its "
                             f"{la_cla:,.0f} children is used ({v:,.1f})")
            total[m] += v
    return total, notes


def base_placements(footprint: Footprint, year: int = BASE_YEAR) -> BasePlacements:
    """The area's children at 31 March ``year`` by placement type and age, with every fallback noted."""
    counts, notes = _aggregate(footprint, year)
    kin_share = float(_p("fostering.kinship_share_of_foster", dt.date(year, 3, 31)))
    in_house, agency = _national_provider_split()
    foster = counts["foster"]
    kinship = foster * kin_share
    non_kin_in_house = max(0.0, in_house - kin_share * (in_house + agency))
    agency_share = agency / (agency + non_kin_in_house) if agency + non_kin_in_house > 0 else 0.0
    if footprint.level != "national":
        notes.append(f"{footprint.name}: fostering split with England's shares (kinship {kin_share:.1%} of foster "
                     f"care; agencies {agency_share:.1%} of the rest, DfE 2022): LA splits are not published")
    rest = foster - kinship
    by_type = {
        "kinship_foster": kinship,
        "foster_in_house": rest * (1.0 - agency_share),
        "foster_independent": rest * agency_share,
        "childrens_home": counts["childrens_home"],
        "supported_accommodation": counts["supported_accommodation"],
        "other": sum(counts[m] for m in _OTHER),
    }
    # Rounded and suppressed cells make the parts differ a little from the total: the difference goes to 'other',
    # never below zero, and a large one is a note.
    diff = counts["cla"] - sum(by_type.values())
    by_type["other"] = max(0.0, by_type["other"] + diff)
    if abs(diff) > 0.02 * counts["cla"]:
        notes.append(f"{footprint.name}: placement types add to {counts['cla'] - diff:,.0f}, not the "
                     f"{counts['cla']:,.0f} children looked after (suppressed and rounded cells); "
                     "the difference is put in 'other'")
    ages = {a: counts[a] for a in AGE_GROUPS}
    return BasePlacements(footprint, year, by_type, ages, counts, notes)


# ------------------------------------------------------------------------------------- carers joining and leaving
@dataclass(frozen=True)
class CarerHazards:
    """Fostering households' yearly hazards, derived from the cited figures (see :func:`carer_hazards`)."""

    leaving: float            # every carer, a year
    retirement_over_60: float  # on top, for carers over 60
    turning_60: float         # of carers under 60, a year
    conversion: float         # approvals / enquiries
    national_households: float
    approvals: dict[str, float]  # by provider pool, England, a year (so the 2020/21 net change is reproduced)
    share_over_60: float
    derivation: str


def carer_hazards() -> CarerHazards:
    """The hazards that make England's 2020/21 carers reproduce the published figures.

    National households = children in non-kinship foster care at 31 March 2021 (DfE) / (occupancy x places per
    household); leavers = approvals - net change (2,165 - 490 = 1,675, 001_8bebe4ae25a58006.txt:2233, 2387);
    the leaving hazard of all carers is the leavers' rate less what retirement of the quarter over 60 explains
    (000_dab62616b6dfd7b9.txt:2495). Approvals by pool are each pool's leavers plus its net change.
    """
    when = dt.date(2021, 3, 31)
    foster_2021 = _num(_rows()[("national", "England", 2021)]["foster"]) or 0.0
    non_kin = foster_2021 * (1.0 - float(_p("fostering.kinship_share_of_foster", when)))
    pph = float(_p("fostering.places_per_household"))
    occ = float(_p("fostering.occupancy"))
    households = non_kin / (occ * pph)
    approvals = float(_p("fostering.approvals"))
    enquiries = float(_p("fostering.enquiries"))
    net = _p("fostering.net_change_households")
    leavers = approvals - float(net["independent"]) - float(net["in_house"])
    over_60 = float(_p("fostering.share_over_60", when))
    over_50 = float(_p("fostering.share_over_50", when))
    retire = float(_p("fostering.retirement_hazard_over_60", when))
    # Carers in their fifties turn 60 at a tenth a year; as a hazard on everyone under 60.
    turning = (over_50 - over_60) * float(_p("fostering.turning_60_hazard", when)) / (1.0 - over_60)
    leaving = leavers / households - over_60 * retire
    if leaving < 0:
        raise CareflowError("fostering parameters: retirement of carers over 60 explains more than all leavers "
                            f"({over_60 * retire:.3f} > {leavers / households:.3f} a year); check "
                            "retirement_hazard_over_60 and occupancy")
    # Pools sized by children: England's 2022 split of non-kinship foster care between in-house and agencies.
    in_house, agency = _national_provider_split()
    non_kin_in_house = max(0.0, in_house - (1.0 - non_kin / foster_2021) * (in_house + agency))
    agency_share = agency / (agency + non_kin_in_house)
    total_rate = leavers / households
    by_pool = {"foster_independent": float(net["independent"]) + total_rate * households * agency_share,
               "foster_in_house": float(net["in_house"]) + total_rate * households * (1.0 - agency_share)}
    text = (f"households {households:,.0f} = {non_kin:,.0f} children in non-kinship foster care (31 March 2021) / "
            f"({occ:.2f} occupancy x {pph:.2f} places per household); leavers {leavers:,.0f} = {approvals:,.0f} "
            f"approvals - {approvals - leavers:,.0f} net; leaving hazard {leaving:.3f} + retirement {retire:.3f} "
            f"for the {over_60:.0%} over 60; conversion {approvals / enquiries:.2%} of {enquiries:,.0f} enquiries")
    return CarerHazards(leaving, retire, turning, approvals / enquiries, households, by_pool, over_60, text)


@dataclass
class CarerProjection:
    """Fostering households and usable places by pool and year (years ending 31 March)."""

    years: list[int]
    households: dict[str, list[float]]
    places: dict[str, list[float]]
    leavers: dict[str, list[float]]
    approvals: dict[str, list[float]]
    recruits_in_post: list[float]
    enquiries_needed: list[float]


def project_carers(base_children: dict[str, float], years: list[int], *, area_share: float,
                   extra_recruits: float | list[float] = 0.0, hazards: CarerHazards | None = None
                   ) -> CarerProjection:
    """Households and usable places for each year after the base, per pool (``foster_in_house``,
    ``foster_independent``).

    The base year's usable places are the children in each pool (every child in foster care has a place);
    households = places / (occupancy x places per household), split into under and over 60 by the cited shares.
    Each year: under-60s leave at ``leaving`` and turn 60 at ``turning_60``; over-60s leave at ``leaving`` +
    ``retirement_over_60``; approvals join under 60: England's approvals by pool x ``area_share`` (the area's share
    of England's children in non-kinship foster care: recruitment is assumed proportional to it), plus
    ``extra_recruits`` (a year; in-house, as the Review's programme funds only public and not-for-profit fostering,
    001_8bebe4ae25a58006.txt:2406). ``extra_recruits`` needs ``extra_recruits / conversion`` more enquiries.
    """
    h = hazards or carer_hazards()
    pph = float(_p("fostering.places_per_household"))
    occ = float(_p("fostering.occupancy"))
    extra = list(extra_recruits) if isinstance(extra_recruits, list) else [float(extra_recruits)] * len(years)
    if len(extra) != len(years):
        raise CareflowError(f"extra recruits: {len(extra)} values for {len(years)} years")
    if any(x < 0 for x in extra):
        raise CareflowError(f"extra recruits must be zero or more a year, not {min(extra):g} (a negative number of "
                            "carers cannot be recruited)")
    out = CarerProjection(years, {}, {}, {}, {}, [], [x / h.conversion for x in extra])
    new_under = new_over = 0.0  # the extra recruits still fostering
    for pool in ("foster_in_house", "foster_independent"):
        hh = base_children.get(pool, 0.0) / (occ * pph)
        under, over = hh * (1.0 - h.share_over_60), hh * h.share_over_60
        hs, ps, ls, aps = [], [], [], []
        for j in range(len(years)):
            add = h.approvals[pool] * area_share + (extra[j] if pool == "foster_in_house" else 0.0)
            left = under * h.leaving + over * (h.leaving + h.retirement_over_60)
            moving = under * h.turning_60
            under, over = under - under * h.leaving - moving + add, over - over * (h.leaving + h.retirement_over_60) \
                + moving
            hs.append(under + over)
            ps.append((under + over) * pph * occ)
            ls.append(left)
            aps.append(add)
            if pool == "foster_in_house":
                n_left = new_under * h.leaving
                n_move = new_under * h.turning_60
                new_under, new_over = new_under - n_left - n_move + extra[j], \
                    new_over * (1.0 - h.leaving - h.retirement_over_60) + n_move
                out.recruits_in_post.append(new_under + new_over)
        out.households[pool], out.places[pool], out.leavers[pool], out.approvals[pool] = hs, ps, ls, aps
    return out


def funnel(recruits: float) -> dict[str, float]:
    """Enquiries needed for ``recruits`` approved households at the published conversion, and their cost.

    >>> round(funnel(3000)["enquiries_needed"])
    222585
    """
    h = carer_hazards()
    return {"recruits": recruits, "conversion": h.conversion, "enquiries_needed": recruits / h.conversion,
            "cost_gbp": recruits * float(_p("fostering.cost_per_recruit"))}


# ------------------------------------------------------------------------------------------------------- prices
def weekly_prices(year: int, *, margin_cap: float | None = None, purchasing: str = "spot") -> dict[str, float]:
    """Weekly £ by use in year ``year`` (ending 31 March): a place the area has, by type, and a child the area has
    no place for (``gap_childrens_home``: spot or block), with a margin cap on private prices.

    Raises:
        CareflowError: ``margin_cap`` outside 0-1, or ``purchasing`` not spot or block.
    """
    if purchasing not in {"spot", "block"}:
        raise CareflowError(f"purchasing must be 'spot' or 'block', not {purchasing!r}")
    if margin_cap is not None and not 0.0 <= margin_cap < 1.0:
        raise CareflowError(f"margin cap must be a share from 0 to below 1 (e.g. 0.1 for 10%), not {margin_cap:g}")
    when = dt.date(year - 1, 4, 1)
    res_margin = float(_p("residential.margin"))
    ifa_margin = float(_p("fostering.agency_margin"))

    def capped(price: float, margin: float) -> float:
        # A cap only bites below the cited margin: the price can fall to cost / (1 - cap), never below cost.
        if margin_cap is None or margin_cap >= margin:
            return price
        return price * (1.0 - margin) / (1.0 - margin_cap)

    from careflow.params import unit_cost

    cma = unit_cost("residential_private_price")
    growth = float(_p("residential.real_price_growth"))
    last_day, last_price = cma.values[-1]
    years_on = max(0, when.year - last_day.year)
    average_private = float(last_price) * (1.0 + growth) ** years_on
    spot = float(_p("purchasing.spot_price")) * (1.0 + growth) ** max(0, when.year - 2021)
    block = average_private / float(_p("purchasing.block_occupancy"))
    looked_after = weekly_cost("looked_after", when)
    return {
        "kinship_foster": weekly_cost("foster", when),
        "foster_in_house": weekly_cost("foster", when),
        "foster_independent": capped(weekly_cost("foster_agency", when), ifa_margin),
        "childrens_home": weekly_cost("residential", when),
        "supported_accommodation": weekly_cost("supported_accommodation", when),
        "other": looked_after,
        "private_average_childrens_home": capped(average_private, res_margin),
        "gap_childrens_home": capped(spot if purchasing == "spot" else block, res_margin),
    }


# ------------------------------------------------------------------------------------------ a user's Ofsted file
def read_ofsted_capacity(path: str | Path, las: tuple[str, ...]) -> tuple[dict[str, float], list[str]]:
    """Places by type for the footprint's LAs from a user's Ofsted-style CSV (columns ``la``, ``provision``
    = ``childrens_home`` | ``foster_in_house`` | ``foster_independent`` | ``supported_accommodation``, ``places``).

    A suppressed or empty ``places`` cell is a note and that LA's row is not used (the published-figure fallback
    stands for that type); a negative or non-numeric one is an error naming the row.
    """
    p = Path(path)
    if not p.is_file():
        raise SupplyDataError(f"Ofsted file {p} does not exist")
    with p.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"la", "provision", "places"} - {c.strip().lower() for c in reader.fieldnames or []}
        if missing:
            raise SupplyDataError(f"{p}: missing column(s) {', '.join(sorted(missing))} (expected la, provision, "
                                  "places)")
        rows = [{k.strip().lower(): (v or "").strip() for k, v in r.items() if k} for r in reader]
    wanted = {la.lower() for la in las}
    out: dict[str, float] = {}
    notes: list[str] = []
    for i, r in enumerate(rows, start=2):
        if r["la"].lower() not in wanted:
            continue
        if r["provision"] not in PLANNED_TYPES:
            raise SupplyDataError(f"{p} row {i}, provision: {r['provision']!r} is not one of "
                                  f"{', '.join(PLANNED_TYPES)}")
        if r["places"].lower() in SUPPRESSED:
            notes.append(f"{p} row {i}: {r['la']} {r['provision']} places suppressed ({r['places'] or 'empty'}); "
                         "the published-figure estimate is used for this type")
            out.setdefault(f"_suppressed_{r['provision']}", 0.0)
            continue
        try:
            v = float(r["places"].replace(",", ""))
        except ValueError:
            raise SupplyDataError(f"{p} row {i}, places: {r['places']!r} is not a number") from None
        if v < 0:
            raise SupplyDataError(f"{p} row {i}, places: {v:g} is negative (a number of places is 0 or more)")
        out[r["provision"]] = out.get(r["provision"], 0.0) + v
    return out, notes


# ------------------------------------------------------------------------- what the reform model's levers use
def recruits_in_post(recruits: Any, hazards: CarerHazards | None = None) -> Any:
    """Extra recruits still fostering at each year's end, for recruits (draws x years) joining each year: they join
    under 60 and leave at the carers' hazards (leaving, turning 60, then retiring) of :func:`carer_hazards`."""
    import numpy as np

    h = hazards or carer_hazards()
    arr = np.atleast_2d(np.asarray(recruits, dtype=float))
    under = np.zeros(arr.shape[0])
    over = np.zeros(arr.shape[0])
    out = np.empty_like(arr)
    for j in range(arr.shape[1]):
        moving = under * h.turning_60
        under = under * (1.0 - h.leaving) - moving + arr[:, j]
        over = over * (1.0 - h.leaving - h.retirement_over_60) + moving
        out[:, j] = under + over
    return out


def places_per_recruit() -> float:
    """Children one approved household fosters: places per household x occupancy."""
    return float(_p("fostering.places_per_household")) * float(_p("fostering.occupancy"))


def managed_market_price_fall(placement: str) -> float:
    """The share a price falls when a cooperative brings providers' margins to a managed market's (Scotland's profit
    per child, 28,000 / 44,000 of the three nations' average, 001_8bebe4ae25a58006.txt:2341): the margin cap is
    margin x 0.636 and the price becomes price x (1 - margin) / (1 - cap), within the cited margins
    (22.6% children's homes, 19.4% agencies, 001_8bebe4ae25a58006.txt:2214-2219).

    >>> round(managed_market_price_fall("residential"), 3)
    0.096
    """
    margin = float(_p("residential.margin") if placement == "residential" else _p("fostering.agency_margin"))
    cap = margin * float(_p("purchasing.managed_market_profit_ratio"))
    return 1.0 - (1.0 - margin) / (1.0 - cap)


def private_share(placement: str) -> float:
    """Share of the placement's children with private providers (children's homes 83%, 001_8bebe4ae25a58006.txt:
    2208; agency fostering is private or voluntary by definition)."""
    return float(_p("residential.private_share")) if placement == "residential" else 1.0
