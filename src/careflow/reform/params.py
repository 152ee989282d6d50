"""Parameters as data: dated values with a unit, a reference and (optionally) an uncertainty.

A parameter is a YAML mapping (OpenFisca style)::

    description: Public services cost of a child in care.
    unit: gbp_per_child_year
    reference: 001_8bebe4ae25a58006.txt:996
    values:
      2021-04-01: 70900
    uncertainty: {distribution: triangular, low: 0.8, mode: 1.0, high: 1.2, basis: "..."}

Values are a step function of the date: a value holds from its date until the next one. The loader is strict:
unknown keys, a missing unit or reference, dates outside the model's years, negative costs or counts, and
fractions or hazards above 1 are all reported together, each with the file and key, never silently accepted.
A parameter tuned so that the model matches a published figure says so (``calibrated: true`` and
``calibrated_to:`` naming the figure).

The schema and the loader are careflow's one parameter library, :mod:`careflow.params`; this module fixes the
reform model's years, requires citations in the reform's form, and keeps the reform's reading of a date before a
parameter's first value: 0 (a policy not yet in force).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from careflow import params as _params
from careflow.params import UNITS, Uncertainty
from careflow.reform.errors import ParameterError

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "PARAMETER_KEYS",
    "UNITS",
    "Parameter",
    "Uncertainty",
    "load_unit_costs",
    "parse_parameter",
    "read_yaml",
]

# The model's years: published series start in 1994 (year ending 31 March 1994); projections end 31 March 2033,
# the end of year 10 of the Review's table (year 1 = 2023-24, 001_8bebe4ae25a58006.txt:4056).
FIRST_DATE = dt.date(1993, 4, 1)
LAST_DATE = dt.date(2033, 3, 31)

PARAMETER_KEYS = frozenset({"description", "unit", "reference", "values", "calibrated", "calibrated_to", "note",
                            "uncertainty"})


class Parameter(_params.Parameter):
    """A reform parameter: :class:`careflow.params.Parameter`, 0 before its first date, and movable in time."""

    def at(self, when: dt.date) -> float:
        """The value holding on ``when`` (0 before the first date: not yet in force)."""
        return float(self.value_at(when, default=0.0))

    def shifted(self, years: int) -> Parameter:
        """Every date moved by ``years`` (a delay when positive); dates beyond the model's years are dropped."""
        moved: list[tuple[dt.date, float]] = []
        for day, v in self.values:
            try:
                new = day.replace(year=day.year + years)
            except ValueError:  # 29 February
                new = day.replace(year=day.year + years, day=28)
            if new <= LAST_DATE:
                moved.append((new, v))
        if years > 0 and self.values and self.values[0][0] <= dt.date(2023, 4, 1):
            # Before the (delayed) start the lever does nothing: keep the first value's date, at zero.
            moved.insert(0, (self.values[0][0], 0.0))
        return replace(self, values=tuple(moved))

    def with_values(self, values: Mapping[Any, Any], where: str, *, first_date: dt.date | None = FIRST_DATE,
                    last_date: dt.date | None = LAST_DATE) -> Parameter:
        """The same parameter with new dated values (checked like a file's, within the model's years)."""
        try:
            return super().with_values(values, where, first_date=first_date, last_date=last_date)
        except _params.ParameterError as exc:
            raise ParameterError(f"{where}: invalid values", exc.problems) from None


def read_yaml(path: Path) -> Any:
    """Read a YAML file, turning a syntax error into a :class:`ParameterError` naming the file."""
    try:
        return _params.read_yaml(path)
    except _params.ParameterError as exc:
        raise ParameterError(str(exc)) from exc


def parse_parameter(name: str, raw: Any, where: str, problems: list[str]) -> Parameter | None:
    """Check one parameter mapping, appending every problem found to ``problems``."""
    return _params.parse_parameter(name, raw, where, problems, cls=Parameter, first_date=FIRST_DATE,
                                   last_date=LAST_DATE, citation_required=True, keys=PARAMETER_KEYS)


def load_unit_costs() -> dict[str, Parameter]:
    """careflow's unit-cost library (:mod:`careflow.params.costs`) as reform parameters ``unit_costs.<name>``."""
    from careflow.params.costs import UNIT_COSTS_DIR

    try:
        costs = _params.load_dir(UNIT_COSTS_DIR, cls=Parameter, first_date=FIRST_DATE, last_date=LAST_DATE,
                                 citation_required=True)
    except _params.ParameterError as exc:
        raise ParameterError("problems in the unit-cost library", exc.problems) from None
    return {f"unit_costs.{name}": p for name, p in costs.items()}  # type: ignore[misc]
