"""Reform levers as data, and the vectorised engine that prices them.

A lever file (``parameters/levers/<name>.yaml``) holds the lever's metadata, its own dated parameters, and three
lists that say how the parameters combine:

``costs`` / ``savings``
    Each item is a ``product`` of parameters (the lever's own, or system parameters such as
    ``unit_costs.looked_after``) giving £ million in each financial year. Exactly one factor carries a £ unit;
    the engine converts £ per week, £ per child-year and £ per item to £ million.
``dose``
    What the money buys: ``unit_cost`` (a cited cost per family or child reached for a year) and ``target`` (the
    size of the group the lever is for). The share of the target group reached in year t is
    ``reach = 1 - exp(-cost(t) / (unit_cost x target))``: zero money reaches nobody, more money never reaches
    fewer, and reach saturates below the whole group (places are never perfectly targeted).
``effects``
    Mechanisms on the system's rates (:mod:`careflow.reform.system`). Each has a ``kind``:

    * ``entries``: starts of the ``target`` group (age bands on starting; ``share``: the part of those starts the
      lever can reach, e.g. the 43% with a previous child-in-need plan) fall by ``effect`` (a cited fraction);
      unaccompanied asylum-seeking children are never in the target group;
    * ``exits``: the exit hazard for one ``reason`` (home, sgo_cao, adoption, other) rises by ``effect`` (a cited
      proportion) in the ``target`` age bands on ceasing (default: all; ``share``: the part of those exits the
      lever can reach, e.g. children whose parents are in care proceedings); the area's exits by age band and
      reason come from :mod:`careflow.reform.local_mixes`;
    * ``placement_shift``: ``children`` (a product) move from one placement cost to another and return at
      ``hazard`` a year (the stock follows ``stock(t) = stock(t-1)(1 - hazard) + moved(t)``);
    * ``price``: the weekly price of a ``placement`` (residential, foster_agency) falls by ``effect``.

    Every effect is ``effect x reach(t) x scale_down``: the cited effect size, times the share of the target
    group the money reaches, times an explicit scale-down from pilot to national roll-out (a parameter: cited,
    assumed, or - for at most three lever groups - fitted, and then marked ``calibrated: true``). A ``flow`` key
    names what the effect acts on (two levers in one package may not act on the same flow).

Net impact on public finance in year t (the Review's sign convention: positive = saving) is
``sum(savings) + sum(effect savings) - sum(costs)``, in the prices of the year (001_8bebe4ae25a58006.txt:4056).
The children an ``entries``/``exits`` effect keeps out of care come out of the area's stock-flow run with the
changed rates; each saves the area's cost of a child looked after (its own placement mix at the unit costs)
less the cost of the state it is in instead (``to``).
Every quantity is an array with a leading axis of Monte Carlo draws, so 10,000 draws cost one pass.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from careflow.reform.errors import ParameterError, suggest
from careflow.reform.params import Parameter, load_unit_costs, parse_parameter, read_yaml
from careflow.reform.supply_effects import SUPPLY_KINDS, carer_supply_effect, margin_price_effect
from careflow.reform.system import LocalRates, run_system

__all__ = [
    "EFFECT_KINDS",
    "FIRST_YEAR",
    "GROUPS",
    "N_YEARS",
    "AreaContext",
    "Component",
    "Dose",
    "Effect",
    "Lever",
    "LeverResult",
    "evaluate",
    "load_lever",
    "load_levers",
    "load_system_parameters",
    "parameters_dir",
]

FIRST_YEAR = 2023  # year 1 = 2023-24 (001_8bebe4ae25a58006.txt:4056)
N_YEARS = 10
EFFECT_KINDS = ("entries", "exits", "placement_shift", "price", *SUPPLY_KINDS)  # supply kinds: supply_effects.py
EXIT_REASONS = ("home", "sgo_cao", "adoption", "other")
PRICED_PLACEMENTS = ("residential", "foster_agency")
AGE_BANDS = ("0_4", "5_9", "10_15", "16_plus")
# The Review's table rows, in order (001_8bebe4ae25a58006.txt:4026-4054).
GROUPS = ("Family Help", "Care", "Alternatives to care", "Care Leaver Missions", "Workforce", "Child Advocacy",
          "Parental Representation")
# The three groups the Review splits the 30,000 fewer children looked after into (001_8bebe4ae25a58006.txt:3945).
DIVERSION_GROUPS = ("family_help", "kinship_and_family_networks", "workforce_and_family_finding")

LEVER_KEYS = {"title", "description", "group", "order", "diversion_group", "reference", "parameters", "costs",
              "savings", "effects", "note", "dose"}
DOSE_KEYS = {"unit_cost", "target", "description"}
COMPONENT_KEYS = {"name", "description", "product"}
EFFECT_KEYS = {"name", "description", "kind", "flow", "children", "hazard", "from", "to", "diversion_group", "effect",
               "scale_down", "target", "reason", "placement", "returns", "recruit_cost", "instead_of"}
_KIND_KEYS = {"entries": {"effect", "scale_down", "target"},
              "exits": {"effect", "scale_down", "reason", "returns", "target"},
              "placement_shift": {"children", "hazard", "from", "to", "scale_down"},
              "price": {"effect", "scale_down", "placement"},
              "carer_supply": {"recruit_cost", "from", "instead_of", "scale_down"},
              "margin_price": {"placement", "scale_down"}}
_MONEY_FACTORS = {"gbp_million": 1.0, "gbp_billion": 1000.0, "gbp_per_child_year": 1e-6,
                  "gbp_per_person_year": 1e-6, "gbp_per_item": 1e-6, "gbp_per_week": 52e-6}


def parameters_dir() -> Path:
    """The folder of parameter files shipped with careflow."""
    return Path(str(resources.files("careflow.reform") / "parameters"))


@dataclass(frozen=True)
class Component:
    """A cost or a saving: the product of parameters, in £ million per financial year."""

    name: str
    description: str
    product: tuple[str, ...]


@dataclass(frozen=True)
class Effect:
    """A mechanism on the system's rates (see the module docstring for the kinds)."""

    name: str
    description: str
    kind: str
    flow: str
    effect: str | None = None
    scale_down: str | None = None
    ages: tuple[str, ...] = AGE_BANDS
    target_share: tuple[str, ...] = ()
    reason: str | None = None
    placement: str | None = None
    children: tuple[str, ...] = ()
    hazard: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    diversion_group: str | None = None
    returns: str | None = None
    recruit_cost: str | None = None
    instead_of: str | None = None

    @property
    def reduces_cla(self) -> bool:
        return self.kind in {"entries", "exits"}


