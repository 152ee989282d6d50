"""Scenarios as YAML: change entry rates (by age), transition or exit rates, or costs from a date.

Example file (your own; the shipped scenarios are reform levers, see below)::

    name: fewer_under_11s
    description: Entries of under-11s fall by 10% from April 2025 (a what-if of your own).
    reference: my LA's early help plan, 2025
    changes:
      - kind: entries
        from: 2025-04-01
        multiply: 0.9
        ages: [0, 10]          # years, inclusive: under 11

Kinds and their keys:

* ``entries``: ``multiply``, ``from``, optional ``until``, ``ages: [lo, hi]`` (years, inclusive), ``categories``.
* ``exits``: ``exit``, ``multiply``, ``from``, optional ``until``, ``categories`` (from), ``age_bands``.
* ``transitions``: ``from_category``, ``to_category``, ``multiply``, ``from``, optional ``until``, ``age_bands``.
* ``move``: a one-off move of a ``share`` of the children in ``from_category`` to ``to_category`` on a ``date``.
* ``costs``: ``multiply`` unit costs ``from`` a date, optional ``categories``.

A scenario is frozen: a run never changes it. Unknown states or exits, and dates outside the projection, are
:class:`~careflow.flows.ScenarioError` with the name or date and what was expected.

**Reform levers as scenarios.** A scenario file may instead name a lever of the reform model (``lever:
family_help``, optionally ``area: Leeds`` for the area whose share of UASC starts applies), and ``careflow forecast
--scenario family_help`` takes a lever name directly: the same lever file (``careflow/reform/parameters/levers``)
then drives the LA model and ``careflow reform``. :func:`scenario_from_lever` turns the lever's mechanisms into
changes financial year by financial year, each the cited effect x the share of the target group reached (national
money at the cited unit cost) x the scale-down:

* ``entries`` -> ``entries`` for the lever's age bands, ``multiply = 1 - effect x reach x scale-down x target
  share x non-UASC share`` (UASC are never diverted);
* ``exits`` -> ``exits`` (``sgo_cao``: special guardianship and child arrangements), ``multiply = 1 + ...``;
* ``price`` -> ``costs`` of children's homes or agency fostering, ``multiply = 1 - ...``;
* ``placement_shift`` between two placements -> a yearly ``move`` of the children moved that year as a share of the
  national stock in the placement they leave.

Years outside the projection are left out (a lever scenario is clipped to the horizon, never refused for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from careflow.flows._errors import FlowConfigError, ScenarioError
from careflow.flows.states import AGE_OUT_MONTHS, StateConfig

__all__ = ["Change", "CompiledScenario", "Scenario", "compile_scenario", "load_scenario", "packaged_scenarios",
           "scenario_from_lever"]

PACKAGED = Path(__file__).parent / "data" / "scenarios"
KINDS = {
    "entries": ({"kind", "multiply", "from", "until", "ages", "categories"}, {"multiply", "from"}),
    "exits": ({"kind", "exit", "multiply", "from", "until", "categories", "age_bands"}, {"exit", "multiply", "from"}),
    "transitions": (
        {"kind", "from_category", "to_category", "multiply", "from", "until", "age_bands"},
        {"from_category", "to_category", "multiply", "from"},
    ),
    "move": (
        {"kind", "from_category", "to_category", "share", "date"},
        {"from_category", "to_category", "share", "date"},
    ),
    "costs": ({"kind", "multiply", "from", "until", "categories"}, {"multiply", "from"}),
}


@dataclass(frozen=True)
class Change:
    """One change of a scenario (its YAML mapping, checked)."""

    kind: str
    values: tuple[tuple[str, Any], ...]

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.values).get(key, default)


@dataclass(frozen=True)
class Scenario:
    """A named set of changes from dates; frozen while a run uses it."""

    name: str
    description: str
    reference: str
    changes: tuple[Change, ...] = field(default_factory=tuple)
    source: str = ""
    clip_to_horizon: bool = False

    @classmethod
    def from_dict(cls, raw: Any, source: str = "<scenario>") -> Scenario:
        if not isinstance(raw, dict):
            raise ScenarioError(f"{source}: a scenario is a mapping with name, description and changes")
        if "lever" in raw:
            unknown = set(raw) - {"name", "description", "reference", "lever", "area"}
            if unknown:
                raise ScenarioError(f"{source}: unknown key(s) {sorted(unknown)} for a lever scenario; expected "
                                    "name, description, reference, lever, area")
            base = scenario_from_lever(str(raw["lever"]), area=raw.get("area"))
            return cls(str(raw.get("name", base.name)), str(raw.get("description", base.description)),
                       str(raw.get("reference", base.reference)), base.changes, source, True)
        unknown = set(raw) - {"name", "description", "reference", "changes"}
        if unknown:
            raise ScenarioError(f"{source}: unknown key(s) {sorted(unknown)}; expected name, description, "
                                "reference, changes")
        if "name" not in raw or "changes" not in raw:
            raise ScenarioError(f"{source}: a scenario needs 'name' and 'changes'")
        changes = []
        for i, ch in enumerate(raw["changes"] or []):
            where = f"{source} changes[{i}]"
            if not isinstance(ch, dict) or "kind" not in ch:
                raise ScenarioError(f"{where}: each change is a mapping with a 'kind' ({', '.join(KINDS)})")
            kind = ch["kind"]
            if kind not in KINDS:
                raise ScenarioError(f"{where}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
            allowed, required = KINDS[kind]
            if set(ch) - allowed:
                raise ScenarioError(f"{where}: unknown key(s) {sorted(set(ch) - allowed)} for kind {kind}; "
                                    f"allowed: {sorted(allowed)}")
            if required - set(ch):
                raise ScenarioError(f"{where}: kind {kind} needs {sorted(required - set(ch))}")
            for key in ("multiply", "share"):
                if key in ch and (not isinstance(ch[key], int | float) or ch[key] < 0):
                    raise ScenarioError(f"{where}: {key} must be a non-negative number, not {ch[key]!r}")
            if "share" in ch and ch["share"] > 1:
                raise ScenarioError(f"{where}: share must be between 0 and 1, not {ch['share']}")
            for key in ("from", "until", "date"):
                if key in ch and not isinstance(ch[key], date):
                    raise ScenarioError(f"{where}: {key} {ch[key]!r} is not a date (YYYY-MM-DD)")
            changes.append(Change(kind, tuple(sorted((k, _freeze(v)) for k, v in ch.items() if k != "kind"))))
        return cls(str(raw["name"]), str(raw.get("description", "")), str(raw.get("reference", "")),
                   tuple(changes), source)


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Load a scenario YAML file, or a packaged scenario by name (see :func:`packaged_scenarios`)."""
    path = Path(path_or_name)
    if not path.exists():
        candidate = PACKAGED / f"{path_or_name}.yaml"
        if not candidate.exists():
            levers = _lever_names()
            if str(path_or_name) in levers:
                return scenario_from_lever(str(path_or_name))
            raise ScenarioError(f"no scenario file {path_or_name!r} and no packaged scenario or reform lever of that "
                                f"name; packaged: {', '.join(packaged_scenarios())}; levers: {', '.join(levers)}")
        path = candidate
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(raw, dict) and "group" in raw and "changes" not in raw:  # a reform lever file
        return scenario_from_lever(path)
    return Scenario.from_dict(raw, path.name)


