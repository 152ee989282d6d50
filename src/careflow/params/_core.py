"""The parameter schema, the strict loader and the dated-value lookup (see :mod:`careflow.params`)."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from careflow.errors import CareflowError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DISTRIBUTIONS",
    "PARAMETER_KEYS",
    "SEED_FILES",
    "UNITS",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "Uncertainty",
    "check_reference",
    "load_dir",
    "load_file",
    "parse_parameter",
    "parse_tree",
    "read_yaml",
    "suggest",
]


class ParameterError(CareflowError, ValueError):
    """A parameter file is malformed, or a parameter is asked for what it does not have.

    ``problems`` holds every problem found (each naming the file and key), not just the first.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems: list[str] = list(problems or [message])
        if problems and problems != [message]:
            message = message + ":\n  - " + "\n  - ".join(problems)
        super().__init__(message)


# unit -> (lowest allowed value, highest allowed value, meaning). One vocabulary for every package: a value
# outside its unit's range is an error naming the file and key.
UNITS: dict[str, tuple[float, float, str]] = {
    # money
    "gbp": (0.0, math.inf, "£"),
    "gbp_million": (0.0, math.inf, "£ million in a financial year"),
    "gbp_billion": (0.0, math.inf, "£ billion in a financial year"),
    "gbp_per_child_year": (0.0, math.inf, "£ per child per year"),
    "gbp_per_person_year": (0.0, math.inf, "£ per person per year"),
    "gbp_per_week": (0.0, math.inf, "£ per week"),
    "gbp_per_item": (0.0, math.inf, "£ per item (assessment, plan, grant, ...)"),
    # counts
    "children": (0.0, math.inf, "children (a stock)"),
    "children_per_year": (0.0, math.inf, "children in a financial year (a flow)"),
    "people_per_year": (0.0, math.inf, "people (carers, workers, care leavers) in a financial year"),
    "people": (0.0, math.inf, "people (a stock)"),
    "items_per_person_year": (0.0, math.inf, "items per person per year"),
    "count": (0.0, math.inf, "a count"),
    # shares, rates and hazards
    "fraction": (0.0, 1.0, "a share between 0 and 1"),
    "share": (0.0, 1.0, "a share between 0 and 1 (in a mix, shares are normalised when drawn)"),
    "flag": (0.0, 1.0, "true or false (on or off), or 0 or 1"),
    "hazard_per_year": (0.0, 1.0, "probability per year of leaving a state"),
    "per_child_year": (0.0, math.inf, "events per child per year (a hazard rate)"),
    "per_10000": (0.0, 10000.0, "rate per 10,000 children aged 0-17"),
    "per_10k_per_year": (0.0, 10000.0, "events per 10,000 children aged 0-17 per year"),
    "growth_per_year": (-0.5, 0.5, "proportional change per year (0.02 = +2% a year)"),
    "per_year": (0.0, math.inf, "events per child (or per person) per year, a rate"),
    "log_per_year": (0.0, 5.0, "standard deviation of a yearly change in a logarithm"),
    "multiplier": (0.0, math.inf, "a dimensionless multiplier"),
    "score": (-math.inf, math.inf, "a score on the scale the source uses"),
    # time
    "working_day": (0.0, 3650.0, "working days (Monday to Friday, not a bank holiday)"),
    "working_days": (0.0, 3650.0, "working days (Monday to Friday, not a bank holiday)"),
    "day": (0.0, 36500.0, "days"),
    "days": (0.0, 36500.0, "days"),
    "log_days": (-20.0, 20.0, "natural logarithm of a number of days"),
    "week": (0.0, 5200.0, "weeks"),
    "weeks": (0.0, 5200.0, "a duration in weeks"),
    "month": (0.0, 1200.0, "months"),
    "months": (0.0, 1200.0, "months"),
    "year": (0.0, 100.0, "years"),
    "years": (0.0, 100.0, "a duration in years"),
    "calendar_year": (1900.0, 2100.0, "a year ending 31 March"),
}

PARAMETER_KEYS = frozenset({"description", "unit", "reference", "values", "value", "calibrated", "calibrated_to",
                            "note", "uncertainty", "assumption", "documentation"})
UNCERTAINTY_KEYS = frozenset({"distribution", "low", "mode", "high", "sd", "basis", "shared"})
DISTRIBUTIONS = frozenset({"normal", "lognormal", "uniform", "triangular"})

