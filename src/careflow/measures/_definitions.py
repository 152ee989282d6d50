"""Indicator definitions as data: one YAML file each in ``definitions/``, loaded through a strict schema.

A definition names the Framework objective it serves, its numerator and denominator twice over — once in
terms of canonical tables (so it runs on an LA's returns, the case record's export or a synthetic LA) and once
in terms of the published counts that ship with careflow — its period, unit, direction and reference.
Unknown keys are errors; so are a missing reference, or 'higher is better' without saying so on purpose.
Files are read, and references checked (a seed ``file:line`` must name a line that exists), by careflow's one
parameter library, :mod:`careflow.params`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from careflow import params
from careflow.errors import CareflowError

__all__ = [
    "DIRECTIONS",
    "PERIODS",
    "UNITS",
    "CanonicalTerm",
    "DefinitionError",
    "DfeFigure",
    "Indicator",
    "Objective",
    "PublishedTerm",
    "Term",
    "indicator",
    "indicators",
    "objectives",
]

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
OBJECTIVES_FILE = Path(__file__).parent / "objectives.yaml"

UNITS: Mapping[str, float] = {"percent": 100.0, "per_10k": 10_000.0, "ratio": 1.0}
DIRECTIONS = ("higher_is_better", "lower_is_better", "no_judgement")
PERIODS: Mapping[str, str] = {
    "at_31_march": "at 31 March (the end of the year ending 31 March)",
    "year_to_31_march": "during the year ending 31 March",
    "at_30_september": "at 30 September (children's social work workforce census)",
    "previous_year_cohort": "children who left care in the year before, followed for 12 months to 31 March",
    "collection_year": "in the collection year ending 31 March (birthdays falling in the year)",
}
DEMAND_TYPES = ("new", "failure", "hidden")


class DefinitionError(CareflowError, ValueError):
    """An indicator definition file breaks the schema."""


@dataclass(frozen=True, slots=True)
class Objective:
    """One objective of the National Children's Social Care Framework (001_8bebe4ae25a58006.txt:3468-3483)."""

    id: str
    group: str
    number: int
    text: str
    short: str
    reference: str


@dataclass(frozen=True, slots=True)
class CanonicalTerm:
    """How to count a numerator or denominator from canonical tables.

    ``count`` names a counting rule in :mod:`careflow.measures.canonical`; ``params`` are its settings (code
    lists, windows, ages). ``not_available`` says why the term cannot come from canonical tables.
    """

    count: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    not_available: str | None = None


@dataclass(frozen=True, slots=True)
class PublishedTerm:
    """How to read a numerator or denominator from the published counts that ship with careflow.

    ``columns`` are combined by ``combine`` (``single``, ``sum`` or ``difference``).
    """

    columns: tuple[str, ...] = ()
    combine: str = "single"
    not_available: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """A numerator or a denominator."""

    description: str
    canonical: CanonicalTerm
    published: PublishedTerm


