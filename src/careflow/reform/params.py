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
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from careflow.reform.errors import ParameterError, suggest

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "PARAMETER_KEYS",
    "UNITS",
    "Parameter",
    "Uncertainty",
    "parse_parameter",
    "read_yaml",
]

# The model's years: published series start in 1994 (year ending 31 March 1994); projections end 31 March 2033,
# the end of year 10 of the Review's table (year 1 = 2023-24, 001_8bebe4ae25a58006.txt:4056).
FIRST_DATE = dt.date(1993, 4, 1)
LAST_DATE = dt.date(2033, 3, 31)

# unit -> (lowest allowed value, highest allowed value, meaning)
UNITS: dict[str, tuple[float, float, str]] = {
    "gbp_million": (0.0, math.inf, "£ million in a financial year"),
    "gbp_per_child_year": (0.0, math.inf, "£ per child per year"),
    "gbp_per_person_year": (0.0, math.inf, "£ per person per year"),
    "gbp_per_week": (0.0, math.inf, "£ per week"),
    "gbp_per_item": (0.0, math.inf, "£ per item (assessment, plan, grant, ...)"),
    "gbp_billion": (0.0, math.inf, "£ billion in a financial year"),
    "children": (0.0, math.inf, "children (a stock)"),
    "children_per_year": (0.0, math.inf, "children in a financial year (a flow)"),
    "people_per_year": (0.0, math.inf, "people (carers, workers, care leavers) in a financial year"),
    "people": (0.0, math.inf, "people (a stock)"),
    "items_per_person_year": (0.0, math.inf, "items per person per year"),
    "fraction": (0.0, 1.0, "a share between 0 and 1"),
    "hazard_per_year": (0.0, 1.0, "probability per year of leaving a state"),
    "growth_per_year": (-0.5, 0.5, "proportional change per year (0.02 = +2% a year)"),
    "per_10000": (0.0, 10000.0, "rate per 10,000 children aged 0-17"),
    "years": (0.0, 100.0, "a duration in years"),
    "weeks": (0.0, 5200.0, "a duration in weeks"),
    "multiplier": (0.0, math.inf, "a dimensionless multiplier"),
    "calendar_year": (1994.0, 2033.0, "a year ending 31 March"),
}

PARAMETER_KEYS = {"description", "unit", "reference", "values", "calibrated", "calibrated_to", "note",
                  "uncertainty"}
UNCERTAINTY_KEYS = {"distribution", "low", "mode", "high", "sd", "basis", "shared"}
DISTRIBUTIONS = {"normal", "lognormal", "uniform", "triangular"}

SEED_FILES = {
    "000_dab62616b6dfd7b9.txt", "001_8bebe4ae25a58006.txt", "002_880cb965cd4cce85.txt",
    "003_e7a6195f16ca1788.txt", "004_f6981e7d01f6d169.txt",
}
_SEED_REF = re.compile(r"^(?P<file>\d{3}_[0-9a-f]{16}\.txt):(?P<start>\d+)(?:[-–](?P<end>\d+))?")
_OTHER_REF = re.compile(r"^(https?://\S+|data:\S+|derived:|statute:|assumption:)")


