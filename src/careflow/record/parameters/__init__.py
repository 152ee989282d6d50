"""Statutory timescales as dated parameter files (OpenFisca style).

Each file ``careflow/record/parameters/<folder>/<unit>.yaml`` is one parameter whose name is its path without
``.yaml`` (``child_protection/initial_conference/working_days``). It holds a description, a unit, a reference (a
seed ``file:line`` or a public document) and ``values`` keyed by the date from which each holds. The loader is
strict: an unknown key, a missing unit or reference, or a value that is not a number is an error naming the file.
The schema and the loader are careflow's one parameter library, :mod:`careflow.params`; this module adds the
record's own rule that a timescale's file is named after its unit (``working_days.yaml`` for ``working_day``).

Example:
    >>> parameter("child_protection/initial_conference/working_days").at(dt.date(2024, 5, 1))
    15
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import cast

from careflow import params
from careflow.params import ParameterError

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
_KEYS = frozenset({"description", "unit", "reference", "values", "documentation"})


@dataclass(frozen=True)
class Parameter(params.Parameter):
    """One dated timescale (:class:`careflow.params.Parameter`) and the file it comes from.

    ``at(day)`` is the value in force on ``day``; before the first date it raises :class:`ParameterError`.
    """

    path: Path = field(default=Path())


def load_parameters(root: Path = PARAMETERS_DIR) -> dict[str, Parameter]:
    """Every parameter under ``root``, by name; raises :class:`ParameterError` listing every bad file."""
    loaded = params.load_dir(root, sep="/", cls=Parameter, keys=_KEYS)
    problems: list[str] = []
    out: dict[str, Parameter] = {}
    for name, p in loaded.items():
        path = root / f"{name}.yaml"
        if p.unit not in UNITS:
            problems.append(f"{p.source}: unit {p.unit!r} is not one of {', '.join(UNITS)} (a statutory timescale)")
        elif path.stem != UNITS[p.unit]:
            problems.append(f"{p.source}: a parameter in {p.unit}s must be in a file named {UNITS[p.unit]}.yaml")
        out[name] = replace(cast(Parameter, p), path=path)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in the parameters under {root}", problems)
    return out


@cache
def _shipped() -> dict[str, Parameter]:
    return load_parameters(PARAMETERS_DIR)


def parameter(name: str) -> Parameter:
    """A shipped parameter by name.

    Raises:
        KeyError: no such parameter (the message lists the nearest names).
    """
    found = _shipped()
    if name not in found:
        import difflib

        near = difflib.get_close_matches(name, list(found), n=3)
        raise KeyError(f"no parameter {name!r}" + (f"; did you mean {', '.join(near)}?" if near else ""))
    return found[name]

