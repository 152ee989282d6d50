"""Unit costs: weekly cost of a placement by category × provider, as dated, sourced parameters.

The packaged file ``data/costs/weekly_unit_costs.yaml`` gives, for every placement category, an in-house and an
external (private or voluntary provider) weekly cost with the date from which it holds and its source. A user
file with the same layout overrides it. Costs are carried forward from their date to each projected month by
an inflation rate (default: the dated parameter ``data/parameters/unit_cost_inflation.yaml``; ``0`` keeps the
source's prices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from careflow.flows._errors import FlowConfigError
from careflow.flows.states import StateConfig

__all__ = ["UnitCost", "UnitCosts", "load_unit_costs"]

PACKAGED = Path(__file__).parent / "data" / "costs" / "weekly_unit_costs.yaml"
INFLATION = Path(__file__).parent / "data" / "parameters" / "unit_cost_inflation.yaml"
PROVIDERS = ("in_house", "external")


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
        for t, when in enumerate(dates):
            for k, cat in enumerate(states.category_names):
                mixed = 0.0
                for provider, share in (("in_house", 1 - external_share[k]), ("external", external_share[k])):
                    since, value = self.get(cat, provider).at(when)
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
    path = Path(path) if path is not None else PACKAGED
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
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
            if not isinstance(leaf, dict) or set(leaf) - {"reference", "values", "assumption", "description"}:
                raise FlowConfigError(f"{at}: expected reference, values and optional assumption")
            if not leaf.get("reference"):
                raise FlowConfigError(f"{at}: every unit cost needs a reference (a seed file:line or a document)")
            values = leaf.get("values") or {}
            if not values or not all(isinstance(d, date) for d in values):
                raise FlowConfigError(f"{at}: values must map dates (YYYY-MM-DD) to weekly £")
            if any(not isinstance(v, int | float) or v < 0 for v in values.values()):
                raise FlowConfigError(f"{at}: weekly costs must be non-negative numbers")
            costs.append(UnitCost(cat, provider, tuple(sorted((d, float(v)) for d, v in values.items())),
                                  str(leaf["reference"]).strip(), bool(leaf.get("assumption", False))))
    if inflation is None:
        doc = yaml.safe_load(INFLATION.read_text(encoding="utf-8"))
        inflation = float(sorted(doc["values"].items())[-1][1])
    result = UnitCosts(raw["unit"], tuple(costs), where, float(inflation))
    if states is not None:
        for cat in states.category_names:
            for provider in PROVIDERS:
                result.get(cat, provider)
    return result