# The five source reports in ../shared/seeds and their number of lines: a citation ``file:line`` must name one
# of them and a line that exists.
SEED_FILES: dict[str, int] = {
    "000_dab62616b6dfd7b9.txt": 2614,
    "001_8bebe4ae25a58006.txt": 5209,
    "002_880cb965cd4cce85.txt": 1908,
    "003_e7a6195f16ca1788.txt": 1023,
    "004_f6981e7d01f6d169.txt": 1457,
}
_SEED_CITE = re.compile(r"(?P<file>\d{3}_[0-9a-f]{16}\.txt):(?P<start>\d+)(?:\s*[-–]\s*(?P<end>\d+))?")
_CITATION_START = re.compile(r"^(\d{3}_[0-9a-f]{16}\.txt:\d+|https?://\S+|data:\S+|derived:|statute:|assumption:)")
_UNDATED = dt.date.min  # the "date" of a value given without one (``value:``): it holds at every date


def suggest(name: str, known: Iterable[str], n: int = 3) -> str:
    """A ' Did you mean ...?' hint naming the nearest known names, or '' when nothing is close.

    >>> suggest("gbp_per_wek", ["gbp_per_week", "weeks"])
    " Did you mean 'gbp_per_week'?"
    """
    known = list(known)
    lowered = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(lowered[c]) for c in close) + "?"


@dataclass(frozen=True)
class Uncertainty:
    """A multiplicative uncertainty on a parameter's values (1.0 = the central value), with its source.

    ``normal``/``lognormal`` use ``sd`` (relative); ``uniform`` uses ``low``/``high``; ``triangular`` uses
    ``low``/``mode``/``high``. ``basis`` says where the range comes from. Draws are clipped at zero: a cost or a
    count never turns negative. Parameters whose uncertainties name the same ``shared`` mechanism are drawn
    correlated by models that sample them together (e.g. the reform model's Monte Carlo).
    """

    distribution: str
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    sd: float | None = None
    basis: str | None = None
    shared: str | None = None

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The multiplier at quantile ``u`` (0 < u < 1): :meth:`sample` by inversion, for correlated draws."""
        import numpy as np
        from scipy import stats

        q = np.clip(np.asarray(u, dtype=float), 1e-9, 1 - 1e-9)
        if self.distribution == "normal":
            out = stats.norm.ppf(q, 1.0, float(self.sd or 0.0))
        elif self.distribution == "lognormal":
            s = float(self.sd or 0.0)
            out = np.exp(-0.5 * s * s + s * stats.norm.ppf(q)) if s > 0 else np.ones_like(q)
        elif self.distribution == "uniform":
            lo, hi = float(self.low or 1.0), float(self.high or 1.0)
            out = lo + (hi - lo) * q
        else:
            lo, hi = float(self.low or 1.0), float(self.high or 1.0)
            mode = float(self.mode if self.mode is not None else 1.0)
            if hi <= lo:
                out = np.full_like(q, mode)
            else:
                c = (mode - lo) / (hi - lo)
                out = np.where(q < c, lo + np.sqrt(q * (hi - lo) * (mode - lo)),
                               hi - np.sqrt((1 - q) * (hi - lo) * (hi - mode)))
        return np.clip(np.asarray(out, dtype=float), 0.0, None)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` multipliers drawn with ``rng``."""
        import numpy as np

        if self.distribution == "normal":
            out = rng.normal(1.0, float(self.sd or 0.0), n)
        elif self.distribution == "lognormal":
            s = float(self.sd or 0.0)
            out = rng.lognormal(-0.5 * s * s, s, n)
        elif self.distribution == "uniform":
            out = rng.uniform(float(self.low or 1.0), float(self.high or 1.0), n)
        else:
            lo, hi = float(self.low or 1.0), float(self.high or 1.0)
            mode = float(self.mode if self.mode is not None else 1.0)
            out = rng.triangular(lo, mode, hi, n) if hi > lo else np.full(n, mode)
        return np.clip(out, 0.0, None)

    def quantiles(self) -> tuple[float, float]:
        """The 10th and 90th percentile multipliers (used for one-at-a-time sensitivity)."""
        import numpy as np

        draws = self.sample(np.random.default_rng(0), 20000)
        lo, hi = np.quantile(draws, [0.1, 0.9])
        return float(lo), float(hi)


P = TypeVar("P", bound="Parameter")


