"""The synthetic local authority's parameters: a strict YAML schema with a unit and a source for each.

Each leaf of ``parameters.yaml`` is a mapping ``{value, unit, source[, calibrated, note]}``; sections nest
leaves. Unknown keys, a missing unit or a missing source are errors, so a parameter can never lose its
provenance silently.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from careflow.errors import CareflowError

__all__ = ["PARAMETERS_FILE", "Parameter", "ParameterError", "Parameters", "load_parameters"]

PARAMETERS_FILE = Path(__file__).with_name("parameters.yaml")

_LEAF_KEYS = {"value", "unit", "source", "calibrated", "note"}
_LEAF_REQUIRED = {"value", "unit", "source"}


class ParameterError(CareflowError, ValueError):
    """The parameters file is malformed, or a lookup names a parameter that does not exist."""


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


def _walk(node: Any, path: str, out: dict[str, Parameter], file: str) -> None:
    if not isinstance(node, Mapping):
        raise ParameterError(f"{file}: {path or 'top level'} must be a mapping, not {type(node).__name__}")
    if "value" in node or "unit" in node or "source" in node:
        unknown = set(node) - _LEAF_KEYS
        if unknown:
            raise ParameterError(f"{file}: parameter {path}: unknown key(s) {sorted(unknown)}; "
                                 f"expected some of {sorted(_LEAF_KEYS)}")
        missing = _LEAF_REQUIRED - set(node)
        if missing:
            raise ParameterError(f"{file}: parameter {path}: missing {sorted(missing)} (every parameter needs a "
                                 "value, a unit and a source)")
        for key in ("unit", "source"):
            if not isinstance(node[key], str) or not node[key].strip():
                raise ParameterError(f"{file}: parameter {path}: {key} must be non-empty text")
        out[path] = Parameter(path, node["value"], node["unit"], node["source"], node.get("calibrated"),
                              node.get("note"))
        return
    for key, child in node.items():
        _walk(child, f"{path}.{key}" if path else str(key), out, file)


def parse_parameters(text: str, file: str = "parameters.yaml") -> Parameters:
    """Parse parameters from YAML text (strict: see the module docstring)."""
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{file}: not valid YAML: {exc}") from exc
    out: dict[str, Parameter] = {}
    _walk(data, "", out, file)
    return Parameters(out)


@lru_cache(maxsize=4)
def _load(path: str) -> Parameters:
    return parse_parameters(Path(path).read_text(encoding="utf-8"), Path(path).name)


def load_parameters(path: str | Path | None = None) -> Parameters:
    """The parameters in ``path`` (default: the package's ``parameters.yaml``)."""
    return _load(str(path or PARAMETERS_FILE))