def packaged_scenarios() -> list[str]:
    """Names of the example scenarios shipped with careflow."""
    return sorted(p.stem for p in PACKAGED.glob("*.yaml"))


def _lever_names() -> list[str]:
    from careflow.reform.levers import parameters_dir

    return sorted(p.stem for p in (parameters_dir() / "levers").glob("*.yaml"))


# Reform age bands -> whole years (inclusive) of the flows entries change.
_BAND_AGES = {"0_4": (0, 4), "5_9": (5, 9), "10_15": (10, 15), "16_plus": (16, 17)}
_EXITS = {"home": ("home",), "sgo_cao": ("special_guardianship", "child_arrangements"), "adoption": ("adoption",),
          "other": ("other",)}
_PRICED = {"residential": ("childrens_home",), "foster_agency": ("foster_independent",)}
# Unit costs of the reform's placements -> flows placement categories, and the national stock each holds.
_PLACED = {"unit_costs.foster_agency": ("foster_independent", "volumes.children_in_agency_foster_care"),
           "unit_costs.residential": ("childrens_home", "volumes.children_in_childrens_homes"),
           "unit_costs.foster": ("foster_in_house", None)}


def scenario_from_lever(lever: str | Path, area: str | None = None) -> Scenario:
    """The flows scenario a reform lever means: its mechanisms as yearly changes (see the module docstring).

    ``lever``: a shipped lever's name or a lever file; ``area``: whose share of non-UASC starts applies
    (default England).
    """
    from careflow.errors import CareflowError
    from careflow.reform.levers import FIRST_YEAR, N_YEARS, evaluate, load_lever, load_levers, load_system_parameters
    from careflow.reform.model import area_context

    try:
        system = load_system_parameters()
        if Path(lever).suffix in {".yaml", ".yml"}:
            lv = load_lever(Path(lever), system)
        else:
            catalogue = load_levers()
            if str(lever) not in catalogue:
                raise ScenarioError(f"no reform lever {str(lever)!r}; levers: {', '.join(catalogue)}")
            lv = catalogue[str(lever)]
        ctx = area_context(area, system)
        result = evaluate(lv, system, context=ctx)
    except ScenarioError:
        raise
    except CareflowError as exc:
        raise ScenarioError(f"lever {lever!s}: {exc}") from None
    reach = result.reach[0] if result.reach is not None else np.zeros(N_YEARS)

    def value(ref: str | None) -> np.ndarray:
        if ref is None:
            return np.ones(N_YEARS)
        p = lv.parameters.get(ref) or system[ref]
        return np.asarray(p.by_financial_year(FIRST_YEAR, N_YEARS), dtype=float)

    changes: list[Change] = []

    def add(kind: str, **values: Any) -> None:
        changes.append(Change(kind, tuple(sorted((k, _freeze(v)) for k, v in values.items()))))

    for t in range(N_YEARS):
        start = date(FIRST_YEAR + t, 4, 1)
        until = None if t == N_YEARS - 1 else date(FIRST_YEAR + t + 1, 4, 1)
        span = {"from": start} | ({"until": until} if until else {})
        for e in lv.effects:
            size = float(value(e.effect)[t] * reach[t] * value(e.scale_down)[t]) if e.effect else 0.0
            if e.kind == "entries" and size > 0:
                share = ctx.rates.non_uasc_share
                for ref in e.target_share:
                    share *= float(value(ref)[t])
                for band in e.ages:
                    add("entries", multiply=max(0.0, 1.0 - size * share), ages=list(_BAND_AGES[band]), **span)
            elif e.kind == "exits" and size > 0:
                # the reason's hazard rises for the target share in the target age bands; on the LA's own
                # model the same number of extra exits is spread over every band (its bands differ)
                reason = str(e.reason)
                part = ctx.rates.exit_share(reason, e.ages) / max(1e-12, ctx.rates.exit_share(reason))
                for ref in e.target_share:
                    part *= float(value(ref)[t])
                for exit_name in _EXITS[reason]:
                    add("exits", exit=exit_name, multiply=1.0 + size * part, **span)
            elif e.kind == "price" and size > 0:
                add("costs", multiply=max(0.0, 1.0 - size), categories=list(_PRICED[str(e.placement)]), **span)
            elif e.kind in {"carer_supply", "margin_price"}:
                _supply_change(e, result, t, value, add, span, start)
            elif e.kind == "placement_shift" and e.from_state in _PLACED and e.to_state in _PLACED:
                moved = float(np.prod([value(c)[t] for c in e.children]) * reach[t] * value(e.scale_down)[t])
                src, stock_ref = _PLACED[e.from_state]
                if moved > 0 and stock_ref is not None:
                    share = min(1.0, moved / float(value(stock_ref)[t]))
                    add("move", from_category=src, to_category=_PLACED[e.to_state][0], share=share, date=start)
    refs = "; ".join(lv.reference)
    return Scenario(name=lv.name, description=f"The reform lever '{lv.title}' ({lv.source}) as an LA scenario.",
                    reference=refs, changes=tuple(changes), source=lv.source, clip_to_horizon=True)


