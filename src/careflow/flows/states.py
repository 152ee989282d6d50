"""The state space of the flow model, held as versioned configuration (``data/states/v<N>.yaml``).

A state is an age band × a placement category; children leave care by one of the exits. Which SSDA903
placement types, providers and reasons for ceasing map where is data, not code.

Example:
    >>> states = load_states()
    >>> states.category_of("U1", "PR1")
    'kinship_foster'
    >>> states.category_of("U4", "PR4")
    'foster_independent'
    >>> states.exit_of("E45")
    'special_guardianship'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from careflow._yaml import load_yaml
from careflow.flows._errors import FlowConfigError
from careflow.flows._files import cached_by_file

__all__ = ["AgeBand", "Exit", "PlacementCategory", "StateConfig", "load_states"]

DATA = Path(__file__).parent / "data" / "states"
#: Age at which a child stops being looked after, in months.
AGE_OUT_MONTHS = 18 * 12


@dataclass(frozen=True, slots=True)
class AgeBand:
    """An age band ``[from_years, to_years)``."""

    name: str
    label: str
    from_years: int
    to_years: int


@dataclass(frozen=True, slots=True)
class PlacementCategory:
    """A placement category: placement types (and, where it matters, providers) that map to it."""

    name: str
    label: str
    placement_types: tuple[str, ...]
    providers: tuple[str | None, ...] | None = None
    default: bool = False


@dataclass(frozen=True, slots=True)
class Exit:
    """A way of leaving care: the reasons episode ceased (REC codes) that mean it."""

    name: str
    label: str
    reasons: tuple[str, ...]
    default: bool = False
    at_age_18: bool = False


@dataclass(frozen=True)
class StateConfig:
    """The state space: age bands, placement categories and exits (one versioned YAML file)."""

    version: int
    valid_from: date
    description: str
    reference: str
    age_bands: tuple[AgeBand, ...]
    categories: tuple[PlacementCategory, ...]
    exits: tuple[Exit, ...]
    source: str = ""
    #: Placement types that are temporary moves (SSDA903 T0-T4): they continue the category of the placement they
    #: interrupt; one that starts a period of care takes its own category (see :func:`clean_episodes`).
    temporary_placement_types: tuple[str, ...] = ()
    _placement_map: dict[tuple[str, str | None], str] = field(default_factory=dict, repr=False, compare=False)
    _exit_map: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for category in self.categories:
            for code in category.placement_types:
                for provider in category.providers if category.providers is not None else (None,):
                    key = (code, provider) if category.providers is not None else (code, "*")
                    if key in self._placement_map:
                        raise FlowConfigError(
                            f"{self.source}: placement type {code} (provider {provider}) maps to both "
                            f"{self._placement_map[key]} and {category.name}"
                        )
                    self._placement_map[key] = category.name
        for ex in self.exits:
            for reason in ex.reasons:
                if reason in self._exit_map:
                    raise FlowConfigError(f"{self.source}: reason {reason} maps to two exits")
                self._exit_map[reason] = ex.name

    # --- names and indices -------------------------------------------------------------------------
    @property
    def band_names(self) -> list[str]:
        return [b.name for b in self.age_bands]

    @property
    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]

    @property
    def exit_names(self) -> list[str]:
        return [e.name for e in self.exits]

    @property
    def state_names(self) -> list[str]:
        """Every in-care state, ``band:category``, band-major."""
        return [f"{b}:{c}" for b in self.band_names for c in self.category_names]

    @property
    def default_category(self) -> str:
        return next((c.name for c in self.categories if c.default), self.categories[-1].name)

    @property
    def default_exit(self) -> str:
        return next((e.name for e in self.exits if e.default), self.exits[-1].name)

    @property
    def age_out_exit(self) -> str:
        return next((e.name for e in self.exits if e.at_age_18), self.default_exit)

    def band_of_months(self) -> np.ndarray:
        """For each age in completed months 0…215, the index of its age band."""
        months = np.arange(AGE_OUT_MONTHS)
        out = np.full(AGE_OUT_MONTHS, -1, dtype=np.int64)
        for i, band in enumerate(self.age_bands):
            out[(months >= band.from_years * 12) & (months < band.to_years * 12)] = i
        return out

    # --- mapping codes -----------------------------------------------------------------------------
    def category_of(self, placement_type: str | None, provider: str | None = None) -> str:
        """The placement category of a placement type (and provider); unknown codes go to the default."""
        if placement_type is None:
            return self.default_category
        found = self._placement_map.get((placement_type, "*"))
        if found is not None:
            return found
        found = self._placement_map.get((placement_type, provider))
        if found is not None:
            return found
        # A provider the config does not list for a split placement type: the first category holding the type.
        for (code, _), name in self._placement_map.items():
            if code == placement_type:
                return name
        return self.default_category

    def is_known_placement(self, placement_type: str) -> bool:
        return any(code == placement_type for code, _ in self._placement_map)

    def exit_of(self, reason: str | None) -> str:
        """The exit a reason for ceasing (an E code) means; unknown E codes go to the default exit."""
        if reason is None:
            return self.default_exit
        return self._exit_map.get(reason, self.default_exit)

    def is_known_exit(self, reason: str) -> bool:
        return reason in self._exit_map

    # --- checks used by scenarios --------------------------------------------------------------------
    def check_category(self, name: str, where: str) -> int:
        """The index of a placement category, or a :class:`FlowConfigError` naming the nearest names."""
        return _index(self.category_names, name, "placement category", where)

    def check_exit(self, name: str, where: str) -> int:
        return _index(self.exit_names, name, "exit", where)

    def check_band(self, name: str, where: str) -> int:
        return _index(self.band_names, name, "age band", where)


def _index(names: list[str], name: str, kind: str, where: str) -> int:
    if name in names:
        return names.index(name)
    near = difflib.get_close_matches(name, names, n=2)
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    raise FlowConfigError(f"{where}: unknown {kind} {name!r}{hint}; expected one of {', '.join(names)}")


_TOP = {"version", "valid_from", "description", "reference", "age_bands", "placement_categories", "exits"}
_OPTIONAL = {"temporary_placement_types"}


def load_states(version_or_path: int | str | Path = 1) -> StateConfig:
    """Load a state space by version number (packaged) or from a YAML file.

    Raises:
        FlowConfigError: unknown keys, missing keys, overlapping or gapped age bands, a code in two places.
    """
    if isinstance(version_or_path, int) or (isinstance(version_or_path, str) and version_or_path.isdigit()):
        path = DATA / f"v{int(version_or_path)}.yaml"
        if not path.exists():
            known = sorted(p.stem for p in DATA.glob("v*.yaml"))
            raise FlowConfigError(f"no state space version {version_or_path}; careflow holds {', '.join(known)}")
    else:
        path = Path(version_or_path)
    return _load_file(path)


@cached_by_file
def _load_file(path: Path) -> StateConfig:
    """A state space file, parsed once per process (a forecast's fits and projections each ask for it)."""
    return _parse(load_yaml(path), path.name)  # libyaml's C parser


def _strict(obj: Any, allowed: set[str], required: set[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise FlowConfigError(f"{where}: expected a mapping, found {type(obj).__name__}")
    unknown = set(obj) - allowed
    if unknown:
        raise FlowConfigError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = required - set(obj)
    if missing:
        raise FlowConfigError(f"{where}: missing key(s) {sorted(missing)}")
    return obj


def _parse(raw: Any, source: str) -> StateConfig:
    top = _strict(raw, _TOP | _OPTIONAL, _TOP, source)
    bands = tuple(
        AgeBand(**_strict(b, {"name", "label", "from_years", "to_years"}, {"name", "from_years", "to_years"},
                          f"{source} age_bands[{i}]") | {"label": b.get("label", b["name"])})
        for i, b in enumerate(top["age_bands"])
    )
    edge = 0
    for band in bands:
        if band.from_years != edge or band.to_years <= band.from_years:
            raise FlowConfigError(
                f"{source}: age band {band.name} is [{band.from_years}, {band.to_years}); bands must run "
                f"without gaps or overlaps from 0 (this one should start at {edge})"
            )
        edge = band.to_years
    if edge != 18:
        raise FlowConfigError(f"{source}: age bands end at {edge}; they must end at 18, when care ends")
    cats = []
    for i, c in enumerate(top["placement_categories"]):
        c = _strict(c, {"name", "label", "placement_types", "providers", "default"}, {"name", "placement_types"},
                    f"{source} placement_categories[{i}]")
        providers = tuple(c["providers"]) if c.get("providers") is not None else None
        cats.append(PlacementCategory(c["name"], c.get("label", c["name"]), tuple(c["placement_types"]), providers,
                                      bool(c.get("default", False))))
    exits = []
    for i, e in enumerate(top["exits"]):
        e = _strict(e, {"name", "label", "reasons", "default", "at_age_18"}, {"name", "reasons"},
                    f"{source} exits[{i}]")
        exits.append(Exit(e["name"], e.get("label", e["name"]), tuple(e["reasons"]), bool(e.get("default", False)),
                          bool(e.get("at_age_18", False))))
    names = [c.name for c in cats] + [e.name for e in exits] + [b.name for b in bands]
    if len(set(c.name for c in cats)) != len(cats) or len(set(e.name for e in exits)) != len(exits):
        raise FlowConfigError(f"{source}: duplicate names among {names}")
    temporary = tuple(str(code) for code in top.get("temporary_placement_types") or ())
    mapped = {code for c in cats for code in c.placement_types}
    unmapped = [code for code in temporary if code not in mapped]
    if unmapped:
        raise FlowConfigError(
            f"{source}: temporary_placement_types {unmapped} are in no placement category; list each in the "
            "category it takes when it starts a period of care (nothing before it to continue)"
        )
    valid_from = top["valid_from"]
    if not isinstance(valid_from, date):
        raise FlowConfigError(f"{source}: valid_from {valid_from!r} is not a date (YYYY-MM-DD)")
    return StateConfig(
        version=int(top["version"]),
        valid_from=valid_from,
        description=str(top["description"]),
        reference=str(top["reference"]),
        age_bands=bands,
        categories=tuple(cats),
        exits=tuple(exits),
        source=source,
        temporary_placement_types=temporary,
    )
