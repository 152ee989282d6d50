"""Workforce capacity: children's social workers by role, agency use, turnover and the Expert Practitioners the
reformed child protection pathway needs.

Per local authority (or any footprint of LAs summed) from the DfE "Children's social work workforce" census (30
September) and the children in need census (years ending 31 March), shipped as a compact derived table
(``data/workforce/la_workforce.csv``, made by ``scripts/derive_workforce_tables.py``; see ``SOURCES.md``). The
parameters are dated, cited YAML files under ``data/workforce/parameters/`` read through :mod:`careflow.params`;
the agency premium is the unit cost ``agency_premium`` of the one unit-cost library.

It answers three questions:

* **How many ECPPs does the significant-harm workload need, and is the area short?** The Expert Child Protection
  Practitioner co-works every case of significant harm and chairs child protection conferences
  (001_8bebe4ae25a58006.txt:1393-1405): working days = s47 enquiries x days each + conferences (initial + review)
  x days each + children on a plan x days a year each; FTE needed = days / (working days a year x case-time
  share). Against it: the experienced social workers eligible for the role, and the Early Career Framework
  pipeline that produces Expert Practitioners after five years (001_8bebe4ae25a58006.txt:3307-3321).
* **What does a change in agency share or recording time do to time with families?** Time with families =
  FTE x case-holding share x direct-time share. The Review's +69% (001_8bebe4ae25a58006.txt:3263) is
  (0.75 x 0.50) / (2/3 x 1/3) - 1 from its cited inputs (001_8bebe4ae25a58006.txt:3221). A lower agency share
  at the same budget frees the premium, which buys permanent social workers at the average salary (the premium
  is 53% of it, 001_8bebe4ae25a58006.txt:3341).
* **What does agency use cost?** Agency FTE x the premium (£26,000, 001_8bebe4ae25a58006.txt:3341): the Review's
  15.5% (001_8bebe4ae25a58006.txt:3339) and "over £100 million a year" come out of the published census.

Suppressed or missing cells are never read as zero: an LA's value from its nearest year with data stands in,
and the note says so; an LA with no value in any year is left out of that measure, named in the notes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from careflow.errors import CareflowError
from careflow.params import ParameterSet, load_dir, load_file, suggest, unit_cost
from careflow.supply import areas
from careflow.supply.areas import Footprint, all_las

__all__ = [
    "COUNTS",
    "AgencyCost",
    "EcppNeed",
    "Footprint",
    "TimeWithFamilies",
    "UnknownAreaError",
    "WorkforceError",
    "WorkforcePicture",
    "agency_cost",
    "ecf_pipeline",
    "ecpp_need",
    "load_table",
    "parameter_basis",
    "parameters",
    "resolve_area",
    "review_agency_check",
    "review_time_uplift",
    "time_with_families",
    "what_if",
    "workforce_picture",
    "workload_from_care_data",
]

# Published census counts summed over a footprint (column in the derived table -> label, unit).
COUNTS: dict[str, tuple[str, str]] = {
    "social_worker_fte": ("social workers in post (FTE)", "fte"),
    "case_holders_fte": ("case holders (FTE)", "fte"),
    "starters_fte": ("starters (FTE)", "fte"),
    "leavers_fte": ("leavers (FTE)", "fte"),
    "agency_fte": ("agency workers (FTE)", "fte"),
    "agency_cover_fte": ("agency workers covering vacancies (FTE)", "fte"),
    "vacancy_fte": ("vacancies (FTE)", "fte"),
    "cases": ("cases held", "cases"),
}
CIN_COUNTS: dict[str, tuple[str, str]] = {
    "section_47_enquiries": ("section 47 enquiries started", "enquiries"),
    "initial_conferences": ("initial child protection conferences", "conferences"),
    "child_protection_plans_at_31_march": ("children on a child protection plan at 31 March", "children"),
}
SUPPRESSED = {"c": "suppressed", "x": "not available", "z": "not applicable", "u": "low reliability",
              "low": "below the publication threshold", "k": "fewer than 3"}
SOURCE_WORKFORCE = "DfE Children's social work workforce (census at 30 September), via la_workforce.csv"
SOURCE_CIN = "DfE Characteristics of children in need (tables C4, D5; years ending 31 March), via la_workforce.csv"
ECF_HORIZON = 10  # years of the ECF pipeline shown (2023 ... 2032)


class WorkforceError(CareflowError, ValueError):
    """Bad input to the workforce model: an unknown area, an empty footprint, a scenario out of range."""


class UnknownAreaError(WorkforceError, areas.UnknownAreaError, KeyError):
    """An area or LA name that is not in the published workforce data (the message names the nearest)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


# ---------------------------------------------------------------------------------------------------- the data


def _data_dir() -> Path:
    return Path(str(resources.files("careflow.supply") / "data" / "workforce"))


@dataclass(frozen=True)
class _Row:
    year: int
    level: str
    code: str
    name: str
    la_number: str
    region: str
    cells: Mapping[str, str]


@functools.cache
def load_table(path: Path | None = None) -> tuple[_Row, ...]:
    """The derived table: one row per area and year, cells as published (suppression markers kept)."""
    path = path or _data_dir() / "la_workforce.csv"
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        out = []
        for i, r in enumerate(reader, start=2):
            try:
                year = int(r["year"])
            except (KeyError, ValueError) as exc:
                raise WorkforceError(f"{path.name} row {i}, year: {r.get('year')!r} is not a year") from exc
            cells = {k: (r.get(k) or "").strip() for k in (*COUNTS, *CIN_COUNTS, "caseload_fte")}
            out.append(_Row(year, r["level"], r["code"], r["name"], r["la_number"], r["region"], cells))
    return tuple(out)


@functools.cache
def parameters() -> ParameterSet:
    """The workforce model's parameters (``data/workforce/parameters``), each with its unit and citation."""
    return load_dir(_data_dir() / "parameters", citation_required=True)


def _p(name: str, when: dt.date | None = None) -> float:
    ps = parameters()
    p = ps[name]
    return float(p.value_at(when) if when is not None else p.values[-1][1])