@dataclass(frozen=True)
class Dose:
    """What a lever's money buys: ``unit_cost`` per family or child reached a year, for a ``target`` group."""

    unit_cost: str
    target: str
    description: str = ""


@dataclass(frozen=True)
class Lever:
    """One reform lever: metadata, its parameters and how they combine."""

    name: str
    title: str
    description: str
    group: str
    order: int
    reference: tuple[str, ...]
    parameters: Mapping[str, Parameter]
    costs: tuple[Component, ...]
    savings: tuple[Component, ...]
    effects: tuple[Effect, ...]
    diversion_group: str | None = None
    dose: Dose | None = None
    source: str = ""
    note: str | None = None
    enabled: bool = True

    def parameter(self, name: str) -> Parameter:
        if name not in self.parameters:
            raise ParameterError(f"lever {self.name!r} has no parameter {name!r}."
                                 f"{suggest(name, self.parameters)}")
        return self.parameters[name]

    @property
    def flows(self) -> tuple[str, ...]:
        return tuple(e.flow for e in self.effects)


def _names(raw: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, str) or not item:
            problems.append(f"{where}: expected a parameter name or a list of names, not {item!r}")
        else:
            out.append(item)
    return tuple(out)


def _stamp(base: Path) -> tuple[tuple[str, int], ...]:
    """Every YAML file under ``base`` with its modification time: a cache key that notices edits."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(base.rglob("*.yaml")))


def load_system_parameters(root: Path | None = None) -> dict[str, Parameter]:
    """Every system parameter (one file each, outside ``levers/`` and ``packages/``); name = folder.file."""
    base = (root or parameters_dir())
    return dict(_load_system_cached(base, _stamp(base)))


@functools.lru_cache(maxsize=32)
def _load_system_cached(base: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[tuple[str, Parameter], ...]:
    problems: list[str] = []
    out: dict[str, Parameter] = {}
    for path in sorted(base.rglob("*.yaml")):
        rel = path.relative_to(base)
        if rel.parts[0] in {"levers", "packages", "journeys"}:
            continue
        name = ".".join(rel.with_suffix("").parts)
        p = parse_parameter(name, read_yaml(path), str(path), problems)
        if p is not None:
            out[name] = p
    # Unit costs come from careflow's one unit-cost library, shared with flows and journey costing.
    for name, p in load_unit_costs().items():
        if name in out:
            problems.append(f"{out[name].source}: {name} is also in the unit-cost library "
                            "(careflow/params/data/unit_costs): keep one")
        out[name] = p
    _add_workforce_parameters(out, problems)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in the system parameters", problems)
    return tuple(out.items())


def _add_workforce_parameters(out: dict[str, Parameter], problems: list[str]) -> None:
    """The workforce model's England baseline (``workforce.*``, careflow.reform.workforce): the workforce levers'
    savings act through agency FTE, leavers and agency cover rather than being taken as published."""
    from careflow.reform.workforce import workforce_system_parameters

    for name, p in workforce_system_parameters().items():
        if name in out:
            problems.append(f"{out[name].source}: {name} is computed by careflow.supply.workforce: remove the file")
        out[name] = p


def load_lever(path: Path, system: Mapping[str, Parameter] | None = None) -> Lever:
    """Load and check one lever file (every problem is reported together)."""
    system = load_system_parameters() if system is None else system
    raw = read_yaml(path)
    where = str(path)
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{where}: expected a mapping (title, group, parameters, costs, savings, effects)")
    for key in raw:
        if key not in LEVER_KEYS:
            problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), LEVER_KEYS)}")
    name = path.stem
    group = raw.get("group")
    if group not in GROUPS:
        problems.append(f"{where}.group: {group!r} is not one of the table's groups {GROUPS}."
                        f"{suggest(str(group), GROUPS)}")
    for key in ("title", "reference"):
        if not raw.get(key):
            problems.append(f"{where}.{key}: missing")
    params: dict[str, Parameter] = {}
    raw_params = raw.get("parameters") or {}
    if not isinstance(raw_params, Mapping):
        problems.append(f"{where}.parameters: expected a mapping of parameter names to parameters")
        raw_params = {}
    for pname, praw in raw_params.items():
        p = parse_parameter(f"{name}.{pname}", praw, f"{where}.parameters.{pname}", problems)
        if p is not None:
            params[str(pname)] = p
    known = set(params) | set(system)

    def check_ref(ref: str, ctx: str) -> None:
        if ref not in known:
            problems.append(f"{ctx}: {ref!r} is neither a parameter of this lever nor a system parameter."
                            f"{suggest(ref, known)}")

    def unit_of(ref: str) -> str:
        found = params.get(ref) or system.get(ref)
        return found.unit if found is not None else ""

    def components(key: str) -> tuple[Component, ...]:
        out = []
        for i, item in enumerate(raw.get(key) or []):
            ctx = f"{where}.{key}[{i}]"
            if not isinstance(item, Mapping):
                problems.append(f"{ctx}: expected a mapping with name and product")
                continue
            for k in item:
                if k not in COMPONENT_KEYS:
                    problems.append(f"{ctx}: unknown key {k!r}.{suggest(str(k), COMPONENT_KEYS)}")
            product = _names(item.get("product"), f"{ctx}.product", problems)
            for ref in product:
                check_ref(ref, f"{ctx}.product")
            money = [r for r in product if unit_of(r) in _MONEY_FACTORS]
            if product and all(r in known for r in product) and len(money) != 1:
                problems.append(f"{ctx}.product: exactly one factor must be money (£ million, £ per week, £ per "
                                f"child-year, ...); found {len(money)} in {list(product)}")
            out.append(Component(str(item.get("name", f"{key}{i}")), str(item.get("description", "")), product))
        return tuple(out)

    costs, savings = components("costs"), components("savings")
    effects = []
    for i, item in enumerate(raw.get("effects") or []):
        ctx = f"{where}.effects[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{ctx}: expected a mapping")
            continue
        for k in item:
            if k not in EFFECT_KEYS:
                problems.append(f"{ctx}: unknown key {k!r}.{suggest(str(k), EFFECT_KEYS)}")
        kind = item.get("kind")
        if kind not in EFFECT_KINDS:
            problems.append(f"{ctx}.kind: {kind!r} is not one of {EFFECT_KINDS}.{suggest(str(kind), EFFECT_KINDS)}")
            continue
        for k in item:
            if k in set().union(*_KIND_KEYS.values()) and k not in _KIND_KEYS[kind] | {"to"}:
                problems.append(f"{ctx}: key {k!r} does not apply to a {kind} effect")
        flow = item.get("flow")
        if not isinstance(flow, str) or "." not in flow:
            problems.append(f"{ctx}.flow: expected a flow key such as 'entries.family_help'")

        def ref(key: str, unit: set[str] | None, required: bool, ctx: str = ctx, item: Mapping[str, Any] = item
                ) -> str | None:
            value = item.get(key)
            if value is None:
                if required:
                    problems.append(f"{ctx}.{key}: missing (a parameter name)")
                return None
            if not isinstance(value, str):
                problems.append(f"{ctx}.{key}: expected a parameter name")
                return None
            check_ref(value, f"{ctx}.{key}")
            if unit is not None and value in known and unit_of(value) not in unit:
                problems.append(f"{ctx}.{key}: {value!r} has unit {unit_of(value)!r}; expected {sorted(unit)}")
            return value

        money_units = set(_MONEY_FACTORS)
        effect = scale_down = reason = placement = hazard = from_state = returns = recruit_cost = instead_of = None
        children: tuple[str, ...] = ()
        ages: tuple[str, ...] = AGE_BANDS
        shares: tuple[str, ...] = ()
        if kind in {"entries", "exits", "price"}:
            effect = ref("effect", {"fraction", "multiplier"}, True)
            scale_down = ref("scale_down", {"multiplier", "fraction"}, True)
        else:
            scale_down = ref("scale_down", {"multiplier", "fraction"}, False)
        to_state = ref("to", money_units, False)
        if kind in {"entries", "exits"}:
            target = item.get("target") or {}
            if not isinstance(target, Mapping) or set(target) - {"ages", "share"}:
                problems.append(f"{ctx}.target: expected a mapping with 'ages' (bands {list(AGE_BANDS)}) and "
                                "optional 'share' (parameter names)")
                target = {}
            raw_ages = target.get("ages", list(AGE_BANDS))
            if not isinstance(raw_ages, list) or not raw_ages or any(x not in AGE_BANDS for x in raw_ages):
                problems.append(f"{ctx}.target.ages: {raw_ages!r} must be a list of {list(AGE_BANDS)}")
            else:
                ages = tuple(str(x) for x in raw_ages)
            if target.get("share") is not None:
                shares = _names(target["share"], f"{ctx}.target.share", problems)
                for r in shares:
                    check_ref(r, f"{ctx}.target.share")
                    if r in known and unit_of(r) != "fraction":
                        problems.append(f"{ctx}.target.share: {r!r} must be a fraction")
        if kind == "exits":
            returns = ref("returns", {"hazard_per_year"}, False)
            reason = item.get("reason")
            if reason not in EXIT_REASONS:
                problems.append(f"{ctx}.reason: {reason!r} is not one of {EXIT_REASONS}")
        elif kind == "price":
            placement = item.get("placement")
            if placement not in PRICED_PLACEMENTS:
                problems.append(f"{ctx}.placement: {placement!r} is not one of {PRICED_PLACEMENTS}")
        elif kind == "carer_supply":
            recruit_cost = ref("recruit_cost", money_units, True)
            from_state = ref("from", money_units, True)
            instead_of = ref("instead_of", money_units, True)
        elif kind == "margin_price":
            placement = item.get("placement")
            if placement not in PRICED_PLACEMENTS:
                problems.append(f"{ctx}.placement: {placement!r} is not one of {PRICED_PLACEMENTS}")
        elif kind == "placement_shift":
            children = _names(item.get("children"), f"{ctx}.children", problems)
            for r in children:
                check_ref(r, f"{ctx}.children")
            hazard = ref("hazard", {"hazard_per_year"}, True)
            from_state = ref("from", money_units, False)
            if from_state is None and to_state is None:
                problems.append(f"{ctx}: give 'from' and/or 'to' (the unit costs of the states children move "
                                "between)")
        dgroup = item.get("diversion_group", raw.get("diversion_group"))
        if dgroup is not None and dgroup not in DIVERSION_GROUPS:
            problems.append(f"{ctx}.diversion_group: {dgroup!r} is not one of {DIVERSION_GROUPS}")
        effects.append(Effect(
            name=str(item.get("name", f"effect{i}")), description=str(item.get("description", "")), kind=str(kind),
            flow=str(flow), effect=effect, scale_down=scale_down, ages=ages, target_share=shares,
            reason=None if reason is None else str(reason), placement=None if placement is None else str(placement),
            children=children, hazard=hazard, from_state=from_state, to_state=to_state,
            diversion_group=dgroup if kind in {"entries", "exits"} else None, returns=returns,
            recruit_cost=recruit_cost, instead_of=instead_of))
    dose = None
    raw_dose = raw.get("dose")
    if raw_dose is not None:
        if not isinstance(raw_dose, Mapping) or set(raw_dose) - DOSE_KEYS or not {"unit_cost", "target"} <= set(
                raw_dose):
            problems.append(f"{where}.dose: expected a mapping with unit_cost and target (parameter names)")
        else:
            for key in ("unit_cost", "target"):
                check_ref(str(raw_dose[key]), f"{where}.dose.{key}")
            if str(raw_dose["unit_cost"]) in known and unit_of(str(raw_dose["unit_cost"])) not in _MONEY_FACTORS:
                problems.append(f"{where}.dose.unit_cost: must be £ per item, per child-year or per week")
            if str(raw_dose["target"]) in known and unit_of(str(raw_dose["target"])) not in {
                    "children", "people", "children_per_year", "people_per_year"}:
                problems.append(f"{where}.dose.target: must be a number of children, families or people")
            dose = Dose(str(raw_dose["unit_cost"]), str(raw_dose["target"]), str(raw_dose.get("description", "")))
    if (effects or raw.get("savings")) and not raw.get("costs"):
        problems.append(f"{where}: the lever has effects or savings but no cost: an effect must be bought "
                        "(add 'costs')")
    flows = [e.flow for e in effects]
    if len(set(flows)) != len(flows):
        problems.append(f"{where}.effects: the same flow appears twice in one lever ({flows})")
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in lever file {path.name}", problems)
    lever_ref = raw.get("reference")
    return Lever(
        name=name, title=str(raw["title"]), description=str(raw.get("description", "")), group=str(group),
        order=int(raw.get("order", 99)),
        reference=tuple(str(x) for x in (lever_ref if isinstance(lever_ref, list) else [lever_ref])),
        parameters=params, costs=costs, savings=savings, effects=tuple(effects),
        diversion_group=raw.get("diversion_group"), source=where, note=raw.get("note"), dose=dose,
    )


def load_levers(root: Path | None = None) -> dict[str, Lever]:
    """Every lever shipped with careflow, by name, in the Review's table order."""
    base = (root or parameters_dir())
    return dict(_load_levers_cached(base, _stamp(base)))


