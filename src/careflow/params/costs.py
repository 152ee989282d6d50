"""The unit-cost library: one set of cited unit costs for the LA model, the reform model and journey costing.

Every unit cost is a parameter file in ``careflow/params/data/unit_costs/`` (name = the file's stem, e.g.
``residential``), dated and cited like any other parameter. Where sources differ the file cites each and says,
in its ``note``, which is used and why (``residential.yaml``: £4,971 a week, not the CMA's £3,830 price).

Example:
    >>> unit_cost("residential").value_at(dt.date(2024, 4, 1))
    4971
    >>> round(weekly_cost("looked_after", dt.date(2024, 4, 1)), 1)  # £44,600 a year / 52
    857.7
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from careflow.params._core import Parameter, ParameterError, ParameterSet, load_dir

__all__ = ["UNIT_COSTS_DIR", "WEEKS_PER_YEAR", "unit_cost", "unit_costs", "weekly_cost"]

UNIT_COSTS_DIR = Path(__file__).parent / "data" / "unit_costs"
# A yearly cost per child becomes a weekly one over 52 weeks, as the sources' weekly figures are quoted
# (e.g. £44,600 a year, 000_dab62616b6dfd7b9.txt:574, is £858 a week).
WEEKS_PER_YEAR = 52


@cache
def unit_costs() -> ParameterSet:
    """Every unit cost in the library, by name (loaded once, strictly)."""
    return load_dir(UNIT_COSTS_DIR, citation_required=True)


def unit_cost(name: str) -> Parameter:
    """One unit cost by name (``residential``, ``foster``, ``looked_after``, ...).

    Raises:
        ParameterError: no such unit cost (the message names the nearest).
    """
    return unit_costs()[name]


def weekly_cost(name: str, when: dt.date) -> float:
    """The weekly £ of unit cost ``name`` holding on ``when`` (a yearly cost per child divided by 52).

    Raises:
        ParameterError: the unit cost is not weekly or yearly per child, or has no value on ``when``.
    """
    p = unit_cost(name)
    value = float(p.value_at(when))
    if p.unit == "gbp_per_week":
        return value
    if p.unit == "gbp_per_child_year":
        return value / WEEKS_PER_YEAR
    raise ParameterError(f"unit cost {name} is in {p.unit}, not a cost per week or per child-year ({p.source})")