@dataclass(frozen=True)
class Parameter:
    """One parameter: values dated from when they hold (a step function of the date), with unit and reference.

    ``values`` is sorted by date; a value holds from its date until the next one. A value given without a date
    (``value:`` in the file) holds at every date. Values are numbers, or for mixes a mapping of category to
    number (possibly nested), or a list of numbers. ``scale`` multiplies numeric values (a scenario's scaling).
    """

    name: str
    description: str
    unit: str
    reference: tuple[str, ...]
    values: tuple[tuple[dt.date, Any], ...]
    calibrated: bool = False
    calibrated_to: str | None = None
    note: str | None = None
    uncertainty: Uncertainty | None = None
    assumption: bool = False
    source: str = ""
    scale: float = field(default=1.0)

    @property
    def is_dated(self) -> bool:
        """False for a value given without a date (it holds at every date)."""
        return not (len(self.values) == 1 and self.values[0][0] == _UNDATED)

    def value_at(self, when: dt.date, default: Any = ...) -> Any:
        """The value holding on ``when``.

        Raises:
            ParameterError: ``when`` is before the first date and no ``default`` is given.

        >>> p = Parameter("x", "A number.", "weeks", ("statute: an Act",), ((dt.date(2020, 4, 1), 26),))
        >>> p.value_at(dt.date(2024, 1, 1)), p.value_at(dt.date(2019, 1, 1), default=0)
        (26, 0)
        """
        found: Any = ...
        for day, v in self.values:
            if day <= when:
                found = v
            else:
                break
        if found is ...:
            if not self.values:
                raise ParameterError(f"parameter {self.name} has no values ({self.source or 'no file'})")
            if default is ...:
                raise ParameterError(
                    f"parameter {self.name} has no value on {when.isoformat()}: its first value holds from "
                    f"{self.values[0][0].isoformat()} ({self.source or 'no file'})"
                )
            return default
        return _scaled(found, self.scale)

    def at(self, when: dt.date) -> Any:
        """The value holding on ``when`` (as :meth:`value_at`: an error before the first date)."""
        return self.value_at(when)

    @property
    def value(self) -> Any:
        """The latest value (the only one for an undated parameter)."""
        return _scaled(self.values[-1][1], self.scale)

    @property
    def first_value(self) -> Any:
        return _scaled(self.values[0][1], self.scale)

    @property
    def references(self) -> str:
        """The references as one line of text (``; ``-separated)."""
        return "; ".join(self.reference)

    def by_financial_year(self, first_year: int, n: int) -> np.ndarray:
        """Values holding on 1 April of ``first_year`` ... ``first_year + n - 1`` (0 before the first date)."""
        import numpy as np

        return np.array([self.value_at(dt.date(first_year + i, 4, 1), default=0.0) for i in range(n)],
                        dtype=float)

    def scaled(self: P, factor: float) -> P:
        """The same parameter with every numeric value multiplied by ``factor``."""
        return replace(self, scale=self.scale * factor)

    def with_values(self: P, values: Mapping[Any, Any], where: str, *, first_date: dt.date | None = None,
                    last_date: dt.date | None = None) -> P:
        """The same parameter with new dated values (checked like a file's)."""
        problems: list[str] = []
        parsed = _parse_values(values, self.unit, where, problems, first_date, last_date)
        if problems:
            raise ParameterError(f"{where}: invalid values", problems)
        return replace(self, values=parsed, scale=1.0)

    def with_value(self: P, value: Any) -> P:
        """The same parameter holding ``value`` at every date (e.g. a scenario's override)."""
        return replace(self, values=((_UNDATED, value),), scale=1.0, note=(self.note or "") + " [overridden]")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"description": self.description, "unit": self.unit,
                               "reference": list(self.reference)}
        if self.is_dated:
            out["values"] = {d.isoformat(): _scaled(v, self.scale) for d, v in self.values}
        else:
            out["value"] = self.value
        if self.calibrated:
            out["calibrated"] = True
            out["calibrated_to"] = self.calibrated_to
        return out


def _scaled(value: Any, scale: float) -> Any:
    if scale == 1.0 or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value * scale
    if isinstance(value, Mapping):
        return {k: _scaled(v, scale) for k, v in value.items()}
    return value