@functools.lru_cache(maxsize=32)
def _load_levers_cached(base: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[tuple[str, Lever], ...]:
    system = load_system_parameters(base)
    levers = [load_lever(p, system) for p in sorted((base / "levers").glob("*.yaml"))]
    levers.sort(key=lambda lv: (GROUPS.index(lv.group), lv.order, lv.name))
    return tuple((lv.name, lv) for lv in levers)


# --------------------------------------------------------------------------------------------------- engine
@dataclass
class LeverResult:
    """One lever's yearly results; arrays have shape (draws, years)."""

    name: str
    costs: np.ndarray
    savings: np.ndarray
    net: np.ndarray
    cla_reduction: np.ndarray
    by_diversion_group: dict[str, np.ndarray] = field(default_factory=dict)
    moved: dict[str, np.ndarray] = field(default_factory=dict)
    entries_avoided: np.ndarray | None = None
    reach: np.ndarray | None = None
    avoided_share: np.ndarray | None = None
    uplift: np.ndarray | None = None
    gross_effect: np.ndarray | None = None
    returns_weighted: np.ndarray | None = None
    price_fall: dict[str, np.ndarray] = field(default_factory=dict)  # margin_price: the fall across the placement


@dataclass
class AreaContext:
    """What effects act on in one area (arrays: draws x the model's ten years, ending 31 March 2024 ... 2033).

    ``first_stock``: CLA at 31 March 2023; ``cf_stock``: the counterfactual; ``starts``: counterfactual starts;
    ``care_cost``: the area's cost of a child looked after a year at year-1 prices (its placement mix at the unit
    costs); ``scale``: the area's share of national money and national volumes.
    """

    rates: LocalRates
    first_stock: np.ndarray
    cf_stock: np.ndarray
    starts: np.ndarray
    care_cost: np.ndarray
    scale: float = 1.0


class _Values:
    """Parameter arrays by financial year, times a per-draw multiplier when sampled."""

    def __init__(self, lever: Lever, system: Mapping[str, Parameter], multipliers: Mapping[str, np.ndarray],
                 n_draws: int, first_year: int, n_years: int) -> None:
        self.lever, self.system, self.multipliers = lever, system, multipliers
        self.n, self.first_year, self.n_years = n_draws, first_year, n_years
        self._cache: dict[str, np.ndarray] = {}

    def full_name(self, ref: str) -> str:
        return f"{self.lever.name}.{ref}" if ref in self.lever.parameters else ref

    def param(self, ref: str) -> Parameter:
        return self.lever.parameters[ref] if ref in self.lever.parameters else self.system[ref]

    def get(self, ref: str) -> np.ndarray:
        if ref not in self._cache:
            p = self.param(ref)
            arr = p.by_financial_year(self.first_year, self.n_years)[None, :]
            m = self.multipliers.get(self.full_name(ref))
            if m is not None:
                arr = arr * m[:, None]
                if p.unit in {"fraction", "hazard_per_year"}:
                    arr = np.clip(arr, 0.0, 1.0)
            self._cache[ref] = np.broadcast_to(arr, (self.n, self.n_years))
        return self._cache[ref]

    def money(self, refs: tuple[str, ...]) -> np.ndarray:
        out = np.ones((self.n, self.n_years))
        # £ per week times a number of weeks is £, not £ a year: the weeks replace the 52.
        has_weeks = any(self.param(r).unit == "weeks" for r in refs)
        for ref in refs:
            out = out * self.get(ref)
            unit = self.param(ref).unit
            factor = 1e-6 if (unit == "gbp_per_week" and has_weeks) else _MONEY_FACTORS.get(unit)
            if factor is not None:
                out = out * factor
        return out

    def is_unit_priced(self, refs: tuple[str, ...]) -> bool:
        """True when the money factor is a unit cost (indexed by the unit-cost trend), not £ million a year."""
        return any(self.param(r).unit in _MONEY_FACTORS and not self.param(r).unit.startswith("gbp_million")
                   and self.param(r).unit != "gbp_billion" for r in refs)

    def product(self, refs: tuple[str, ...]) -> np.ndarray:
        out = np.ones((self.n, self.n_years))
        for ref in refs:
            out = out * self.get(ref)
        return out

    def unit_cost(self, ref: str | None) -> np.ndarray:
        if ref is None:
            return np.zeros((self.n, self.n_years))
        return self.get(ref) * _MONEY_FACTORS[self.param(ref).unit]


UNIT_COST_GROWTH = "spend.unit_cost_growth"


def _unit_cost_index(system: Mapping[str, Parameter], multipliers: Mapping[str, np.ndarray], n_draws: int,
                     n_years: int) -> np.ndarray:
    """(1 + g)^(t - 1): unit costs are at year-1 (2023-24) prices and rise with the trend in unit costs the
    counterfactual extends (001_8bebe4ae25a58006.txt:3933); the Review's costs and savings are in the prices of
    the years they fall in (001_8bebe4ae25a58006.txt:4056)."""
    p = system.get(UNIT_COST_GROWTH)
    if p is None:
        return np.ones((n_draws, n_years))
    g = np.full(n_draws, p.first_value) * multipliers.get(UNIT_COST_GROWTH, np.ones(n_draws))
    return (1.0 + g[:, None]) ** np.arange(n_years)[None, :]


def per_year(v: np.ndarray, unit: str) -> np.ndarray:
    """A unit cost as £ a year (a weekly price x 52; per item, per child-year and per person-year as they are)."""
    return v * (52.0 if unit == "gbp_per_week" else 1.0)


def reach(lever: Lever, v: _Values, spend_gbp_m: np.ndarray, planned_gbp_m: np.ndarray | None = None) -> np.ndarray:
    """Share of the lever's target group reached: ``1 - exp(-places / target)``, places = money / unit cost.

    A lever without a ``dose`` buys its effect pro rata: reach = its ten-year spend / the ten-year spend at the
    lever file's own values, capped at 1, the same in every year (money spent setting a lever up buys the
    savings of the years after).
    """
    if lever.dose is None:
        if planned_gbp_m is None:
            return np.zeros_like(spend_gbp_m)
        planned = planned_gbp_m.sum(axis=1, keepdims=True)
        spent = spend_gbp_m.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(planned > 0, spent / planned, 0.0)
        return np.asarray(np.broadcast_to(np.clip(ratio, 0.0, 1.0), spend_gbp_m.shape))
    unit = per_year(v.get(lever.dose.unit_cost), v.param(lever.dose.unit_cost).unit)
    target = v.get(lever.dose.target)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where((unit > 0) & (target > 0), spend_gbp_m * 1e6 / (unit * target), 0.0)
    return np.asarray(1.0 - np.exp(-np.clip(x, 0.0, None)))


def national_context(n_draws: int = 1, system: Mapping[str, Parameter] | None = None) -> AreaContext:
    """England's context at central values (for a lever priced on its own)."""
    from careflow.reform.model import area_context

    return area_context(None, system or load_system_parameters(), n_draws)


def evaluate(
    lever: Lever,
    system: Mapping[str, Parameter],
    multipliers: Mapping[str, np.ndarray] | None = None,
    n_draws: int = 1,
    first_year: int = FIRST_YEAR,
    n_years: int = N_YEARS,
    scale: float | None = None,
    context: AreaContext | None = None,
    money_scale: float = 1.0,
) -> LeverResult:
    """Price one lever over ``n_years`` financial years for ``n_draws`` draws in an area's ``context``.

    ``multipliers`` maps full parameter names (``lever.param`` or ``unit_costs.x``) to per-draw multipliers;
    ``scale`` (default: the context's) multiplies every national £ and volume (an area's share);
    ``money_scale`` multiplies the lever's costs (what it spends), and so its reach: 0 buys nothing.
    """
    ctx = context if context is not None else national_context(n_draws, system)
    scale = ctx.scale if scale is None else scale
    mult = multipliers or {}
    v = _Values(lever, system, mult, n_draws, first_year, n_years)
    index = _unit_cost_index(system, mult, n_draws, n_years)
    spend = np.zeros((n_draws, n_years))  # £m at year-1 prices, national
    costs = np.zeros((n_draws, n_years))
    for comp in lever.costs:
        m = v.money(comp.product) * money_scale
        spend = spend + m
        costs = costs + m * (index if v.is_unit_priced(comp.product) else 1.0)
    costs = costs * scale
    planned: np.ndarray | None = None
    if lever.dose is None:
        raw = replace(lever, parameters={k: replace(p, scale=1.0) for k, p in lever.parameters.items()})
        vr = _Values(raw, system, mult, n_draws, first_year, n_years)
        planned = sum((vr.money(c.product) for c in lever.costs), start=np.zeros((n_draws, n_years)))
    r = reach(lever, v, spend, planned)
    # A lever's own savings are an effect like any other: bought by its spending (reach), never free.
    savings = np.zeros((n_draws, n_years))
    for comp in lever.savings:
        savings = savings + v.money(comp.product) * (index if v.is_unit_priced(comp.product) else 1.0)
    savings = savings * r * scale
    gross = savings.copy()
    cla = np.zeros((n_draws, n_years))
    entries = np.zeros((n_draws, n_years))
    by_group: dict[str, np.ndarray] = {}
    moved: dict[str, np.ndarray] = {}
    care_cost = ctx.care_cost * 1e-6 * index  # £ a year -> £ million
    avoided_all = np.zeros((n_draws, n_years))
    uplift_all = np.zeros((n_draws, n_years))
    returns_w = np.zeros((n_draws, n_years))  # uplift-weighted return hazard, for the joint run
    price_falls: dict[str, np.ndarray] = {}
    for e in lever.effects:
        sd = v.get(e.scale_down) if e.scale_down else np.ones((n_draws, n_years))
        if e.kind in {"entries", "exits"}:
            size = v.get(str(e.effect)) * r * sd
            avoided = np.zeros((n_draws, n_years))
            uplift = np.zeros((n_draws, n_years))
            if e.kind == "entries":
                share = np.full((n_draws, n_years), ctx.rates.non_uasc_share
                                * sum(ctx.rates.age_shares[b] for b in e.ages))
                for ref in e.target_share:
                    share = share * v.get(ref)
                avoided = np.clip(share * size, 0.0, 1.0)
            else:
                # the reason's hazard rises in the target age bands (and target share) only
                share = np.full((n_draws, n_years), ctx.rates.exit_share(str(e.reason), e.ages))
                for ref in e.target_share:
                    share = share * v.get(ref)
                uplift = share * size
            avoided_all = avoided_all + avoided
            uplift_all = uplift_all + uplift
            if e.returns:
                returns_w = returns_w + uplift * v.get(e.returns)
            back = v.get(e.returns) if e.returns else 0.0
            run = run_system(ctx.first_stock, ctx.cf_stock, ctx.starts, avoided, uplift, back)
            red = run.reduction
            mean = (np.concatenate([np.zeros((n_draws, 1)), red[:, :-1]], axis=1) + red) / 2.0
            savings = savings + mean * (care_cost - v.unit_cost(e.to_state) * index)
            cla = cla + red
            entries = entries + run.entries_avoided
            moved[e.name] = red
            gross = gross + np.abs(red)
            if e.diversion_group:
                by_group[e.diversion_group] = by_group.get(e.diversion_group, 0.0) + red
        elif e.kind == "carer_supply":
            saving, placed, _detail = carer_supply_effect(e, v, spend, index, scale, first_year)
            savings = savings + saving
            moved[e.name] = placed
            gross = gross + np.abs(saving)
        elif e.kind == "margin_price":
            saving, children, fall = margin_price_effect(e, v, ctx, spend, planned if planned is not None else spend,
                                                         index, n_draws)
            savings = savings + saving
            moved[e.name] = children
            price_falls[e.name] = fall * _private_share(str(e.placement))
            gross = gross + np.abs(saving)
        elif e.kind == "price":
            price_ref = ("unit_costs.residential_private_price" if e.placement == "residential"
                         else "unit_costs.foster_agency")
            stock = (np.concatenate([ctx.first_stock.reshape(-1, 1) * np.ones((n_draws, 1)), ctx.cf_stock[:, :-1]],
                                    axis=1) + ctx.cf_stock) / 2.0
            children = stock * ctx.rates.placement_shares[str(e.placement)]
            saving = children * v.unit_cost(price_ref) * v.get(str(e.effect)) * r * sd * index
            savings = savings + saving
            moved[e.name] = children * r * sd
            gross = gross + np.abs(saving)
        else:
            inflow = v.product(e.children) * r * sd
            h = v.get(str(e.hazard))
            stock = np.empty_like(inflow)
            prev = np.zeros(n_draws)
            for j in range(n_years):
                prev = prev * (1.0 - h[:, j]) + inflow[:, j]
                stock[:, j] = prev
            mean_stock = (np.concatenate([np.zeros((n_draws, 1)), stock[:, :-1]], axis=1) + stock) / 2.0
            savings = savings + mean_stock * (v.unit_cost(e.from_state) - v.unit_cost(e.to_state)) * index * scale
            moved[e.name] = stock * scale
            gross = gross + np.abs(stock) * scale
    return LeverResult(
        name=lever.name, costs=costs, savings=savings, net=savings - costs, cla_reduction=cla,
        by_diversion_group=by_group, moved=moved, entries_avoided=entries, reach=r, avoided_share=avoided_all,
        uplift=uplift_all, gross_effect=gross, returns_weighted=returns_w, price_fall=price_falls,
    )


def _private_share(placement: str) -> float:
    from careflow.supply.placements import private_share

    return private_share(placement)