def parameter_basis() -> list[dict[str, Any]]:
    """Every parameter the workforce model uses, its latest value, and whether it is cited, statutory or assumed."""
    rows = []
    premium = unit_cost("agency_premium")
    for name, p in [*parameters().items(), ("unit_costs.agency_premium", premium)]:
        ref = p.references
        basis = ("assumed" if p.assumption or ref.startswith("assumption:") else
                 "statute" if ref.startswith("statute:") else "cited")
        rows.append({"name": name, "value": float(p.values[-1][1]), "unit": p.unit, "basis": basis,
                     "reference": ref})
    rows.append({"name": "review_conferences_per_plan_year", "value": review_conferences_per_plan_year(),
                 "unit": "per_year", "basis": "statute",
                 "reference": "12 / careflow/record/parameters/child_protection/subsequent_review/months.yaml "
                              "(Working Together 2018 ch. 1; 001_8bebe4ae25a58006.txt:4102)"})
    return rows


def review_conferences_per_plan_year(when: dt.date | None = None) -> float:
    """Review conferences a year per child on a plan: 12 / the months between reviews after the first (the first
    comes three months after the initial conference, so a year on a plan holds two either way). From the record's
    statutory timescale (``record/parameters/child_protection/subsequent_review/months.yaml``, Working Together
    2018 ch. 1, 001_8bebe4ae25a58006.txt:4102): one source for the rule."""
    import careflow

    path = Path(careflow.__file__).parent / "record" / "parameters" / "child_protection" / "subsequent_review" / \
        "months.yaml"
    p = load_file(path, name="subsequent_review_months")["subsequent_review_months"]
    return 12.0 / float(p.value_at(when) if when is not None else p.values[-1][1])


def premium_gbp(when: dt.date | None = None) -> float:
    """The agency premium a year (£26,000 in 2022 prices, 001_8bebe4ae25a58006.txt:3341): the unit-cost library's."""
    p = unit_cost("agency_premium")
    return float(p.value_at(when) if when is not None else p.values[-1][1])


# ------------------------------------------------------------------------------------------------- areas
# An area resolves once, in careflow.supply.areas (LA names and DfE numbers, regions, England, footprint files). The
# workforce table knows more: ONS codes, the census's joint rows, LAs since reorganised, and Cumbria, which the
# placement tables lack. They go to careflow.supply.areas as aliases; _la_code maps an LA to the table's code.


@functools.cache
def _workforce_las() -> dict[str, tuple[str, str]]:
    """Every identifier of an LA in the workforce table (its name, ONS code and DfE number), lower case ->
    (the name it resolves to, its code). A name two codes share (Dorset before and after 2019) means the newest;
    the older is called 'Dorset (E10000009)' and is found by its own codes."""
    newest: dict[str, _Row] = {}
    for r in load_table():
        if r.level == "la" and (r.code not in newest or r.year > newest[r.code].year):
            newest[r.code] = r
    code_of_name = {r.name: code for code, r in sorted(newest.items(), key=lambda kv: kv[1].year)}  # newest wins
    out: dict[str, tuple[str, str]] = {}
    for code, r in newest.items():
        label = r.name if code_of_name[r.name] == code else f"{r.name} ({code})"
        for key in (label, code, r.la_number):
            if key:
                out[key.lower()] = (label, code)
    return out


def _la_code(la: str, where: str = "") -> str:
    """The workforce table's code of an LA named as :mod:`careflow.supply.areas` names it, or by ONS code or DfE
    number (e.g. 'Blackpool', 'E06000009' and '890' are all 'E06000009')."""
    hit = _workforce_las().get(" ".join(str(la).split()).lower())
    if hit is None:
        names = sorted({label for label, _ in _workforce_las().values()})
        raise UnknownAreaError(f"{where}local authority {la!r} is not in the published workforce data "
                               f"({len(names)} names).{suggest(str(la), names)}")
    return hit[1]


def _beyond_placement_tables(fp: Footprint) -> tuple[str, ...]:
    """The LAs of a region (or England) with social workers in the latest census that the placement tables lack.

    The placement tables (``data/placements_by_la.csv``) have no Cumbria: the DfE file they come from
    (``combined_cla_31_march_data.csv``, 2021-2022) has no rows for it, so :mod:`careflow.supply.areas` leaves it out
    of the North West and England. The workforce census has it, and the region's published workforce row counts it.
    A joint census row of LAs the tables hold (Kingston upon Thames / Richmond upon Thames) is not added: its LAs
    already draw on it."""
    if fp.level not in {"region", "national"}:
        return ()
    held = set(all_las()) | set(fp.las)
    wanted = {fp.name, "Inner London", "Outer London"} if fp.name == "London" else {fp.name}
    latest = max(r.year for r in load_table())
    return tuple(sorted({
        _workforce_las()[r.code.lower()][0] for r in load_table()
        if r.level == "la" and r.year == latest and r.cells["social_worker_fte"] != ""
        and not all(part in held for part in r.name.split(" / "))
        and (fp.level == "national" or r.region in wanted)}))


def resolve_area(area: str | Path | Footprint | None = None, footprint: Path | None = None) -> Footprint:
    """England (the default), a region ('North West'), a local authority (name, ONS code or DfE number) or a
    footprint file (YAML ``name:`` and ``las:``, CSV or text; see :func:`careflow.supply.areas.resolve_footprint`),
    resolved by :mod:`careflow.supply.areas` with the workforce table's LAs and codes as aliases. A footprint already
    resolved (e.g. by ``careflow sufficiency``) is taken as it is. A region or England also takes the LAs the
    workforce census has and the placement tables lack (Cumbria; :func:`_beyond_placement_tables`).

    Raises:
        UnknownAreaError: the name, or an LA in the file, matches nothing (the message names the nearest).
        WorkforceError: the footprint file is missing, empty or lists an LA twice.
    """
    try:
        if isinstance(area, Footprint):
            fp = area
        elif footprint is not None:
            fp = areas.resolve_footprint(footprint, aliases=_aliases())
        else:
            fp = areas.resolve_area("England" if area is None else area, aliases=_aliases())
    except areas.UnknownAreaError as exc:
        raise UnknownAreaError(str(exc)) from exc
    except CareflowError as exc:
        raise WorkforceError(str(exc)) from exc
    extra = _beyond_placement_tables(fp)
    return replace(fp, las=fp.las + extra) if extra else fp


def _aliases() -> dict[str, str]:
    """The workforce table's identifiers of LAs -> the name each resolves to, for :mod:`careflow.supply.areas`."""
    return {key: label for key, (label, _) in _workforce_las().items()}


# ---------------------------------------------------------------------------------------------- arithmetic