class ParameterSet(Mapping[str, Parameter]):
    """Parameters by name; a lookup of a name that does not exist names the nearest ones."""

    def __init__(self, parameters: Mapping[str, Parameter], where: str = "") -> None:
        self._params = dict(parameters)
        self.where = where

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise ParameterError(f"no parameter {name!r}{' in ' + self.where if self.where else ''}."
                                 f"{suggest(name, self._params)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def value_at(self, name: str, when: dt.date, default: Any = ...) -> Any:
        """The value of parameter ``name`` holding on ``when``."""
        return self[name].value_at(when, default)

    def under(self, prefix: str) -> ParameterSet:
        """The parameters whose names start with ``prefix`` (e.g. ``"care."``)."""
        return ParameterSet({k: v for k, v in self._params.items() if k.startswith(prefix)}, self.where)


# ------------------------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------------------------
def read_yaml(path: Path) -> Any:
    """Read a YAML file (libyaml's C loader where installed), a syntax error raising a :class:`ParameterError`."""
    import yaml

    from careflow._yaml import load_yaml

    try:
        return load_yaml(path)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc})") from exc
    except OSError as exc:
        raise ParameterError(f"{path}: cannot be read ({exc.strerror})") from exc


def _parse_date(key: Any, where: str, problems: list[str], first: dt.date | None,
                last: dt.date | None) -> dt.date | None:
    if isinstance(key, dt.datetime):
        key = key.date()
    if isinstance(key, dt.date):
        day = key
    else:
        try:
            day = dt.date.fromisoformat(str(key))
        except ValueError:
            problems.append(f"{where}: {key!r} is not a date (expected YYYY-MM-DD, e.g. 2024-04-01)")
            return None
    if (first is not None and day < first) or (last is not None and day > last):
        problems.append(f"{where}: date {day.isoformat()} is outside the model's years "
                        f"({first.isoformat() if first else '...'} to {last.isoformat() if last else '...'})")
        return None
    return day


def _check_number(value: Any, unit: str, where: str, problems: list[str]) -> bool:
    """Check one number against its unit's range (recursing into a mix); True when it is fine."""
    if isinstance(value, Mapping):
        if not value:
            problems.append(f"{where}: an empty mapping (a mix needs at least one category)")
            return False
        return all([_check_number(v, unit, f"{where}.{k}", problems) for k, v in value.items()])
    if isinstance(value, list):
        if not value:
            problems.append(f"{where}: an empty list")
            return False
        return all([_check_number(v, unit, f"{where}[{i}]", problems) for i, v in enumerate(value)])
    if isinstance(value, bool) and unit == "flag":
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}: {value!r} is not a number" + (" (true/false is for unit 'flag')"
                                                                 if isinstance(value, bool) else ""))
        return False
    number = float(value)
    if not math.isfinite(number):
        problems.append(f"{where}: {value!r} is not a finite number")
        return False
    lo, hi, meaning = UNITS.get(unit, (-math.inf, math.inf, ""))
    if number < lo:
        kind = "a cost" if unit.startswith("gbp") else f"a value in {unit}"
        what = "is negative" if lo == 0 else f"is below {lo:g}"
        problems.append(f"{where}: {number:g} {what}; {kind} must be >= {lo:g} ({meaning})."
                        + (" Write savings as savings, not negative costs." if unit.startswith("gbp") else ""))
        return False
    if number > hi:
        problems.append(f"{where}: {number:g} is above {hi:g}, the largest allowed for unit {unit!r} ({meaning})")
        return False
    return True


def _parse_values(raw: Any, unit: str, where: str, problems: list[str], first: dt.date | None = None,
                  last: dt.date | None = None) -> tuple[tuple[dt.date, Any], ...]:
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{where}.values: expected a mapping of dates to numbers (e.g. 2024-04-01: 100)")
        return ()
    out: list[tuple[dt.date, Any]] = []
    for key, value in raw.items():
        day = _parse_date(key, f"{where}.values", problems, first, last)
        if not _check_number(value, unit, f"{where}.values[{key}]", problems):
            continue
        if day is not None:
            out.append((day, value))
    out.sort(key=lambda dv: dv[0])
    dates = [d for d, _ in out]
    if len(set(dates)) != len(dates):
        problems.append(f"{where}.values: the same date appears twice")
    return tuple(out)


