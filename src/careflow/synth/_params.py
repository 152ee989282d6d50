"""The synthetic local authority's parameters: a strict YAML schema with a unit and a source for each.

Each leaf of ``parameters.yaml`` is a mapping ``{value, unit, reference[, calibrated, calibrated_to, note]}``;
sections nest leaves. It is read by careflow's one parameter library (:mod:`careflow.params`), whose strict
loader reports unknown keys, a missing unit or reference and values outside their unit's range, naming the file
and the parameter, so a parameter can never lose its provenance silently. The synthetic LA's parameters are not
dated (``value:``, holding at every date); ``Parameter.source`` is the reference text.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from careflow import params
from careflow.params import ParameterError

__all__ = ["PARAMETERS_FILE", "Parameter", "ParameterError", "Parameters", "load_parameters"]

PARAMETERS_FILE = Path(__file__).with_name("parameters.yaml")


@dataclass(frozen=True)
class Parameter:
    """One parameter: its value, unit and where the figure comes from."""

    name: str
    value: Any
    unit: str
    source: str
    calibrated: str | None = None
    note: str | None = None


class Parameters(Mapping[str, Parameter]):
    """Parameters by dotted name (``"care.plan"``); ``params.value("care.plan")`` gives the value."""

    def __init__(self, leaves: Mapping[str, Parameter]) -> None:
        self._leaves = dict(leaves)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._leaves[name]
        except KeyError:
            import difflib

            near = difflib.get_close_matches(name, list(self._leaves), n=3)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ParameterError(f"no synth parameter {name!r}{hint}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._leaves)

    def __len__(self) -> int:
        return len(self._leaves)

    def value(self, name: str) -> Any:
        """The value of parameter ``name`` (a copy, so callers cannot change the loaded set)."""
        return copy.deepcopy(self[name].value)

    def with_values(self, overrides: Mapping[str, Any]) -> Parameters:
        """A new set with some values replaced (units and sources kept), e.g. for a scenario or a test."""
        leaves = dict(self._leaves)
        for name, value in overrides.items():
            old = self[name]
            leaves[name] = Parameter(name, value, old.unit, old.source, old.calibrated,
                                     (old.note or "") + " [overridden]")
        return Parameters(leaves)

    def as_dict(self) -> dict[str, Any]:
        """``{name: value}`` for every parameter (for recording the parameters a run used)."""
        return {name: copy.deepcopy(p.value) for name, p in self._leaves.items()}


def parse_parameters(text: str, file: str = "parameters.yaml") -> Parameters:
    """Parse parameters from YAML text (strict: see the module docstring)."""
    import yaml

    from careflow._yaml import loads_yaml

    try:
        data = loads_yaml(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{file}: not valid YAML: {exc}") from exc
    problems: list[str] = []
    parsed: dict[str, params.Parameter] = {}
    params.parse_tree(data, "", file, problems, parsed, allow_undated=True, require_description=False)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in {file}", problems)
    return Parameters({name: Parameter(name, p.value, p.unit, p.references, p.calibrated_to, p.note)
                       for name, p in parsed.items()})


@lru_cache(maxsize=4)
def _load(path: str) -> Parameters:
    return parse_parameters(Path(path).read_text(encoding="utf-8"), Path(path).name)


def load_parameters(path: str | Path | None = None) -> Parameters:
    """The parameters in ``path`` (default: the package's ``parameters.yaml``)."""
    return _load(str(path or PARAMETERS_FILE))