@dataclass(frozen=True)
class TimeWithFamilies:
    """Time with families = FTE x case-holding share x direct-time share (in FTE and working days a year)."""

    fte: float
    case_holding_share: float
    direct_time_share: float
    working_days_per_fte: float

    @property
    def direct_fte(self) -> float:
        return self.fte * self.case_holding_share * self.direct_time_share

    @property
    def days(self) -> float:
        return self.direct_fte * self.working_days_per_fte


def time_with_families(fte: float, case_holding_share: float, direct_time_share: float,
                       working_days_per_fte: float | None = None) -> TimeWithFamilies:
    """Time with families for a workforce. Shares must lie in [0, 1].

    >>> round(time_with_families(100, 0.75, 0.5, 225).direct_fte, 2)
    37.5
    """
    for name, v in (("case_holding_share", case_holding_share), ("direct_time_share", direct_time_share)):
        if not 0.0 <= v <= 1.0 or math.isnan(v):
            raise WorkforceError(f"{name} = {v} is outside 0 to 1")
    if fte < 0:
        raise WorkforceError(f"a workforce of {fte} FTE is negative")
    days = _p("time_with_families.working_days_per_fte_year") if working_days_per_fte is None else working_days_per_fte
    return TimeWithFamilies(fte, case_holding_share, direct_time_share, days)


def review_time_uplift(inputs: Mapping[str, float] | None = None) -> float:
    """The Review's change in total time with families (+0.6875, printed +69%, 001_8bebe4ae25a58006.txt:3263).

    (target case-holding share x target direct-time share) / (current x current) - 1, the four shares from the
    parameter files (001_8bebe4ae25a58006.txt:3221, 3263) unless ``inputs`` overrides them by their short name.
    """
    v = {k: _p(f"time_with_families.{k}") for k in ("current_case_holding_share", "current_direct_time_share",
                                                    "target_case_holding_share", "target_direct_time_share")}
    v.update(inputs or {})
    now = time_with_families(1.0, v["current_case_holding_share"], v["current_direct_time_share"])
    goal = time_with_families(1.0, v["target_case_holding_share"], v["target_direct_time_share"])
    if now.direct_fte == 0:
        raise WorkforceError("no time with families today: the change is undefined")
    return goal.direct_fte / now.direct_fte - 1.0


@dataclass(frozen=True)
class AgencyCost:
    """What agency cover costs over a permanent workforce."""

    agency_fte: float
    social_worker_fte: float
    premium_gbp: float

    @property
    def agency_rate(self) -> float:
        """Agency FTE as a share of all social workers, permanent and agency (DfE's agency worker rate)."""
        total = self.agency_fte + self.social_worker_fte
        return self.agency_fte / total if total else math.nan

    @property
    def cost_gbp(self) -> float:
        return self.agency_fte * self.premium_gbp


def agency_cost(agency_fte: float, social_worker_fte: float, premium: float | None = None) -> AgencyCost:
    """The extra a year of agency over permanent social workers: agency FTE x the premium."""
    if agency_fte < 0 or social_worker_fte < 0:
        raise WorkforceError(f"negative FTE (agency {agency_fte}, in post {social_worker_fte})")
    return AgencyCost(agency_fte, social_worker_fte, premium_gbp() if premium is None else premium)


def review_agency_check(year: int = 2021) -> dict[str, float]:
    """The Review's agency figures from their inputs: England's census of 30 September ``year`` (the DfE 2021
    statistics the Review cites, 001_8bebe4ae25a58006.txt:3339) and the premium (001_8bebe4ae25a58006.txt:3341).

    Returns the agency rate, the agency FTE, the premium, the cost over all agency workers and over those covering
    vacancies, and the salary the premium implies (premium / 53%).
    """
    row = next((r for r in load_table() if r.level == "national" and r.year == year), None)
    if row is None:
        raise WorkforceError(f"no England row for {year} in the workforce table")
    agency = float(row.cells["agency_fte"])
    cover = float(row.cells["agency_cover_fte"])
    inpost = float(row.cells["social_worker_fte"])
    c = agency_cost(agency, inpost)
    return {"year": year, "agency_rate": c.agency_rate, "agency_fte": agency, "agency_cover_fte": cover,
            "premium_gbp": c.premium_gbp, "cost_gbp": c.cost_gbp, "cover_cost_gbp": cover * c.premium_gbp,
            "salary_gbp": c.premium_gbp / _p("agency.premium_share_of_salary")}


# ------------------------------------------------------------------------------------------------- ECPP need


@dataclass(frozen=True)
class EcppNeed:
    """ECPP working days and FTE the significant-harm workload needs, against the experienced pool."""

    section_47_enquiries: float
    initial_conferences: float
    child_protection_plans: float
    days: float
    fte_needed: float
    eligible_fte: float
    source: str

    @property
    def is_short(self) -> bool:
        return self.fte_needed > self.eligible_fte

    @property
    def share_of_eligible(self) -> float:
        if self.fte_needed == 0:
            return 0.0
        return self.fte_needed / self.eligible_fte if self.eligible_fte else math.inf


def ecpp_need(section_47_enquiries: float, initial_conferences: float, child_protection_plans: float,
              social_worker_fte: float, *, source: str = "", overrides: Mapping[str, float] | None = None) -> EcppNeed:
    """ECPP FTE for a year's s47 enquiries, initial conferences and children on a plan.

    The ECPP co-works every case of significant harm and chairs the conferences (001_8bebe4ae25a58006.txt:1395-1405).

    days = s47 x days_per_section_47 + (initial conferences + plans x review conferences a year) x
    days_per_conference + plans x days_per_plan_year; FTE = days / (working days a year x ECPP case-time share).
    Eligible = social workers in post x the share with five or more years' practice. ``overrides`` replaces a
    parameter by its short name (e.g. ``{"days_per_section_47": 2}``).
    """
    for name, v in (("section 47 enquiries", section_47_enquiries), ("initial conferences", initial_conferences),
                    ("child protection plans", child_protection_plans), ("social workers", social_worker_fte)):
        if v < 0 or math.isnan(v):
            raise WorkforceError(f"{name} = {v}: expected a count of 0 or more")
    o = dict(overrides or {})

    def g(name: str, group: str = "expert_practitioners") -> float:
        return float(o[name]) if name in o else _p(f"{group}.{name}")

    reviews = float(o["review_conferences_per_plan_year"]) if "review_conferences_per_plan_year" in o else \
        review_conferences_per_plan_year()
    conferences = initial_conferences + child_protection_plans * reviews
    days = (section_47_enquiries * g("days_per_section_47") + conferences * g("days_per_conference")
            + child_protection_plans * g("days_per_plan_year"))
    per_fte = g("working_days_per_fte_year", "time_with_families") * g("ecpp_case_time_share")
    return EcppNeed(section_47_enquiries, initial_conferences, child_protection_plans, days, days / per_fte,
                    social_worker_fte * g("experienced_share"), source)