def check_reference(ref: Any, where: str, problems: list[str], *, citation_required: bool = False
                    ) -> tuple[str, ...]:
    """Check a reference (text or a list of texts); every seed ``file:line`` in it must exist.

    With ``citation_required`` each reference must start with a citation: ``NNN_<hash>.txt:LINE``, a URL,
    ``data:<file>``, ``derived: <how>``, ``statute: <act>`` or ``assumption: <why>``.
    """
    refs = ref if isinstance(ref, list) else [ref]
    out: list[str] = []
    for r in refs:
        if not isinstance(r, str) or not r.strip():
            problems.append(f"{where}.reference: missing (cite a seed as file:line, e.g. "
                            "001_8bebe4ae25a58006.txt:996, or a public document)")
            continue
        text = " ".join(r.split())
        for m in _SEED_CITE.finditer(text):
            lines = SEED_FILES.get(m.group("file"))
            if lines is None:
                problems.append(f"{where}.reference: {m.group('file')} is not one of the five source reports "
                                f"({', '.join(SEED_FILES)})")
                continue
            for end in (m.group("start"), m.group("end")):
                if end is not None and not 1 <= int(end) <= lines:
                    problems.append(f"{where}.reference: {m.group(0)} cites line {end}, but "
                                    f"{m.group('file')} has {lines} lines")
        if citation_required and not _CITATION_START.match(text):
            problems.append(f"{where}.reference: {r!r} is not a citation (expected 'NNN_<hash>.txt:LINE', "
                            "'https://...', 'data:<file>', 'derived: <how>', 'statute: <act>' or "
                            "'assumption: <why>')")
        out.append(text)
    return tuple(out)


def _parse_uncertainty(raw: Any, where: str, problems: list[str]) -> Uncertainty | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(f"{where}.uncertainty: expected a mapping with 'distribution'")
        return None
    for key in raw:
        if key not in UNCERTAINTY_KEYS:
            problems.append(f"{where}.uncertainty: unknown key {key!r}.{suggest(str(key), UNCERTAINTY_KEYS)}")
    dist = raw.get("distribution")
    if dist not in DISTRIBUTIONS:
        problems.append(f"{where}.uncertainty.distribution: {dist!r} is not one of {sorted(DISTRIBUTIONS)}"
                        f".{suggest(str(dist), DISTRIBUTIONS)}")
        return None
    nums: dict[str, float | None] = {}
    for key in ("low", "mode", "high", "sd"):
        v = raw.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
            problems.append(f"{where}.uncertainty.{key}: {v!r} must be a number >= 0 (a multiplier)")
            v = None
        nums[key] = None if v is None else float(v)
    if dist in {"normal", "lognormal"} and nums["sd"] is None:
        problems.append(f"{where}.uncertainty: a {dist} distribution needs 'sd' (relative, e.g. 0.2)")
    if dist in {"uniform", "triangular"}:
        low, high, mode = nums["low"], nums["high"], nums["mode"]
        if low is None or high is None:
            problems.append(f"{where}.uncertainty: a {dist} distribution needs 'low' and 'high' multipliers")
        elif low > high:
            problems.append(f"{where}.uncertainty: low ({low}) is above high ({high})")
        elif dist == "triangular" and mode is not None and not low <= mode <= high:
            problems.append(f"{where}.uncertainty: mode must lie between low and high")
    basis = raw.get("basis")
    shared = raw.get("shared")
    if shared is not None and not isinstance(shared, str):
        problems.append(f"{where}.uncertainty.shared: expected the name of a mechanism (text)")
        shared = None
    return Uncertainty(str(dist), nums["low"], nums["mode"], nums["high"], nums["sd"],
                       None if basis is None else str(basis), shared)


