"""Unit costs: weekly cost of a placement by category × provider, as dated, sourced parameters.

The packaged file ``data/costs/weekly_unit_costs.yaml`` names, for every placement category, the in-house and the
external (private or voluntary provider) weekly cost in careflow's one unit-cost library
(:mod:`careflow.params.costs`), where each is dated and cited; the reform model prices from the same files. A user
file with the same layout overrides it, a leaf giving either ``unit_cost: <name>`` or its own ``reference`` and
``values``. Costs are carried forward from their date to each projected month by
an inflation rate (default: the dated parameter ``data/parameters/unit_cost_inflation.yaml``; ``0`` keeps the
source's prices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from careflow import params
from careflow.flows._errors import FlowConfigError
from careflow.flows._files import cached_by_file
from careflow.flows.states import StateConfig

__all__ = ["UnitCost", "UnitCosts", "flow_parameter", "load_unit_costs"]

PACKAGED = Path(__file__).parent / "data" / "costs" / "weekly_unit_costs.yaml"
INFLATION = Path(__file__).parent / "data" / "parameters" / "unit_cost_inflation.yaml"
PROVIDERS = ("in_house", "external")


def flow_parameter(name: str) -> params.Parameter:
    """A parameter of the LA model in ``data/parameters/<name>.yaml``, through careflow's parameter library.

    Raises:
        FlowConfigError: no such file, or the file is malformed (the message names the file and key).
    """
    path = INFLATION.parent / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in INFLATION.parent.glob("*.yaml"))
        raise FlowConfigError(f"no flows parameter {name!r} (known: {', '.join(known)})")
    return _parameter_file(path)


@cached_by_file
def _parameter_file(path: Path) -> params.Parameter:
    """One flows parameter file, read once per process (each fit and each projection's costs ask for one)."""
    try:
        return params.load_file(path, name=path.stem)[path.stem]
    except params.ParameterError as exc:
        raise FlowConfigError(str(exc)) from None


@dataclass(frozen=True)
class UnitCost:
    """One dated weekly cost with its source."""

    category: str
    provider: str
    values: tuple[tuple[date, float], ...]
    reference: str
    assumption: bool = False

    def at(self, when: date) -> tuple[date, float]:
        """The value holding on ``when`` and the date it holds from (the first value before any)."""
        held = [(d, v) for d, v in self.values if d <= when]
        return held[-1] if held else self.values[0]


@dataclass(frozen=True)
class UnitCosts:
    """Weekly unit costs for every category × provider, and the inflation rule."""

    unit: str
    costs: tuple[UnitCost, ...]
    source: str
    inflation: float

    def get(self, category: str, provider: str) -> UnitCost:
        for cost in self.costs:
            if cost.category == category and cost.provider == provider:
                return cost
        raise FlowConfigError(f"{self.source}: no {provider} unit cost for {category}")

    def weekly(self, states: StateConfig, dates: list[date], external_share: np.ndarray) -> np.ndarray:
        """Weekly cost per child (T, K) at each month end: the provider mix × each cost, inflated to the date."""
        out = np.zeros((len(dates), len(states.categories)))
        # Each category's two costs looked up once, not once per month (the same scalar sums, month by month).
        mixes = [[(self.get(cat, provider), share) for provider, share in
                  (("in_house", 1 - external_share[k]), ("external", external_share[k]))]
                 for k, cat in enumerate(states.category_names)]
        for t, when in enumerate(dates):
            for k, costs in enumerate(mixes):
                mixed = 0.0
                for cost, share in costs:
                    since, value = cost.at(when)
                    years = (when - since).days / 365.25
                    mixed += share * value * (1 + self.inflation) ** years
                out[t, k] = mixed
        return out

    def table(self) -> list[dict[str, Any]]:
        """Rows for the report: category, provider, value, from, reference."""
        return [
            {"category": c.category, "provider": c.provider, "weekly_gbp": c.values[-1][1],
             "from": c.values[-1][0].isoformat(), "reference": c.reference, "assumption": c.assumption}
            for c in self.costs
        ]


def load_unit_costs(
    path: str | Path | None = None, *, states: StateConfig | None = None, inflation: float | None = None
) -> UnitCosts:
    """Load unit costs (packaged by default), check them against the states, and fix the inflation rate.

    Raises:
        FlowConfigError: a category without an in-house and external cost, a value without a date or reference,
            unknown keys.
    """
    unit, costs, where = _read_costs(Path(path) if path is not None else PACKAGED)
    if inflation is None:
        inflation = float(flow_parameter("unit_cost_inflation").value)
    result = UnitCosts(unit, costs, where, float(inflation))
    if states is not None:
        for cat in states.category_names:
            for provider in PROVIDERS:
                result.get(cat, provider)
    return result


@cached_by_file
def _read_costs(path: Path) -> tuple[str, tuple[UnitCost, ...], str]:
    """A unit-cost file's unit, costs and name, read once per process (each projection is priced)."""
    where = path.name
    try:
        raw = params.read_yaml(path)
    except params.ParameterError as exc:
        raise FlowConfigError(str(exc)) from None
    if not isinstance(raw, dict) or set(raw) - {"description", "unit", "categories"}:
        raise FlowConfigError(f"{where}: expected keys description, unit, categories")
    if raw.get("unit") != "gbp_per_week":
        raise FlowConfigError(f"{where}: unit must be gbp_per_week, not {raw.get('unit')!r}")
    costs = []
    for cat, providers in (raw.get("categories") or {}).items():
        for provider, leaf in providers.items():
            at = f"{where} {cat}.{provider}"
            if provider not in PROVIDERS:
                raise FlowConfigError(f"{at}: provider must be one of {PROVIDERS}")
            costs.append(_leaf(cat, provider, leaf, at))
    return str(raw["unit"]), tuple(costs), where


_OWN_KEYS = {"reference", "values", "assumption", "description"}
_LIBRARY_KEYS = {"unit_cost", "assumption", "reason"}


def _leaf(cat: str, provider: str, leaf: Any, at: str) -> UnitCost:
    """One category × provider cost: from the unit-cost library (``unit_cost: name``) or given in the file."""
    if isinstance(leaf, dict) and "unit_cost" in leaf:
        if set(leaf) - _LIBRARY_KEYS:
            raise FlowConfigError(f"{at}: unknown key(s) {sorted(set(leaf) - _LIBRARY_KEYS)}; a leaf naming a unit "
                                  f"cost takes {sorted(_LIBRARY_KEYS)}")
        try:
            cost = params.unit_cost(str(leaf["unit_cost"]))
        except params.ParameterError as exc:
            raise FlowConfigError(f"{at}: {exc}") from None
        if cost.unit == "gbp_per_week":
            per_week = 1.0
        elif cost.unit == "gbp_per_child_year":
            per_week = 1.0 / params.costs.WEEKS_PER_YEAR
        else:
            raise FlowConfigError(f"{at}: unit cost {cost.name} is in {cost.unit}, not £ a week or a child-year")
        reference = f"unit_costs.{cost.name}: " + cost.references
        if cost.unit == "gbp_per_child_year":
            reference += " (a year / 52)"
        if leaf.get("reason"):
            reference += f"; {' '.join(str(leaf['reason']).split())}"
        return UnitCost(cat, provider, tuple((d, float(v) * per_week) for d, v in cost.values), reference,
                        bool(leaf.get("assumption", False)) or cost.assumption)
    if not isinstance(leaf, dict) or set(leaf) - _OWN_KEYS:
        raise FlowConfigError(f"{at}: expected unit_cost (a name in the unit-cost library), or reference, values "
                              "and optional assumption")
    if not leaf.get("reference"):
        raise FlowConfigError(f"{at}: every unit cost needs a reference (a seed file:line or a document)")
    problems: list[str] = []
    params.check_reference(leaf["reference"], at, problems)
    if problems:
        raise FlowConfigError("; ".join(problems))
    values = leaf.get("values") or {}
    if not values or not all(isinstance(d, date) for d in values):
        raise FlowConfigError(f"{at}: values must map dates (YYYY-MM-DD) to weekly £")
    if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in values.values()):
        raise FlowConfigError(f"{at}: weekly costs must be non-negative numbers")
    return UnitCost(cat, provider, tuple(sorted((d, float(v)) for d, v in values.items())),
                    " ".join(str(leaf["reference"]).split()), bool(leaf.get("assumption", False)))