@dataclass(frozen=True)
class Uncertainty:
    """A multiplicative uncertainty on a parameter's values (1.0 = the central value).

    ``normal``/``lognormal`` use ``sd`` (relative); ``uniform`` uses ``low``/``high``; ``triangular`` uses
    ``low``/``mode``/``high``. Draws are clipped at zero: a cost or a count never turns negative.
    """

    distribution: str
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    sd: float | None = None
    basis: str | None = None
    shared: str | None = None  # parameters naming the same mechanism are drawn correlated

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The multiplier at quantile ``u`` (0 < u < 1): draws from :meth:`sample` by inversion, for
        correlated sampling."""
        from scipy import stats

        u = np.clip(np.asarray(u, dtype=float), 1e-9, 1 - 1e-9)
        if self.distribution == "normal":
            out = stats.norm.ppf(u, 1.0, float(self.sd or 0.0))
        elif self.distribution == "lognormal":
            s = float(self.sd or 0.0)
            out = np.exp(-0.5 * s * s + s * stats.norm.ppf(u)) if s > 0 else np.ones_like(u)
        elif self.distribution == "uniform":
            lo, hi = float(self.low or 1.0), float(self.high or 1.0)
            out = lo + (hi - lo) * u
        else:
            lo, hi = float(self.low or 1.0), float(self.high or 1.0)
            mode = float(self.mode if self.mode is not None else 1.0)
            if hi <= lo:
                out = np.full_like(u, mode)
            else:
                c = (mode - lo) / (hi - lo)
                out = np.where(u < c, lo + np.sqrt(u * (hi - lo) * (mode - lo)),
                               hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode)))
        return np.clip(np.asarray(out, dtype=float), 0.0, None)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` multipliers drawn with ``rng``."""
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
        rng = np.random.default_rng(0)
        draws = self.sample(rng, 20000)
        lo, hi = np.quantile(draws, [0.1, 0.9])
        return float(lo), float(hi)


@dataclass(frozen=True)
class Parameter:
    """One dated parameter. ``values`` is sorted by date; a value holds from its date to the next."""

    name: str
    description: str
    unit: str
    reference: tuple[str, ...]
    values: tuple[tuple[dt.date, float], ...]
    calibrated: bool = False
    calibrated_to: str | None = None
    note: str | None = None
    uncertainty: Uncertainty | None = None
    source: str = ""
    scale: float = field(default=1.0)

    def at(self, when: dt.date) -> float:
        """The value holding on ``when`` (0 before the first date)."""
        value = 0.0
        for day, v in self.values:
            if day <= when:
                value = v
            else:
                break
        return value * self.scale

    def by_financial_year(self, first_year: int, n: int) -> np.ndarray:
        """Values holding on 1 April of ``first_year`` ... ``first_year + n - 1`` (financial years)."""
        return np.array([self.at(dt.date(first_year + i, 4, 1)) for i in range(n)], dtype=float)

    @property
    def first_value(self) -> float:
        return self.values[0][1] * self.scale

    def scaled(self, factor: float) -> Parameter:
        """The same parameter with every value multiplied by ``factor``."""
        return replace(self, scale=self.scale * factor)

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

    def with_values(self, values: Mapping[Any, Any], where: str) -> Parameter:
        """The same parameter with new dated values (checked like a file's)."""
        problems: list[str] = []
        parsed = _parse_values(values, self.unit, where, problems)
        if problems:
            raise ParameterError(f"{where}: invalid values", problems)
        return replace(self, values=parsed, scale=1.0)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"description": self.description, "unit": self.unit,
                               "reference": list(self.reference),
                               "values": {d.isoformat(): v * self.scale for d, v in self.values}}
        if self.calibrated:
            out["calibrated"] = True
            out["calibrated_to"] = self.calibrated_to
        return out