def parse_parameter(
    name: str,
    raw: Any,
    where: str,
    problems: list[str],
    *,
    cls: type[P] = Parameter,  # type: ignore[assignment]
    first_date: dt.date | None = None,
    last_date: dt.date | None = None,
    citation_required: bool = False,
    require_description: bool = True,
    allow_undated: bool = False,
    keys: Iterable[str] = PARAMETER_KEYS,
) -> P | None:
    """Check one parameter mapping, appending every problem found (each starting with ``where``) to ``problems``.

    A parameter has ``description``, ``unit`` (one of :data:`UNITS`), ``reference`` and ``values`` (dates to
    numbers); optionally ``uncertainty`` (distribution, range and ``basis``), ``calibrated: true`` with
    ``calibrated_to`` (the published figure it was tuned to), ``assumption: true`` and ``note``. With
    ``allow_undated`` a ``value`` (no date) may stand for ``values``. Returns None when it cannot be built.
    """
    allowed = set(keys)
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping with description, unit, reference and values")
        return None
    for key in raw:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), allowed)}")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        if require_description or description is not None:
            problems.append(f"{where}.description: missing (say what the number is)")
        description = ""
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        problems.append(f"{where}.unit: missing (one of {', '.join(sorted(UNITS))})")
        unit = ""
    elif unit not in UNITS:
        problems.append(f"{where}.unit: {unit!r} is not a known unit.{suggest(unit, UNITS)}")
    reference = check_reference(raw.get("reference"), where, problems, citation_required=citation_required)
    values: tuple[tuple[dt.date, Any], ...]
    if "value" in raw and allow_undated:
        if "values" in raw:
            problems.append(f"{where}: give either value (no date) or values (dated), not both")
        values = ((_UNDATED, raw["value"]),) if _check_number(raw["value"], unit, f"{where}.value", problems) \
            else ()
    else:
        values = _parse_values(raw.get("values"), unit, where, problems, first_date, last_date)
    calibrated = raw.get("calibrated", False)
    if not isinstance(calibrated, bool):
        problems.append(f"{where}.calibrated: expected true or false (name the figure in calibrated_to)")
        calibrated = False
    calibrated_to = raw.get("calibrated_to")
    if calibrated and not (isinstance(calibrated_to, str) and calibrated_to.strip()):
        problems.append(f"{where}.calibrated_to: a calibrated parameter must name the published figure it "
                        "was tuned to match")
    if calibrated_to is not None and not calibrated:
        problems.append(f"{where}.calibrated_to: given but 'calibrated' is not true")
    assumption = raw.get("assumption", False)
    if not isinstance(assumption, bool):
        problems.append(f"{where}.assumption: expected true or false")
        assumption = False
    uncertainty = _parse_uncertainty(raw.get("uncertainty"), where, problems)
    note = raw.get("note")
    # Built even when its values were rejected (the problems are reported): later checks can still name it.
    return cls(name=name, description=str(description).strip(), unit=unit, reference=reference, values=values,
               calibrated=bool(calibrated), calibrated_to=calibrated_to, note=None if note is None else str(note),
               uncertainty=uncertainty, assumption=bool(assumption), source=where)


def _is_leaf(node: Mapping[str, Any]) -> bool:
    return any(k in node for k in ("values", "value", "unit", "reference"))


def parse_tree(raw: Any, prefix: str, where: str, problems: list[str], out: dict[str, Parameter],
               inner: str = "", **options: Any) -> None:
    """Parse a parameter, or a node of named children (nested mappings), into ``out`` by dotted name.

    ``where`` names the file; a parameter nested in it is reported as ``file:path.in.file``.
    """
    here = f"{where}:{inner}" if inner else where
    if not isinstance(raw, Mapping):
        problems.append(f"{here}: expected a parameter (description, unit, reference, values) or a mapping of "
                        f"named parameters, not {type(raw).__name__}")
        return
    if _is_leaf(raw):
        p = parse_parameter(prefix, raw, here, problems, **options)
        if p is not None:
            out[prefix] = p
        return
    for key, child in raw.items():
        parse_tree(child, f"{prefix}.{key}" if prefix else str(key), where, problems, out,
                   f"{inner}.{key}" if inner else str(key), **options)


def load_file(path: Path | str, *, name: str = "", **options: Any) -> ParameterSet:
    """The parameters in one YAML file: the file itself (named ``name``) or the nodes it nests (dotted names).

    ``options`` are passed to :func:`parse_parameter`. Every problem is reported together.

    Raises:
        ParameterError: the file is not valid YAML, or a parameter in it is malformed.
    """
    path = Path(path)
    problems: list[str] = []
    out: dict[str, Parameter] = {}
    parse_tree(read_yaml(path), name, str(path.name), problems, out, **options)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in {path}", problems)
    return ParameterSet(out, str(path))


def load_dir(root: Path | str, *, sep: str = ".", exclude: Iterable[str] = (), **options: Any) -> ParameterSet:
    """Every parameter under ``root``: name = the file's path without ``.yaml``, parts joined by ``sep``.

    Top-level folders in ``exclude`` are skipped. Every problem in every file is reported together.

    Raises:
        ParameterError: a file is not valid YAML, or a parameter is malformed.
    """
    root = Path(root)
    skip = set(exclude)
    problems: list[str] = []
    out: dict[str, Parameter] = {}
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root)
        if rel.parts[0] in skip:
            continue
        name = sep.join(rel.with_suffix("").parts)
        try:
            raw = read_yaml(path)
        except ParameterError as exc:
            problems.extend(exc.problems)
            continue
        parse_tree(raw, name, f"{root.name}/{rel.as_posix()}", problems, out, **options)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in the parameters under {root}", problems)
    return ParameterSet(out, str(root))