def ecf_pipeline(starters_fte: float, turnover_rate: float, years: Sequence[int] | None = None,
                 overrides: Mapping[str, float] | None = None) -> list[tuple[int, float]]:
    """Expert Practitioners completing the Early Career Framework each year (001_8bebe4ae25a58006.txt:3307-3311).

    Each year from the first cohort, starters x the newly qualified share enter; those still in post after the
    framework's five years (1 - turnover a year) pass at the completion share. Returns (year, new Expert
    Practitioners) for ``years`` (default the ten from the first cohort).
    """
    if not 0.0 <= turnover_rate < 1.0:
        raise WorkforceError(f"turnover rate {turnover_rate} is outside 0 to 1")
    o = dict(overrides or {})

    def g(name: str) -> float:
        return float(o[name]) if name in o else _p(f"expert_practitioners.{name}")

    first = int(g("ecf_first_cohort_year"))
    length = int(g("ecf_years"))
    years = list(years) if years is not None else list(range(first, first + ECF_HORIZON))
    cohort = starters_fte * g("ecf_entrant_share")
    done = cohort * (1.0 - turnover_rate) ** length * g("ecf_completion_share")
    return [(y, done if y >= first + length else 0.0) for y in years]


# --------------------------------------------------------------------------------------------------- picture