def read_yaml(path: Path) -> Any:
    """Read a YAML file, turning a syntax error into a :class:`ParameterError` naming the file."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc})") from exc
    except OSError as exc:
        raise ParameterError(f"{path}: cannot be read ({exc.strerror})") from exc


def _parse_date(key: Any, where: str, problems: list[str]) -> dt.date | None:
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
    if not FIRST_DATE <= day <= LAST_DATE:
        problems.append(
            f"{where}: date {day.isoformat()} is outside the model's years "
            f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})"
        )
        return None
    return day


def _parse_values(raw: Any, unit: str, where: str, problems: list[str]) -> tuple[tuple[dt.date, float], ...]:
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{where}.values: expected a mapping of dates to numbers (e.g. 2024-04-01: 100)")
        return ()
    lo, hi, meaning = UNITS.get(unit, (-math.inf, math.inf, ""))
    out: list[tuple[dt.date, float]] = []
    for key, value in raw.items():
        day = _parse_date(key, f"{where}.values", problems)
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}.values[{key}]: {value!r} is not a number")
            continue
        number = float(value)
        if not math.isfinite(number):
            problems.append(f"{where}.values[{key}]: {value!r} is not a finite number")
            continue
        if number < lo:
            kind = "a cost" if unit.startswith("gbp") else f"a value in {unit}"
            problems.append(f"{where}.values[{key}]: {number:g} is negative; {kind} must be >= {lo:g} "
                            f"({meaning}). Write savings as savings, not negative costs.")
            continue
        if number > hi:
            problems.append(f"{where}.values[{key}]: {number:g} is above {hi:g}, the largest allowed for unit "
                            f"{unit!r} ({meaning})")
            continue
        if day is not None:
            out.append((day, number))
    out.sort()
    dates = [d for d, _ in out]
    if len(set(dates)) != len(dates):
        problems.append(f"{where}.values: the same date appears twice")
    return tuple(out)


def _check_reference(ref: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    refs = ref if isinstance(ref, list) else [ref]
    out: list[str] = []
    for r in refs:
        if not isinstance(r, str) or not r.strip():
            problems.append(f"{where}.reference: missing (cite a seed as file:line, e.g. "
                            "001_8bebe4ae25a58006.txt:996, or a public document's URL)")
            continue
        m = _SEED_REF.match(r.strip())
        if m:
            if m.group("file") not in SEED_FILES:
                problems.append(f"{where}.reference: {m.group('file')} is not one of the five source reports")
        elif not _OTHER_REF.match(r.strip()):
            problems.append(f"{where}.reference: {r!r} is not a citation (expected 'NNN_<hash>.txt:LINE', "
                            "'https://...', 'data:<file>' or 'derived: <how>')")
        out.append(r.strip())
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
        if nums["low"] is None or nums["high"] is None:
            problems.append(f"{where}.uncertainty: a {dist} distribution needs 'low' and 'high' multipliers")
        elif nums["low"] > nums["high"]:
            problems.append(f"{where}.uncertainty: low ({nums['low']}) is above high ({nums['high']})")
        elif dist == "triangular" and nums["mode"] is not None and not nums["low"] <= nums["mode"] <= nums["high"]:
            problems.append(f"{where}.uncertainty: mode must lie between low and high")
    basis = raw.get("basis")
    shared = raw.get("shared")
    if shared is not None and not isinstance(shared, str):
        problems.append(f"{where}.uncertainty.shared: expected the name of a mechanism (text)")
        shared = None
    return Uncertainty(dist, nums["low"], nums["mode"], nums["high"], nums["sd"],
                       None if basis is None else str(basis), shared)


def parse_parameter(name: str, raw: Any, where: str, problems: list[str]) -> Parameter | None:
    """Check one parameter mapping, appending every problem found to ``problems``."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping with description, unit, reference and values")
        return None
    for key in raw:
        if key not in PARAMETER_KEYS:
            problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), PARAMETER_KEYS)}")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.append(f"{where}.description: missing (say what the number is)")
        description = ""
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        problems.append(f"{where}.unit: missing (one of {', '.join(sorted(UNITS))})")
        unit = ""
    elif unit not in UNITS:
        problems.append(f"{where}.unit: {unit!r} is not a known unit.{suggest(unit, UNITS)}")
    reference = _check_reference(raw.get("reference"), where, problems)
    values = _parse_values(raw.get("values"), unit, where, problems)
    calibrated = raw.get("calibrated", False)
    if not isinstance(calibrated, bool):
        problems.append(f"{where}.calibrated: expected true or false")
        calibrated = False
    calibrated_to = raw.get("calibrated_to")
    if calibrated and not (isinstance(calibrated_to, str) and calibrated_to.strip()):
        problems.append(f"{where}.calibrated_to: a calibrated parameter must name the published figure it "
                        "was tuned to match")
    if calibrated_to is not None and not calibrated:
        problems.append(f"{where}.calibrated_to: given but 'calibrated' is not true")
    uncertainty = _parse_uncertainty(raw.get("uncertainty"), where, problems)
    note = raw.get("note")
    return Parameter(name=name, description=description, unit=unit, reference=reference, values=values,
                     calibrated=bool(calibrated), calibrated_to=calibrated_to, note=None if note is None else str(note),
                     uncertainty=uncertainty, source=where)