def _supply_change(e: Any, result: Any, t: int, value: Any, add: Any, span: dict[str, Any], start: date) -> None:
    """A lever effect that acts through careflow.supply (careflow/reform/supply_effects.py) as a flows change:
    a price fall on the placement's weekly cost, or the year's new foster places as a move from agency fostering."""
    if e.kind == "margin_price":
        fall = float(result.price_fall[e.name][0, t])
        if fall > 0:
            add("costs", multiply=max(0.0, 1.0 - fall), categories=list(_PRICED[str(e.placement)]), **span)
        return
    placed = result.moved[e.name][0]
    new = float(placed[t] - (placed[t - 1] if t else 0.0))
    src, stock_ref = _PLACED[str(e.from_state)]
    if new > 0 and stock_ref is not None:
        add("move", from_category=src, to_category=_PLACED[str(e.to_state)][0],
            share=min(1.0, new / float(value(stock_ref)[t])), date=start)


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario as multipliers by projection month (step t covers month t + 1).

    entry (T, A, K) on entries by age in months and first category; hazard (T, B, K, K+E) on rates;
    cost (T, K) on unit costs; moves: (step, from, to, share) applied at the start of the step.
    """

    name: str
    entry: np.ndarray
    hazard: np.ndarray
    cost: np.ndarray
    moves: tuple[tuple[int, int, int, float], ...]

    @property
    def is_baseline(self) -> bool:
        return not self.moves and bool(np.all(self.entry == 1) and np.all(self.hazard == 1) and np.all(self.cost == 1))


def compile_scenario(
    scenario: Scenario | None, states: StateConfig, dates: list[date], start_date: date
) -> CompiledScenario:
    """Multipliers for each projection month; checks every name and date against the states and horizon."""
    t, k, e, b = len(dates), len(states.categories), len(states.exits), len(states.age_bands)
    entry = np.ones((t, AGE_OUT_MONTHS, k))
    hazard = np.ones((t, b, k, k + e))
    cost = np.ones((t, k))
    moves: list[tuple[int, int, int, float]] = []
    if scenario is None:
        return CompiledScenario("baseline", entry, hazard, cost, ())
    month_start = np.array([start_date, *dates[:-1]], dtype="datetime64[D]")  # each step begins the day after
    for i, ch in enumerate(scenario.changes):
        where = f"scenario {scenario.name!r} ({scenario.source}) change {i + 1} ({ch.kind})"
        try:
            if scenario.clip_to_horizon and not _overlaps(ch, dates, start_date):
                continue
            if ch.kind == "move":
                step = _step_of(max(ch.get("date"), start_date + timedelta(days=1)) if scenario.clip_to_horizon
                                else ch.get("date"), dates, start_date, where, "date")
                moves.append((step, states.check_category(ch.get("from_category"), where),
                              states.check_category(ch.get("to_category"), where), float(ch.get("share"))))
                continue
            active = (_active_clipped(ch, dates, month_start, start_date) if scenario.clip_to_horizon
                      else _active(ch, dates, month_start, start_date, where))
            m = float(ch.get("multiply"))
            if ch.kind == "entries":
                ages = np.ones(AGE_OUT_MONTHS, dtype=bool)
                if ch.get("ages") is not None:
                    lo, hi = _age_range(ch.get("ages"), where)
                    months = np.arange(AGE_OUT_MONTHS)
                    ages = (months >= lo * 12) & (months < (hi + 1) * 12)
                cats = _cats(ch.get("categories"), states, where)
                sel = np.ix_(active, ages, cats)
                entry[sel] *= m
            elif ch.kind == "exits":
                j = k + states.check_exit(ch.get("exit"), where)
                bands = _bands(ch.get("age_bands"), states, where)
                cats = _cats(ch.get("categories"), states, where)
                hazard[np.ix_(active, bands, cats, np.array([j]))] *= m
            elif ch.kind == "transitions":
                src = states.check_category(ch.get("from_category"), where)
                dst = states.check_category(ch.get("to_category"), where)
                if src == dst:
                    raise ScenarioError(f"{where}: from_category and to_category are both {ch.get('to_category')}")
                bands = _bands(ch.get("age_bands"), states, where)
                hazard[np.ix_(active, bands, np.array([src]), np.array([dst]))] *= m
            elif ch.kind == "costs":
                cats = _cats(ch.get("categories"), states, where)
                cost[np.ix_(active, cats)] *= m
        except FlowConfigError as exc:  # unknown names from StateConfig checks
            raise ScenarioError(str(exc)) from None
    return CompiledScenario(scenario.name, entry, hazard, cost, tuple(moves))


def _overlaps(ch: Change, dates: list[date], start_date: date) -> bool:
    """Whether a change of a clipped (lever) scenario falls inside the projection at all."""
    if ch.kind == "move":
        return start_date < ch.get("date") <= dates[-1]
    until = ch.get("until")
    return ch.get("from") <= dates[-1] and (until is None or until > start_date)


def _active_clipped(ch: Change, dates: list[date], month_start: np.ndarray, start_date: date) -> np.ndarray:
    active = month_start >= np.datetime64(max(ch.get("from"), start_date))
    until = ch.get("until")
    if until is not None:
        active &= month_start < np.datetime64(until)
    return np.asarray(active)


def _step_of(when: date, dates: list[date], start_date: date, where: str, key: str) -> int:
    if when <= start_date or when > dates[-1]:
        raise ScenarioError(
            f"{where}: {key} {when} is outside the projection, which runs from {start_date} (exclusive) to "
            f"{dates[-1]}; choose a date inside it or lengthen the horizon"
        )
    return next(i for i, d in enumerate(dates) if when <= d)


def _active(ch: Change, dates: list[date], month_start: np.ndarray, start_date: date, where: str) -> np.ndarray:
    first = _step_of(ch.get("from"), dates, start_date, where, "from")
    until = ch.get("until")
    active = np.zeros(len(dates), dtype=bool)
    active[first:] = True
    if until is not None:
        if until <= ch.get("from"):
            raise ScenarioError(f"{where}: until {until} is not after from {ch.get('from')}")
        active &= month_start < np.datetime64(until)
    return active


def _age_range(ages: Any, where: str) -> tuple[int, int]:
    if not isinstance(ages, tuple | list) or len(ages) != 2 or not all(isinstance(a, int) for a in ages):
        raise ScenarioError(f"{where}: ages must be [lowest, highest] in whole years, e.g. [0, 10]; got {ages!r}")
    lo, hi = int(ages[0]), int(ages[1])
    if not 0 <= lo <= hi <= 17:
        raise ScenarioError(f"{where}: ages [{lo}, {hi}] must lie within 0 to 17 with lowest <= highest")
    return lo, hi


def _cats(names: Any, states: StateConfig, where: str) -> np.ndarray:
    if names is None:
        return np.arange(len(states.categories))
    names = [names] if isinstance(names, str) else list(names)
    return np.array([states.check_category(n, where) for n in names], dtype=np.int64)


def _bands(names: Any, states: StateConfig, where: str) -> np.ndarray:
    if names is None:
        return np.arange(len(states.age_bands))
    names = [names] if isinstance(names, str) else list(names)
    return np.array([states.check_band(n, where) for n in names], dtype=np.int64)