@dataclass
class WorkforcePicture:
    """The workforce of a footprint (its LAs summed) by census year, with the model's answers.

    ``series[measure][year]`` holds the summed counts; ``notes`` every fallback used.
    """

    name: str
    las: tuple[str, ...]
    year: int
    years: tuple[int, ...]
    series: dict[str, dict[int, float | None]]
    cin_year: int
    cin: dict[str, float]
    notes: list[str] = field(default_factory=list)
    cin_source: str = SOURCE_CIN

    # --- measures of one year
    def value(self, measure: str, year: int | None = None) -> float:
        v = self.series.get(measure, {}).get(self.year if year is None else year)
        return math.nan if v is None else float(v)

    def rates(self, year: int | None = None) -> dict[str, float]:
        """DfE's rates (agency worker rate, vacancy rate, turnover, caseload) and the case-holding share.

        DfE's case holders include agency workers (the Isles of Scilly had 1 case holder and no social worker in
        post in 2022), so the case-holding share is case holders / (in post + agency).
        """
        y = self.year if year is None else year
        sw, ag, vac = self.value("social_worker_fte", y), self.value("agency_fte", y), self.value("vacancy_fte", y)
        ch, cases, lv = self.value("case_holders_fte", y), self.value("cases", y), self.value("leavers_fte", y)
        return {
            "agency_rate": ag / (ag + sw) if ag + sw else math.nan,
            "vacancy_rate": vac / (vac + sw) if vac + sw else math.nan,
            "turnover_rate": lv / sw if sw else math.nan,
            "case_holding_share": ch / (sw + _zero_if_nan(ag)) if sw + _zero_if_nan(ag) else math.nan,
            "caseload_per_case_holder": cases / ch if ch else math.nan,
        }

    @property
    def agency(self) -> AgencyCost:
        return agency_cost(self.value("agency_fte"), self.value("social_worker_fte"))

    @property
    def time_now(self) -> TimeWithFamilies:
        """Time with families today: the team (social workers in post and agency workers) x the area's own
        case-holding share (census case holders / the team) x the Review's direct-time share
        (001_8bebe4ae25a58006.txt:3221)."""
        team = self.value("social_worker_fte") + _zero_if_nan(self.value("agency_fte"))
        return time_with_families(team, self.rates()["case_holding_share"],
                                  _p("time_with_families.current_direct_time_share"))

    @property
    def ecpp(self) -> EcppNeed:
        return ecpp_need(self.cin["section_47_enquiries"], self.cin["initial_conferences"],
                         self.cin["child_protection_plans_at_31_march"], self.value("social_worker_fte"),
                         source=self.cin_source)

    def pipeline(self) -> list[tuple[int, float]]:
        turnover = self.rates()["turnover_rate"]
        if math.isnan(turnover):  # no social workers in post: England's turnover stands in (noted once)
            row = next(r for r in load_table() if r.level == "national" and r.year == self.year)
            turnover = float(row.cells["leavers_fte"]) / float(row.cells["social_worker_fte"])
            note = f"{self.name}: no social workers in post in {self.year}; England's turnover is used for the ECF"
            if note not in self.notes:
                self.notes.append(note)
        return ecf_pipeline(_zero_if_nan(self.value("starters_fte")), turnover)

    def with_cin(self, counts: Mapping[str, float], source: str, year: int) -> WorkforcePicture:
        """The same picture with the s47/conference/plan workload from another source (a CIN census file)."""
        return replace(self, cin={**self.cin, **counts}, cin_source=source, cin_year=year, notes=list(self.notes))

    # --- output
    def to_records(self) -> list[dict[str, Any]]:
        """One row per (area, year, measure): counts, rates, costs, time with families, ECPP need, pipeline."""
        out: list[dict[str, Any]] = []

        def add(year: int, measure: str, value: float, unit: str, source: str) -> None:
            out.append({"area": self.name, "year": year, "measure": measure,
                        "value": None if value is None or (isinstance(value, float) and math.isnan(value))
                        else round(float(value), 4), "unit": unit, "source": source})

        for y in self.years:
            for m, (_, unit) in COUNTS.items():
                add(y, m, self.value(m, y), unit, SOURCE_WORKFORCE)
            for m, v in self.rates(y).items():
                add(y, m, v, "cases per FTE" if m.startswith("caseload") else "fraction",
                    "derived: DfE definitions from the census counts")
            sw, ag = self.value("social_worker_fte", y), self.value("agency_fte", y)
            if not (math.isnan(sw) or math.isnan(ag)):
                add(y, "agency_premium_cost_gbp", agency_cost(ag, sw).cost_gbp, "gbp_per_year",
                    "derived: agency FTE x unit_costs.agency_premium (001_8bebe4ae25a58006.txt:3341)")
        for m, (_, unit) in CIN_COUNTS.items():
            add(self.cin_year, m, self.cin[m], unit, self.cin_source)
        e = self.ecpp
        add(self.cin_year, "ecpp_days_needed", e.days, "working_days", "derived: expert_practitioners parameters")
        add(self.cin_year, "ecpp_fte_needed", e.fte_needed, "fte", "derived: expert_practitioners parameters")
        add(self.year, "ecpp_eligible_fte", e.eligible_fte, "fte", "derived: in post x experienced_share (assumed)")
        t = self.time_now
        add(self.year, "direct_time_fte", t.direct_fte, "fte", "derived: FTE x case-holding x direct-time share")
        add(self.year, "direct_time_days", t.days, "working_days", "derived: direct FTE x working days a year")
        for y, n in self.pipeline():
            add(y, "ecf_new_expert_practitioners", n, "fte", "derived: ECF pipeline (starters x retention)")
        return out

    def summary(self) -> dict[str, Any]:
        """The headline figures (JSON-ready)."""
        r, a, e, t = self.rates(), self.agency, self.ecpp, self.time_now
        return {
            "area": self.name, "las": list(self.las), "census_year": self.year, "cin_year": self.cin_year,
            "social_worker_fte": self.value("social_worker_fte"), "case_holders_fte": self.value("case_holders_fte"),
            "team_fte": self.value("social_worker_fte") + _zero_if_nan(self.value("agency_fte")),
            "non_case_holding_fte": self.value("social_worker_fte") + _zero_if_nan(self.value("agency_fte"))
            - self.value("case_holders_fte"),
            **{k: round(v, 4) for k, v in r.items()},
            "starters_fte": self.value("starters_fte"), "leavers_fte": self.value("leavers_fte"),
            "agency_fte": a.agency_fte, "agency_premium_gbp": a.premium_gbp, "agency_cost_gbp": round(a.cost_gbp),
            "direct_time_fte": round(t.direct_fte, 1), "direct_time_days": round(t.days),
            "ecpp": {"section_47_enquiries": e.section_47_enquiries, "initial_conferences": e.initial_conferences,
                     "child_protection_plans": e.child_protection_plans, "days": round(e.days),
                     "fte_needed": round(e.fte_needed, 1), "eligible_fte": round(e.eligible_fte, 1),
                     "is_short": e.is_short, "source": e.source},
            "review_time_uplift": round(review_time_uplift(), 4),
            "parameters": parameter_basis(),
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """The picture as plain text for the terminal."""
        s, r, e = self.summary(), self.rates(), self.ecpp
        lines = [
            f"Workforce: {self.name} ({len(self.las)} local authorit{'y' if len(self.las) == 1 else 'ies'}), "
            f"census 30 September {self.year}",
            f"  social workers in post      {s['social_worker_fte']:>10,.1f} FTE, and {s['agency_fte']:,.1f} agency",
            f"    case-holding              {s['case_holders_fte']:>10,.1f} FTE ({r['case_holding_share']:.1%} of "
            "in post and agency)",
            f"    managers and other roles  {s['non_case_holding_fte']:>10,.1f} FTE",
            f"  caseload per case holder    {r['caseload_per_case_holder']:>10,.1f}",
            f"  starters / leavers          {s['starters_fte']:>10,.1f} / {s['leavers_fte']:,.1f} FTE "
            f"(turnover {_share(r['turnover_rate'])})",
            f"  vacancies                   {self.value('vacancy_fte'):>10,.1f} FTE ({r['vacancy_rate']:.1%})",
            f"  agency workers              {s['agency_fte']:>10,.1f} FTE ({r['agency_rate']:.1%}); premium "
            f"£{s['agency_premium_gbp']:,.0f} each = £{s['agency_cost_gbp'] / 1e6:,.1f}m a year",
            f"  time with families          {s['direct_time_fte']:>10,.1f} FTE ({s['direct_time_days']:,} working "
            "days a year: in post and agency x case-holding share x 1/3 direct time, 001:3221)",
            "",
            f"Expert Child Protection Practitioners (workload {self.cin_year}: {e.source})",
            f"  s47 enquiries {e.section_47_enquiries:,.0f}; initial conferences {e.initial_conferences:,.0f}; "
            f"children on a plan {e.child_protection_plans:,.0f}",
            f"  ECPP time needed            {e.days:>10,.0f} working days = {e.fte_needed:,.1f} FTE",
            f"  experienced social workers  {e.eligible_fte:>10,.1f} FTE (assumed "
            f"{_p('expert_practitioners.experienced_share'):.0%} with 5+ years)",
            f"  {'SHORT' if e.is_short else 'not short'}: the role needs {_share(e.share_of_eligible, 0)} of them",
        ]
        pipe = self.pipeline()
        first = next((y for y, n in pipe if n > 0), None)
        if first is not None:
            lines.append(f"  ECF pipeline: {dict(pipe)[first]:,.1f} new Expert Practitioners a year from {first}")
        lines += ["", f"The Review's +69% (001:3263): (75% x 50%) / (2/3 x 1/3) - 1 = {review_time_uplift():+.1%}"]
        assumed = [r["name"].split(".")[-1] for r in parameter_basis() if r["basis"] == "assumed"]
        lines.append(f"Assumed (no source gives them; see the HTML report): {', '.join(assumed)}")
        if self.notes:
            lines += ["", "Notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def html_section(self) -> str:
        """An HTML fragment (a <section>) with the picture's figures and SVG charts, for a report."""
        from careflow.measures import _svg

        years = list(self.years)
        fte = _svg.bars(f"{self.name}: social workers in post and agency, by role (FTE)", years, [
            ("case-holding", "area", [self._maybe("case_holders_fte", y) for y in years]),
            ("managers and other", "others", [self._non_case(y) for y in years]),
        ])
        rates = _svg.trend(f"{self.name}: agency, vacancy and turnover", years, [
            ("agency rate", "neighbours", [self._pct(y, "agency_rate") for y in years]),
            ("vacancy rate", "region", [self._pct(y, "vacancy_rate") for y in years]),
            ("turnover", "england", [self._pct(y, "turnover_rate") for y in years]),
        ], "%")
        e = self.ecpp
        pipe = self.pipeline()
        pyears = [y for y, _ in pipe]
        made = [sum(n for yy, n in pipe if yy <= y) for y in pyears]
        ecf = _svg.trend(f"{self.name}: ECPP need and Expert Practitioners from the ECF", pyears, [
            ("ECPP FTE needed", "failure", [e.fte_needed] * len(pyears)),
            ("ECF Expert Practitioners (cumulative)", "new", made),
        ], "FTE")
        s = self.summary()
        rows = "".join(
            f"<tr><th scope='row'>{escape(label)}</th><td>{escape(val)}</td></tr>" for label, val in [
                ("Social workers in post", f"{s['social_worker_fte']:,.1f} FTE"),
                ("Case-holding share", f"{s['case_holding_share']:.1%}"),
                ("Caseload per case holder", f"{s['caseload_per_case_holder']:.1f}"),
                ("Agency rate", f"{s['agency_rate']:.1%}"),
                ("Agency premium a year", f"£{s['agency_cost_gbp'] / 1e6:,.1f}m"),
                ("Vacancy rate", f"{s['vacancy_rate']:.1%}"),
                ("Turnover", f"{s['turnover_rate']:.1%}"),
                ("Time with families", f"{s['direct_time_fte']:,.1f} FTE"),
                ("ECPP FTE needed", f"{e.fte_needed:,.1f} ({'short' if e.is_short else 'not short'})"),
            ])
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        basis = "".join(
            f"<tr><td>{escape(r['name'])}</td><td>{r['value']:g} {escape(r['unit'])}</td><td>{escape(r['basis'])}"
            f"</td><td>{escape(r['reference'])}</td></tr>" for r in parameter_basis())
        charts = "".join(
            f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>" for caption, svg in (
                ("Social workers in post and agency, by role (FTE, census at 30 September)", fte),
                ("Agency rate, vacancy rate and turnover (%)", rates),
                ("ECPP need against Expert Practitioners from the ECF (FTE)", ecf)))
        return (
            f"<section class='workforce'><h2>Workforce: {escape(self.name)}</h2>"
            f"<p>Census at 30 September {self.year}; workload of the year ending 31 March {self.cin_year} "
            f"({escape(e.source)}). The Review's +69% from its inputs: {review_time_uplift():+.1%}.</p>"
            f"<table>{rows}</table><div class='charts'>{charts}</div>"
            + (f"<h3>Notes</h3><ul>{notes}</ul>" if notes else "")
            + "<h3>What is cited and what is assumed</h3><table class='basis'><tr><th>parameter</th><th>value</th>"
            f"<th>basis</th><th>reference</th></tr>{basis}</table></section>"
        )

    def _maybe(self, m: str, y: int) -> float | None:
        v = self.value(m, y)
        return None if math.isnan(v) else v

    def _non_case(self, y: int) -> float | None:
        sw, ch = self.value("social_worker_fte", y), self.value("case_holders_fte", y)
        return None if math.isnan(sw) or math.isnan(ch) else sw + _zero_if_nan(self.value("agency_fte", y)) - ch

    def _pct(self, y: int, key: str) -> float | None:
        v = self.rates(y)[key]
        return None if math.isnan(v) else 100.0 * v


def _share(v: float, digits: int = 1) -> str:
    """A share as a percentage, or 'n/a' when it cannot be computed (no social workers in post)."""
    return "n/a" if not math.isfinite(v) else f"{v:.{digits}%}"


def _zero_if_nan(v: float) -> float:
    return 0.0 if math.isnan(v) else v


def _cell(row: _Row, col: str) -> float | None:
    raw = row.cells.get(col, "")
    try:
        return float(raw) if raw != "" and raw.lower() not in SUPPRESSED else None
    except ValueError as exc:
        raise WorkforceError(f"la_workforce.csv, {row.name} {row.year}, {col}: {raw!r} is not a number or a "
                             f"suppression marker ({', '.join(SUPPRESSED)})") from exc


def _fallback(rows: Sequence[_Row], col: str, year: int, notes: list[str], what: str) -> float | None:
    """The value in ``year``, else the nearest year's (noted), else None (noted)."""
    here = next((r for r in rows if r.year == year), None)
    v = _cell(here, col) if here is not None else None
    if v is not None:
        return v
    marker = here.cells.get(col, "") if here is not None else ""
    reason = SUPPRESSED.get(marker.lower(), "not published") if marker else "not published"
    others = sorted(((abs(r.year - year), r.year, _cell(r, col)) for r in rows if r.year != year),
                    key=lambda t: (t[0], -t[1]))
    for _, y, val in others:
        if val is not None:
            notes.append(f"{rows[0].name}: {what} {year} {reason}; its {y} value ({val:,.1f}) is used instead")
            return val
    notes.append(f"{rows[0].name}: {what} {reason} in every year; left out of the sum")
    return None


def _workforce_units(codes: Sequence[str], year: int, notes: list[str]) -> dict[str, tuple[float, list[str]]]:
    """Which workforce rows the LAs draw on: {workforce code: (weight, CIN codes)}.

    The workforce census reports a few LAs jointly ('Kingston upon Thames / Richmond upon Thames'); the CIN census
    reports them apart. An LA reported jointly draws on the joint row, weighted by its share of the pair's section
    47 enquiries in ``year`` (equal shares when those are not published); both LAs of a pair make weight 1.
    """
    table = load_table()
    has_workforce = {r.code for r in table if r.level == "la" and r.cells["social_worker_fte"] != ""}
    joint = {c for c in has_workforce if " / " in c}
    s47: dict[str, float] = {}
    for r in table:
        if r.level == "la" and r.year == year:
            v = _cell(r, "section_47_enquiries")
            if v is not None:
                s47[r.code] = v
    units: dict[str, tuple[float, list[str]]] = {}
    for code in codes:
        parts = code.split(" / ") if " / " in code else [code]
        target, weight = code, 1.0
        if code not in has_workforce or code not in {r.code for r in table if r.year == year and r.level == "la"
                                                     and r.cells["social_worker_fte"] != ""}:
            pair = next((j for j in sorted(joint) if code in j.split(" / ")), None)
            if pair is not None:
                members = pair.split(" / ")
                total = sum(s47.get(m, 0.0) for m in members)
                weight = s47.get(code, 0.0) / total if total and code in s47 else 1.0 / len(members)
                target = pair
                name = next(r.name for r in table if r.code == pair)
                own = next(r.name for r in table if r.code == code)
                notes.append(f"{own}: the workforce census reports it jointly ('{name}'); its share of the joint "
                             f"figures is {weight:.1%} (its share of the pair's section 47 enquiries)")
        w0, cin0 = units.get(target, (0.0, []))
        units[target] = (min(1.0, w0 + weight), cin0 + [p for p in parts if p not in cin0])
    return units


def workforce_picture(las: Iterable[str], *, year: int | None = None, name: str | None = None) -> WorkforcePicture:
    """The workforce of the LAs summed (names, ONS codes or DfE numbers), by census year, with the model.

    ``year`` is the census year (30 September) of the headline figures (default: the latest held); the s47 and
    conference workload is that of the year ending 31 March of the same calendar year.

    Raises:
        UnknownAreaError: an LA is not in the published data (the nearest are named).
        WorkforceError: no LAs, a year outside the data, or no workforce published for any of the LAs.
    """
    given = [str(n) for n in las]
    codes = tuple(dict.fromkeys(_la_code(n) for n in given))
    if not codes:
        raise WorkforceError("no local authorities given: the workforce picture sums at least one")
    table = load_table()
    years = tuple(sorted({r.year for r in table if r.cells["social_worker_fte"] != ""}))
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise WorkforceError(f"census year {year} is not held (workforce years {years[0]}-{years[-1]})")
    notes: list[str] = []
    repeated = len(given) - len(codes)
    if repeated:
        notes.append(f"{repeated} local authorit{'y was' if repeated == 1 else 'ies were'} named more than once; "
                     "each is counted once")
    units = _workforce_units(codes, year, notes)
    by_code: dict[str, list[_Row]] = {}
    for r in table:
        if r.level == "la" and r.code in units:
            by_code.setdefault(r.code, []).append(r)
    series: dict[str, dict[int, float | None]] = {m: {} for m in COUNTS}
    for y in years:
        for m in COUNTS:
            total, seen = 0.0, False
            for code, (weight, _) in units.items():
                rows = sorted(by_code[code], key=lambda r: r.year)
                if y < rows[0].year or (y != year and not any(r.year == y for r in rows)):
                    continue  # before an LA existed, or a past year it does not report: no history, no fallback
                quiet: list[str] = []
                v = _fallback(rows, m, y, quiet if y != year else notes, COUNTS[m][0])
                if v is not None:
                    total, seen = total + weight * v, True
            series[m][y] = total if seen else None
    team = (series["social_worker_fte"][year] or 0.0) + (series["agency_fte"][year] or 0.0)
    if series["social_worker_fte"][year] is None or team == 0 or series["case_holders_fte"][year] is None:
        raise WorkforceError(f"no social workers are published for {', '.join(codes)} in any year: the workforce "
                             "picture cannot be drawn")
    cin: dict[str, float] = {}
    cin_codes = list(dict.fromkeys(c for _, parts in units.values() for c in parts))
    for m in CIN_COUNTS:
        total = 0.0
        for part in cin_codes:
            rows = sorted((r for r in table if r.level == "la" and r.code == part), key=lambda r: r.year)
            if not rows:
                notes.append(f"{part}: no {CIN_COUNTS[m][0]} published; left out of the sum")
                continue
            v = _fallback(rows, m, year, notes, CIN_COUNTS[m][0])
            total += v or 0.0
        cin[m] = total
    label = name or (next(r.name for r in table if r.code == codes[0]) if len(codes) == 1 else f"{len(codes)} LAs")
    return WorkforcePicture(label, codes, year, years, series, year, cin, notes)


def picture_for(area: str | Footprint | None = None, footprint: Path | None = None,
                year: int | None = None) -> WorkforcePicture:
    """:func:`workforce_picture` for an area name, a resolved footprint or a footprint file (see
    :func:`resolve_area`); the notes name any LA counted that the placement tables lack."""
    fp = resolve_area(area, footprint)
    picture = workforce_picture(fp.las, year=year, name=fp.name)
    held = set(all_las())
    beyond = [la for la in fp.las if la not in held]
    if beyond:
        picture.notes.insert(0, f"{', '.join(beyond)}: in the workforce census but not in the DfE placement tables "
                                "careflow ships (supply/data/placements_by_la.csv); counted here from the workforce "
                                "census, but not in careflow sufficiency's demand and supply")
    return picture


# --------------------------------------------------------------------------------------------------- what if


def what_if(picture: WorkforcePicture, *, agency_rate: float | None = None, recording_cut: float = 0.0,
            case_holding_share: float | None = None, direct_time_share: float | None = None) -> dict[str, float]:
    """Time with families after a change, at the same budget.

    * ``agency_rate``: agency FTE / (agency + permanent) after the change; the premium saved (or spent) buys
      (or loses) permanent social workers at the average salary (premium / 53%, 001_8bebe4ae25a58006.txt:3341).
      The total number of social workers in the teams stays the same; only the money moves.
    * ``recording_cut``: share of working time moved from recording to direct work (0.05 = five points).
    * ``case_holding_share`` / ``direct_time_share``: set directly (default the area's now).
    Returns direct FTE and working days before and after, and the change.
    """
    if agency_rate is not None and not 0.0 <= agency_rate < 1.0:
        raise WorkforceError(f"agency rate {agency_rate} is outside 0 to 1")
    before = picture.time_now
    sw, ag = picture.value("social_worker_fte"), _zero_if_nan(picture.value("agency_fte"))
    total = sw + ag  # the team time_now counts
    extra_fte = 0.0
    if agency_rate is not None:
        new_agency = agency_rate * total
        salary = premium_gbp() / _p("agency.premium_share_of_salary")
        extra_fte = (ag - new_agency) * premium_gbp() / salary
    chs = before.case_holding_share if case_holding_share is None else case_holding_share
    dts = (before.direct_time_share if direct_time_share is None else direct_time_share) + recording_cut
    if not 0.0 <= dts <= 1.0:
        raise WorkforceError(f"direct-time share {dts:.3f} after the recording cut is outside 0 to 1")
    # Agency workers replaced by permanent ones keep the team's size; the premium freed adds permanent FTE.
    after = time_with_families(total + extra_fte, chs, dts)
    return {"direct_fte_before": before.direct_fte, "direct_fte_after": after.direct_fte,
            "days_before": before.days, "days_after": after.days, "extra_fte_bought": extra_fte,
            "change": after.direct_fte / before.direct_fte - 1.0 if before.direct_fte else math.nan}


# ---------------------------------------------------------------------------------------------- CIN census file


def workload_from_care_data(data: Any, year: int) -> dict[str, float]:
    """s47 enquiries started, initial conferences held (both in the year ending 31 March ``year``) and children on
    a child protection plan at 31 March, counted from canonical tables (a CIN census read, or the record)."""
    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    names = set(data.names())

    def count_between(table: str, col: str) -> float:
        if table not in names:
            return 0.0
        s = data[table][col].drop_nulls()
        return float(((s >= start) & (s <= end)).sum())

    plans = 0.0
    if "child_protection_plans" in names:
        cpp = data["child_protection_plans"]
        for s_, e_ in zip(cpp["start_date"].to_list(), cpp["end_date"].to_list(), strict=True):
            if s_ is not None and s_ <= end and (e_ is None or e_ > end):
                plans += 1
    return {"section_47_enquiries": count_between("section47_enquiries", "start_date"),
            "initial_conferences": count_between("section47_enquiries", "initial_conference_date"),
            "child_protection_plans_at_31_march": plans}


def cin_workload(path: Path) -> tuple[dict[str, float], int, str]:
    """s47 enquiries started, initial conferences and plans open at 31 March, counted from a CIN census file.

    Raises:
        WorkforceError: the file cannot be read, or has no census year (the error names the file).
    """
    from careflow.returns import read_return

    if not Path(path).exists():
        raise WorkforceError(f"CIN census file {str(path)!r} does not exist")
    result = read_return(path, strict=False)
    errors = [i for i in result.issues if getattr(i.severity, "name", str(i.severity)).upper() == "ERROR"]
    data = result.data
    if "section47_enquiries" not in data.names() and "child_protection_plans" not in data.names():
        first = f" ({errors[0].message})" if errors else ""
        raise WorkforceError(f"{Path(path).name}: no section 47 enquiries or child protection plans read; is it a "
                             f"CIN census XML?{first}")
    year = result.year
    if year is None:
        raise WorkforceError(f"{Path(path).name}: the census year is not in the file header")
    return workload_from_care_data(data, year), year, f"CIN census file {Path(path).name}"


def _json_ready(value: Any) -> Any:
    """NaN (a measure not published for the area) becomes null: JSON has no NaN."""
    if isinstance(value, Mapping):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_WHAT_IF = {  # scenario key -> (label, format) for the HTML report
    "agency_rate": ("Agency rate after the change", "{:.1%}"),
    "recording_cut": ("Working time moved from recording to families", "{:.1%}"),
    "direct_fte_before": ("Time with families before (FTE)", "{:,.1f}"),
    "direct_fte_after": ("Time with families after (FTE)", "{:,.1f}"),
    "days_before": ("Time with families before (working days a year)", "{:,.0f}"),
    "days_after": ("Time with families after (working days a year)", "{:,.0f}"),
    "extra_fte_bought": ("Permanent social workers the premium saved buys (FTE)", "{:+,.1f}"),
    "change": ("Change in time with families", "{:+.1%}"),
}
_LEVER_HEADS = {"retained_fte": "social workers retained (FTE)", "agency_fte_avoided": "agency avoided (FTE)",
                "premium_saved_gbp": "premium saved a year", "caseload_per_case_holder": "caseload per case holder",
                "direct_time_fte": "time with families (FTE)"}


def _lever_cell(key: str, value: float) -> str:
    if key == "year":
        return f"{int(value)}-{(int(value) + 1) % 100:02d}"
    return f"£{value:,.0f}" if key.endswith("_gbp") else f"{value:,.1f}"


def write_outputs(picture: WorkforcePicture, out: Path, scenario: Mapping[str, float] | None = None,
                  levers: Sequence[Mapping[str, float]] = ()) -> list[Path]:
    """workforce.csv (every figure), workforce.json (summary, scenario, lever effects, records) and workforce.html."""
    out.mkdir(parents=True, exist_ok=True)
    records = picture.to_records()
    for row in levers:
        for key, value in row.items():
            if key != "year":
                records.append({"area": picture.name, "year": int(row["year"]), "measure": f"reform_{key}",
                                "value": round(float(value), 4), "unit": "gbp_per_year" if key.endswith("gbp")
                                else "cases per FTE" if key.startswith("caseload") else "fte",
                                "source": "derived: careflow.reform.workforce.lever_capacity (lever files)"})
    csv_path, json_path, html_path = out / "workforce.csv", out / "workforce.json", out / "workforce.html"
    with csv_path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["area", "year", "measure", "value", "unit", "source"])
        w.writeheader()
        w.writerows(records)
    json_path.write_text(json.dumps(_json_ready({"summary": picture.summary(), "scenario": dict(scenario or {}),
                                                 "reform_levers": [dict(r) for r in levers], "records": records}),
                                    indent=1, allow_nan=False))
    scen = ""
    if levers:
        head = "".join(f"<th>{escape(_LEVER_HEADS.get(k, k.replace('_', ' ')))}</th>" for k in levers[0])
        body = "".join("<tr>" + "".join(f"<td>{_lever_cell(k, v)}</td>" for k, v in r.items()) + "</tr>"
                       for r in levers)
        scen += ("<h2>The Review's workforce levers on this workforce</h2><p>From the lever files at full spending "
                 "(careflow.reform.workforce.lever_capacity).</p>"
                 f"<table><tr>{head}</tr>{body}</table>")
    if scenario:
        scen += "<h2>What if</h2><p>At the same budget (see careflow.supply.workforce.what_if).</p><table>" + "".join(
            f"<tr><th scope='row'>{escape(_WHAT_IF.get(k, (k, '{:,.3f}'))[0])}</th>"
            f"<td>{escape(_WHAT_IF.get(k, (k, '{:,.3f}'))[1].format(v))}</td></tr>" for k, v in scenario.items()
        ) + "</table>"
    html_path.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Workforce: {escape(picture.name)}</title><style>body{{font-family:Arial,sans-serif;margin:2em}}"
        "table{border-collapse:collapse}th,td{padding:2px 8px;text-align:left;vertical-align:top}"
        "figure{display:inline-block;vertical-align:top;margin:0 1em 1em 0}"
        "figcaption{font-weight:bold;font-size:13px}"
        "</style></head><body>"
        f"<h1>careflow workforce: {escape(picture.name)}</h1>{picture.html_section()}{scen}"
        "<p>Sources: DfE Children's social work workforce and Characteristics of children in need (Open Government "
        "Licence v3.0); parameters in careflow/supply/data/workforce/parameters with their citations.</p>"
        "</body></html>")
    return [csv_path, json_path, html_path]
