"""Reform levers as data, and the vectorised engine that prices them.

A lever file (``parameters/levers/<name>.yaml``) holds the lever's metadata, its own dated parameters, and three
lists that say how the parameters combine:

``costs`` / ``savings``
    Each item is a ``product`` of parameters (the lever's own, or system parameters such as
    ``unit_costs.looked_after``) giving £ million in each financial year. Exactly one factor carries a £ unit;
    the engine converts £ per week, £ per child-year and £ per item to £ million.
``effects``
    Children moved between states by the lever. Each has a ``kind`` (``entries_avoided``,
    ``exits_brought_forward`` or ``placement_shift``), a ``flow`` key (two levers in one package may not act on
    the same flow: the model would count the same children twice), the yearly number of children moved
    (``children``, a product), the ``hazard`` at which the moved children would otherwise have left the state
    they were spared, and the unit costs of the two states (``from`` and ``to``). The moved stock follows
    ``stock(t) = stock(t-1) x (1 - hazard) + moved(t)``; it saves ``mean stock x (cost(from) - cost(to))``.
    Entries avoided and exits brought forward reduce the number of children looked after; a placement shift
    only changes their placement.

Net impact on public finance in year t (the Review's sign convention: positive = saving) is
``sum(savings) + sum(effect savings) - sum(costs)``, in constant prices (001_8bebe4ae25a58006.txt:4056).
Every quantity is an array with a leading axis of Monte Carlo draws, so 10,000 draws cost one pass.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from careflow.reform.errors import ParameterError, suggest
from careflow.reform.params import Parameter, load_unit_costs, parse_parameter, read_yaml

__all__ = [
    "EFFECT_KINDS",
    "FIRST_YEAR",
    "GROUPS",
    "N_YEARS",
    "Component",
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
EFFECT_KINDS = ("entries_avoided", "exits_brought_forward", "placement_shift")
# The Review's table rows, in order (001_8bebe4ae25a58006.txt:4026-4054).
GROUPS = ("Family Help", "Care", "Alternatives to care", "Care Leaver Missions", "Workforce", "Child Advocacy",
          "Parental Representation")
# The three groups the Review splits the 30,000 fewer children looked after into (001_8bebe4ae25a58006.txt:3945).
DIVERSION_GROUPS = ("family_help", "kinship_and_family_networks", "workforce_and_family_finding")

LEVER_KEYS = {"title", "description", "group", "order", "diversion_group", "reference", "parameters", "costs",
              "savings", "effects", "note"}
COMPONENT_KEYS = {"name", "description", "product"}
EFFECT_KEYS = {"name", "description", "kind", "flow", "children", "hazard", "from", "to", "diversion_group"}
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
    """Children moved between two states by a lever."""

    name: str
    description: str
    kind: str
    flow: str
    children: tuple[str, ...]
    hazard: str
    from_state: str | None
    to_state: str | None
    diversion_group: str | None

    @property
    def reduces_cla(self) -> bool:
        return self.kind != "placement_shift"


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
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in the system parameters", problems)
    return tuple(out.items())


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
        flow = item.get("flow")
        if not isinstance(flow, str) or "." not in flow:
            problems.append(f"{ctx}.flow: expected a flow key such as 'entries.family_help'")
        children = _names(item.get("children"), f"{ctx}.children", problems)
        for ref in children:
            check_ref(ref, f"{ctx}.children")
        if not isinstance(item.get("hazard"), str):
            problems.append(f"{ctx}.hazard: missing (a parameter name)")
        else:
            check_ref(item["hazard"], f"{ctx}.hazard")
        if item.get("from") is None and item.get("to") is None:
            problems.append(f"{ctx}: give 'from' and/or 'to' (the unit costs of the states children move between)")
        if item.get("from") is not None:
            if isinstance(item["from"], str):
                check_ref(item["from"], f"{ctx}.from")
            else:
                problems.append(f"{ctx}.from: expected a parameter name")
        if isinstance(item.get("hazard"), str) and unit_of(item["hazard"]) not in {"hazard_per_year", ""}:
            problems.append(f"{ctx}.hazard: {item['hazard']!r} must have unit hazard_per_year")
        for key in ("from", "to"):
            state = item.get(key)
            if isinstance(state, str) and state in known and unit_of(state) not in _MONEY_FACTORS:
                problems.append(f"{ctx}.{key}: {state!r} must be a unit cost (£ per child-year or £ per week)")
        if item.get("to") is not None:
            if isinstance(item["to"], str):
                check_ref(item["to"], f"{ctx}.to")
            else:
                problems.append(f"{ctx}.to: expected a parameter name")
        dgroup = item.get("diversion_group", raw.get("diversion_group"))
        if dgroup is not None and dgroup not in DIVERSION_GROUPS:
            problems.append(f"{ctx}.diversion_group: {dgroup!r} is not one of {DIVERSION_GROUPS}")
        to_state, from_state = item.get("to"), item.get("from")
        effects.append(Effect(str(item.get("name", f"effect{i}")), str(item.get("description", "")), str(kind),
                              str(flow), children, str(item.get("hazard")),
                              None if from_state is None else str(from_state),
                              None if to_state is None else str(to_state), dgroup))
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
        diversion_group=raw.get("diversion_group"), source=where, note=raw.get("note"),
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


def evaluate(
    lever: Lever,
    system: Mapping[str, Parameter],
    multipliers: Mapping[str, np.ndarray] | None = None,
    n_draws: int = 1,
    first_year: int = FIRST_YEAR,
    n_years: int = N_YEARS,
    scale: float = 1.0,
) -> LeverResult:
    """Price one lever over ``n_years`` financial years for ``n_draws`` draws.

    ``multipliers`` maps full parameter names (``lever.param`` or ``unit_costs.x``) to per-draw multipliers;
    ``scale`` multiplies every £ and every child (an area's share of the national package).
    """
    v = _Values(lever, system, multipliers or {}, n_draws, first_year, n_years)
    index = _unit_cost_index(system, multipliers or {}, n_draws, n_years)
    costs = np.zeros((n_draws, n_years))
    for c in lever.costs:
        costs = costs + v.money(c.product) * (index if v.is_unit_priced(c.product) else 1.0)
    savings = np.zeros((n_draws, n_years))
    for s in lever.savings:
        savings = savings + v.money(s.product) * (index if v.is_unit_priced(s.product) else 1.0)
    cla = np.zeros((n_draws, n_years))
    by_group: dict[str, np.ndarray] = {}
    moved: dict[str, np.ndarray] = {}
    for e in lever.effects:
        inflow = v.product(e.children)
        h = v.get(e.hazard)
        stock = np.empty_like(inflow)
        prev = np.zeros(n_draws)
        for j in range(n_years):
            prev = prev * (1.0 - h[:, j]) + inflow[:, j]
            stock[:, j] = prev
        mean_stock = (np.concatenate([np.zeros((n_draws, 1)), stock[:, :-1]], axis=1) + stock) / 2.0
        saving = mean_stock * (v.unit_cost(e.from_state) - v.unit_cost(e.to_state)) * index
        savings = savings + saving
        moved[e.name] = stock * scale
        if e.reduces_cla:
            cla = cla + stock
            if e.diversion_group:
                by_group[e.diversion_group] = by_group.get(e.diversion_group, 0.0) + stock * scale
    return LeverResult(
        name=lever.name, costs=costs * scale, savings=savings * scale, net=(savings - costs) * scale,
        cla_reduction=cla * scale, by_diversion_group=by_group, moved=moved,
    )