@dataclass(frozen=True, slots=True)
class DfeFigure:
    """DfE's own published figure for the same measure, which careflow's computation must reproduce."""

    column: str
    decimals: int
    measure: str


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of the scorecard. See ``definitions/*.yaml``."""

    id: str
    name: str
    description: str
    objective: str
    unit: str
    decimals: int
    direction: str
    direction_note: str
    period: str
    numerator: Term
    denominator: Term
    reference: str
    dfe: DfeFigure | None = None
    demand: str | None = None
    caveats: tuple[str, ...] = ()
    order: int = 50
    path: Path | None = None

    @property
    def scale(self) -> float:
        """What the ratio is multiplied by: 100 for a percentage, 10,000 for a rate per 10,000."""
        return UNITS[self.unit]

    @property
    def unit_label(self) -> str:
        """The unit as a reader says it."""
        return {"percent": "%", "per_10k": "per 10,000 children", "ratio": "cases per FTE"}[self.unit]

    @property
    def period_label(self) -> str:
        return PERIODS[self.period]

    @property
    def direction_label(self) -> str:
        return {
            "higher_is_better": "higher is better",
            "lower_is_better": "lower is better",
            "no_judgement": "neither higher nor lower is better in itself",
        }[self.direction]

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain data (for JSON output)."""

        def term(t: Term) -> dict[str, Any]:
            return {
                "description": t.description,
                "canonical": (
                    {"not_available": t.canonical.not_available}
                    if t.canonical.not_available
                    else {"count": t.canonical.count, **dict(t.canonical.params)}
                ),
                "published": (
                    {"not_available": t.published.not_available}
                    if t.published.not_available
                    else {"columns": list(t.published.columns), "combine": t.published.combine}
                ),
            }

        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "objective": self.objective,
            "unit": self.unit,
            "decimals": self.decimals,
            "direction": self.direction,
            "direction_note": self.direction_note,
            "period": self.period,
            "period_label": self.period_label,
            "numerator": term(self.numerator),
            "denominator": term(self.denominator),
            "reference": self.reference,
            "dfe": None
            if self.dfe is None
            else {"column": self.dfe.column, "decimals": self.dfe.decimals, "measure": self.dfe.measure},
            "demand": self.demand,
            "caveats": list(self.caveats),
            "order": self.order,
        }


# --- strict parsing ---------------------------------------------------------------------------------------------


def _keys(where: str, data: Any, required: set[str], optional: set[str] | None = None) -> dict[str, Any]:
    optional = optional or set()
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: expected a mapping, got {type(data).__name__}")
    unknown = set(data) - required - optional
    if unknown:
        hints = []
        for key in sorted(unknown):
            near = difflib.get_close_matches(key, sorted(required | optional), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        raise DefinitionError(f"{where}: unknown key(s) {', '.join(hints)}; allowed: {sorted(required | optional)}")
    missing = required - set(data)
    if missing:
        raise DefinitionError(f"{where}: missing key(s) {sorted(missing)}")
    return data


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{where}: expected non-empty text, got {value!r}")
    return " ".join(value.split())


def _canonical(where: str, data: Any) -> CanonicalTerm:
    data = _keys(where, data, set(), {"count", "not_available", "params"})
    if ("count" in data) == ("not_available" in data):
        raise DefinitionError(f"{where}: give exactly one of 'count' or 'not_available'")
    if "not_available" in data:
        return CanonicalTerm(None, {}, _text(f"{where}.not_available", data["not_available"]))
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise DefinitionError(f"{where}.params: expected a mapping")
    return CanonicalTerm(_text(f"{where}.count", data["count"]), dict(params))


def _published(where: str, data: Any) -> PublishedTerm:
    if isinstance(data, str):
        return PublishedTerm((data,), "single")
    data = _keys(where, data, set(), {"sum", "difference", "not_available"})
    if len(data) != 1:
        raise DefinitionError(f"{where}: give exactly one of 'sum', 'difference' or 'not_available' (or a column)")
    if "not_available" in data:
        return PublishedTerm((), "single", _text(f"{where}.not_available", data["not_available"]))
    how = next(iter(data))
    columns = data[how]
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise DefinitionError(f"{where}.{how}: expected a list of column names")
    if how == "difference" and len(columns) != 2:
        raise DefinitionError(f"{where}.difference: expected two columns (minuend, subtrahend)")
    return PublishedTerm(tuple(columns), how)


def _term(where: str, data: Any) -> Term:
    data = _keys(where, data, {"description", "canonical", "published"})
    return Term(
        _text(f"{where}.description", data["description"]),
        _canonical(f"{where}.canonical", data["canonical"]),
        _published(f"{where}.published", data["published"]),
    )


def parse_indicator(data: Any, where: str = "(definition)", path: Path | None = None) -> Indicator:
    """Build an :class:`Indicator` from parsed YAML, checking every key."""
    data = _keys(
        where,
        data,
        {"id", "name", "description", "objective", "unit", "direction", "period", "numerator", "denominator",
         "reference"},
        {"decimals", "direction_note", "dfe", "demand", "caveats", "order"},
    )
    ident = _text(f"{where}.id", data["id"])
    if path is not None and path.stem != ident:
        raise DefinitionError(f"{where}: id {ident!r} must match the file name {path.name!r}")
    unit = data["unit"]
    if unit not in UNITS:
        raise DefinitionError(f"{where}.unit: {unit!r} is not one of {list(UNITS)}")
    direction = data["direction"]
    if direction not in DIRECTIONS:
        raise DefinitionError(f"{where}.direction: {direction!r} is not one of {list(DIRECTIONS)}")
    direction_note = data.get("direction_note")
    if direction == "no_judgement" and not direction_note:
        raise DefinitionError(f"{where}.direction_note: say why neither higher nor lower is better")
    period = data["period"]
    if period not in PERIODS:
        raise DefinitionError(f"{where}.period: {period!r} is not one of {list(PERIODS)}")
    known = objectives()
    objective = data["objective"]
    if objective not in known:
        near = difflib.get_close_matches(str(objective), list(known), n=1)
        raise DefinitionError(
            f"{where}.objective: {objective!r} is not a Framework objective"
            + (f" (did you mean {near[0]!r}?)" if near else f"; known: {list(known)}")
        )
    dfe = None
    if data.get("dfe") is not None:
        d = _keys(f"{where}.dfe", data["dfe"], {"column", "decimals", "measure"})
        dfe = DfeFigure(_text(f"{where}.dfe.column", d["column"]), int(d["decimals"]), _text(f"{where}.dfe.measure",
                                                                                              d["measure"]))
    demand = data.get("demand")
    if demand is not None and demand not in DEMAND_TYPES:
        raise DefinitionError(f"{where}.demand: {demand!r} is not one of {list(DEMAND_TYPES)}")
    caveats = data.get("caveats") or []
    if not isinstance(caveats, list):
        raise DefinitionError(f"{where}.caveats: expected a list of text")
    decimals = int(data.get("decimals", dfe.decimals if dfe else 1))
    return Indicator(
        id=ident,
        name=_text(f"{where}.name", data["name"]),
        description=_text(f"{where}.description", data["description"]),
        objective=objective,
        unit=unit,
        decimals=decimals,
        direction=direction,
        direction_note=_text(f"{where}.direction_note", direction_note) if direction_note else "",
        period=period,
        numerator=_term(f"{where}.numerator", data["numerator"]),
        denominator=_term(f"{where}.denominator", data["denominator"]),
        reference=_reference(where, data["reference"]),
        dfe=dfe,
        demand=demand,
        caveats=tuple(_text(f"{where}.caveats[{i}]", c) for i, c in enumerate(caveats)),
        order=int(data.get("order", 50)),
        path=path,
    )


def _reference(where: str, ref: Any) -> str:
    """A reference checked by :func:`careflow.params.check_reference` (seed citations name existing lines)."""
    text = _text(f"{where}.reference", ref)
    problems: list[str] = []
    params.check_reference(text, where, problems)
    if problems:
        raise DefinitionError("; ".join(problems))
    return text


def _read(path: Path) -> Any:
    try:
        return params.read_yaml(path)
    except params.ParameterError as exc:
        raise DefinitionError(str(exc)) from None


@lru_cache(maxsize=1)
def objectives() -> dict[str, Objective]:
    """The Framework objectives, by id (``child_family_1`` … ``system_4``)."""
    raw = _read(OBJECTIVES_FILE)
    out: dict[str, Objective] = {}
    for ident, data in raw.items():
        where = f"objectives.yaml:{ident}"
        d = _keys(where, data, {"group", "number", "text", "short", "reference"})
        out[ident] = Objective(ident, d["group"], int(d["number"]), _text(ident, d["text"]), d["short"],
                               _reference(where, d["reference"]))
    return out


@lru_cache(maxsize=1)
def _load_all() -> tuple[Indicator, ...]:
    found = []
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        data = _read(path)
        found.append(parse_indicator(data, f"definitions/{path.name}", path))
    order = list(objectives())
    return tuple(sorted(found, key=lambda i: (order.index(i.objective), i.order, i.id)))


def indicators() -> tuple[Indicator, ...]:
    """Every indicator, ordered by Framework objective."""
    return _load_all()


def indicator(ident: str) -> Indicator:
    """One indicator by id.

    Raises:
        KeyError: with the nearest ids, if there is no such indicator.
    """
    for ind in _load_all():
        if ind.id == ident:
            return ind
    near = difflib.get_close_matches(ident, [i.id for i in _load_all()], n=3)
    raise KeyError(f"no indicator {ident!r}" + (f"; did you mean {', '.join(near)}?" if near else ""))
