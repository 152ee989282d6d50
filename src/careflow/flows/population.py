"""The ONS mid-year estimate of children aged 0–17, by area, so that demographic change feeds demand.

The series is derived from ``shared/data/dfe/population/ons_mid-year_population_estimates_2012_to_2024.csv``
(ONS mid-year estimates, Crown copyright, Open Government Licence v3.0) by :func:`build` and committed as
``data/population_0_17.csv``: one row per area (England, regions, local authorities), one column per mid-year.

Example:
    >>> england = load_population("England")
    >>> round(england.at(date(2021, 6, 30)))
    11762878
"""

from __future__ import annotations

import csv
import difflib
import itertools
import sys
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from careflow.flows._errors import FlowConfigError

__all__ = ["PopulationSeries", "build", "load_population", "population_areas"]

DATA = Path(__file__).parent / "data"
POPULATION_CSV = DATA / "population_0_17.csv"
SOURCE = (
    "ONS mid-year population estimates, children aged 0 to 17, 2012 to 2024, as placed in "
    "shared/data/dfe/population/ons_mid-year_population_estimates_2012_to_2024.csv (Crown copyright, "
    "Open Government Licence v3.0)"
)


@dataclass(frozen=True)
class PopulationSeries:
    """Children aged 0–17 at 30 June of each year, for one area, with a rule to go beyond the last year.

    Attributes:
        area: the area's name (or a label for a user-supplied series).
        years: mid-years, ascending.
        counts: children aged 0–17 at 30 June of each year.
        extend: ``"trend"`` carries the last five years' linear trend forward; ``"flat"`` holds the last value.
        source: where the figures come from.
    """

    area: str
    years: tuple[int, ...]
    counts: tuple[float, ...]
    extend: str = "trend"
    source: str = SOURCE

    def __post_init__(self) -> None:
        if len(self.years) != len(self.counts) or not self.years:
            raise FlowConfigError(f"population series {self.area!r}: years and counts must be non-empty and match")
        if any(c <= 0 or not np.isfinite(c) for c in self.counts):
            raise FlowConfigError(f"population series {self.area!r}: counts must be positive numbers")
        if self.extend not in ("trend", "flat"):
            raise FlowConfigError(f"population series {self.area!r}: extend must be 'trend' or 'flat'")

    def at(self, when: date) -> float:
        """Children aged 0–17 on a date (linear between mid-years; beyond them by the ``extend`` rule)."""
        return float(self.on(np.array([_year_fraction(when)]))[0])

    def on(self, years_fraction: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`at` on decimal years (2021.5 is 30 June 2021)."""
        x = np.asarray(self.years, dtype=float) + 0.5
        y = np.asarray(self.counts, dtype=float)
        out = np.interp(years_fraction, x, y)
        if self.extend == "trend" and len(x) >= 2:
            tail = slice(max(0, len(x) - 5), len(x))
            slope = np.polyfit(x[tail], y[tail], 1)[0] if len(x[tail]) >= 2 else 0.0
            after = years_fraction > x[-1]
            out = np.where(after, y[-1] + slope * (years_fraction - x[-1]), out)
            before = years_fraction < x[0]
            slope0 = (y[1] - y[0]) / (x[1] - x[0])
            out = np.where(before, y[0] + slope0 * (years_fraction - x[0]), out)
        return np.maximum(out, 1.0)

    def scaled(self, factor: float, area: str | None = None) -> PopulationSeries:
        """The same shape scaled (e.g. England's series scaled to a synthetic LA's size)."""
        return PopulationSeries(area or self.area, self.years, tuple(c * factor for c in self.counts), self.extend,
                                self.source + f" × {factor:.6g}")


def _year_fraction(when: date) -> float:
    return when.year + (when.timetuple().tm_yday - 1) / 365.25


@cache
def _table() -> dict[str, tuple[str, dict[int, float]]]:
    out: dict[str, tuple[str, dict[int, float]]] = {}
    with POPULATION_CSV.open(encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.startswith("#"))
        years = [c for c in (reader.fieldnames or []) if c.isdigit()]
        for row in reader:
            values = {int(y): float(row[y]) for y in years if row[y]}
            for name in {row["area_code"], row["area_name"], row["old_la_code"]} - {""}:
                out[name.lower()] = (row["area_name"], values)
    return out


def population_areas() -> list[str]:
    """The area names the packaged series holds."""
    return sorted({name for name, _ in _table().values()})


def load_population(area: str = "England", *, extend: str = "trend") -> PopulationSeries:
    """The packaged 0–17 series for an area, by name, ONS code (E06000001) or old DfE LA code (805).

    Raises:
        FlowConfigError: the area is not in the series (the message suggests the nearest names).
    """
    found = _table().get(area.strip().lower())
    if found is None:
        near = difflib.get_close_matches(area, population_areas(), n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise FlowConfigError(f"no population series for area {area!r}{hint}")
    name, values = found
    years = tuple(sorted(values))
    return PopulationSeries(name, years, tuple(values[y] for y in years), extend)


def build(shared: Path, out_dir: Path = DATA) -> None:
    """Derive the packaged files from ``shared/data/dfe`` (run: ``python -m careflow.flows.population SHARED``).

    Writes ``population_0_17.csv`` (one row per area, one column per mid-year) and
    ``parameters/entry_drift.yaml`` (how much a local authority's yearly entries into care wander, from the DfE
    LA figures 2018–2022, net of Poisson noise).
    """
    src = shared / "data" / "dfe" / "population" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    rows: dict[tuple[str, str, str, str], dict[int, int]] = {}
    with src.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["age_group"] != "Children aged 0 to 17 years":
                continue
            level = row["geographic_level"]
            code = row["new_la_code"] or row["region_code"] or row["country_code"]
            name = row["la_name"] or row["region_name"] or row["country_name"]
            key = (level, code, row["old_la_code"], name)
            if not row["population_estimate"].isdigit():
                continue  # not available for this area and year
            rows.setdefault(key, {})[int(row["time_period"])] = int(row["population_estimate"])
    years = sorted({y for v in rows.values() for y in v})
    order = {"National": 0, "Regional": 1, "Local authority": 2}
    out = out_dir / "population_0_17.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(f"# Children aged 0-17 at 30 June. Source: {SOURCE}.\n")
        fh.write("# Derived by careflow.flows.population.build; do not edit by hand.\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["level", "area_code", "old_la_code", "area_name", *years])
        for key in sorted(rows, key=lambda k: (order.get(k[0], 9), k[3])):
            writer.writerow([*key, *(rows[key].get(y, "") for y in years)])
    _build_drift(shared, out_dir / "parameters" / "entry_drift.yaml")


def _build_drift(shared: Path, out: Path) -> None:
    src = shared / "data" / "dfe" / "cla_2022_release" / "cla_number_and_rate_per_10k_children.csv"
    starts: dict[str, dict[int, float]] = {}
    with src.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["geographic_level"] != "Local authority":
                continue
            if row["population_count"] != "Children starting to be looked after each year":
                continue
            try:
                starts.setdefault(row["new_la_code"], {})[int(row["time_period"])] = float(row["number"])
            except ValueError:
                continue  # suppressed
    excess = []
    for series in starts.values():
        ys = sorted(series)
        for a, b in itertools.pairwise(ys):
            na, nb = series[a], series[b]
            if b == a + 1 and na >= 20 and nb >= 20:
                # Var(log nb - log na) = drift + Poisson noise (1/na + 1/nb)
                excess.append((np.log(nb) - np.log(na)) ** 2 - (1 / na + 1 / nb))
    # A variance, so a mean, not a median (the median of a squared normal is under half its mean); the top 5%
    # (boundary changes, data breaks) are trimmed.
    trimmed = np.sort(np.asarray(excess))[: int(len(excess) * 0.95)]
    drift_var = max(float(np.mean(trimmed)), 0.0)
    sd = round(float(np.sqrt(drift_var)), 4)
    doc = {
        "description": (
            "Standard deviation of the year-on-year change in the log of a local authority's entries into care, "
            "beyond Poisson noise: how far the entry level wanders from one year to the next."
        ),
        "unit": "log_per_year",
        "reference": (
            "Derived by careflow.flows.population.build from DfE 'Children looked after in England including "
            "adoptions: 2021 to 2022', cla_number_and_rate_per_10k_children.csv (children starting to be looked "
            f"after, {len(starts)} local authorities, 2018-2022): mean, top 5% trimmed, over LA-year pairs with "
            "at least 20 starts of (change in log starts)^2 - (1/n1 + 1/n2). Open Government Licence v3.0."
        ),
        "values": {date(2022, 3, 31): sd},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(doc, sort_keys=False, width=110), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a build script
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[4].parent / "shared")
