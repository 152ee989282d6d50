"""Statutory timescales as dated parameter files (OpenFisca style).

Each file ``careflow/record/parameters/<folder>/<unit>.yaml`` is one parameter whose name is its path without
``.yaml`` (``child_protection/initial_conference/working_days``). It holds a description, a unit, a reference (a
seed ``file:line`` or a public document) and ``values`` keyed by the date from which each holds. The loader is
strict: an unknown key, a missing unit or reference, or a value that is not a number is an error naming the file.

Example:
    >>> parameter("child_protection/initial_conference/working_days").at(dt.date(2024, 5, 1))
    15
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from careflow.errors import CareflowError

__all__ = ["PARAMETERS_DIR", "UNITS", "Parameter", "ParameterError", "load_parameters", "parameter"]

PARAMETERS_DIR = Path(__file__).parent
UNITS: dict[str, str] = {  # unit -> the file name (stem) a parameter of that unit must have
    "working_day": "working_days",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "gbp": "gbp",
}
_KEYS = {"description", "unit", "reference", "values", "documentation"}
_REQUIRED = ("description", "unit", "reference", "values")


class ParameterError(CareflowError, ValueError):
    """A parameter file is malformed, or a parameter is asked for a date before its first value."""


@dataclass(frozen=True)
class Parameter:
    """One dated parameter: its values and where they come from."""

    name: str
    description: str
    unit: str
    reference: str
    values: tuple[tuple[dt.date, int | float], ...]
    path: Path

    def at(self, day: dt.date) -> int | float:
        """The value in force on ``day``.

        Raises:
            ParameterError: ``day`` is before the first date the parameter has a value for.
        """
        found: int | float | None = None
        for start, value in self.values:
            if start <= day:
                found = value
        if found is None:
            raise ParameterError(
                f"parameter {self.name} has no value on {day.isoformat()}: its first value holds from "
                f"{self.values[0][0].isoformat()} ({self.path.name})"
            )
        return found


def _parse(path: Path, root: Path) -> Parameter:
    name = path.relative_to(root).with_suffix("").as_posix()
    where = f"{root.name}/{name}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}: expected a mapping with keys {', '.join(_REQUIRED)}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ParameterError(f"{where}: unknown key(s) {unknown}; allowed keys are {sorted(_KEYS)}")
    missing = [k for k in _REQUIRED if not raw.get(k)]
    if missing:
        raise ParameterError(f"{where}: missing {', '.join(missing)} (every parameter needs a unit and a reference)")
    unit = raw["unit"]
    if unit not in UNITS:
        raise ParameterError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
    if path.stem != UNITS[unit]:
        raise ParameterError(f"{where}: a parameter in {unit}s must be in a file named {UNITS[unit]}.yaml")
    values = raw["values"]
    if not isinstance(values, dict) or not values:
        raise ParameterError(f"{where}: values must map dates (YYYY-MM-DD) to numbers")
    parsed: list[tuple[dt.date, int | float]] = []
    for start, value in values.items():
        if not isinstance(start, dt.date):
            raise ParameterError(f"{where}: {start!r} is not a date (expected YYYY-MM-DD)")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ParameterError(f"{where}: the value from {start} is {value!r}; expected a number ≥ 0")
        parsed.append((start, value))
    return Parameter(name, str(raw["description"]).strip(), unit, str(raw["reference"]).strip(),
                     tuple(sorted(parsed)), path)


def load_parameters(root: Path = PARAMETERS_DIR) -> dict[str, Parameter]:
    """Every parameter under ``root``, by name; raises :class:`ParameterError` on the first bad file."""
    return {p.name: p for p in (_parse(path, root) for path in sorted(root.rglob("*.yaml")))}


@cache
def _shipped() -> dict[str, Parameter]:
    return load_parameters(PARAMETERS_DIR)


def parameter(name: str) -> Parameter:
    """A shipped parameter by name.

    Raises:
        KeyError: no such parameter (the message lists the nearest names).
    """
    params = _shipped()
    if name not in params:
        import difflib

        near = difflib.get_close_matches(name, list(params), n=3)
        raise KeyError(f"no parameter {name!r}" + (f"; did you mean {', '.join(near)}?" if near else ""))
    return params[name]
