"""The published history the outlook forecasts from: CLA at 31 March, starts, ceased and the 0-17 population.

Everything is read in :func:`load_history`, through careflow's published-table loaders (the scorecard's counts
in :mod:`careflow.measures.published` for the flows; the reform model's ONS mid-year estimates in
:mod:`careflow.reform.series` for the population), so that where careflow's data come from can change in one place.

Years are years ending 31 March. The population used with a year is the ONS mid-year estimate of the June before it
(as in DfE's rates per 10,000); mid-2010 and mid-2011 are not held, so 2011 and 2012 are interpolated.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["MEASURES", "History", "OutlookArea", "Reorganisation", "load_history", "reorganisations"]

# Output name -> column in the published counts.
MEASURES: dict[str, str] = {"cla_31_march": "cla_at_31_march", "starts": "cla_starts", "ceased": "cla_ceased"}
LEVELS = {"national": "national", "region": "regional", "local_authority": "local authority"}
DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Reorganisation:
    """A local authority whose ONS code or boundary changed after the data careflow holds (e.g. in April 2023)."""

    old_la_code: str
    old_ons_code: str
    new_la_codes: tuple[str, ...]
    new_ons_codes: tuple[str, ...]
    new_names: tuple[str, ...]
    effective: str
    note: str
    source: str


@dataclass(frozen=True, slots=True)
class OutlookArea:
    """England, a region or a local authority as the outlook names it."""

    code: str  # DfE LA number, or the ONS code for England and regions
    name: str
    level: str  # national, regional, local authority
    ons_code: str  # the current ONS code (after any reorganisation)
    old_la_code: str
    region_code: str
    statistical_neighbours: tuple[str, ...]
    former_ons_code: str = ""
    successors: tuple[tuple[str, str, str], ...] = ()  # (LA number, ONS code, name) of authorities it became

    @property
    def display_name(self) -> str:
        """The name, saying how a reorganised authority maps onto today's (e.g. Cumbria's split in 2023)."""
        if self.successors:
            parts = " and ".join(f"{name} ({ons})" for _, ons, name in self.successors)
            return f"{self.name} ({self.former_ons_code}), since April 2023 {parts}: forecast for the whole area"
        if self.former_ons_code:
            return f"{self.name} ({self.ons_code}; {self.former_ons_code} until March 2023)"
        return self.name


@dataclass(frozen=True)
class History:
    """Series for every area (rows) and year (columns); NaN where absent or suppressed.

    ``population`` runs on past the last year of counts to ``population_years[-1]`` (the last ONS estimate
    held); after that the outlook holds it constant (a stated assumption: ONS projections are not held).
    """

    areas: tuple[OutlookArea, ...]
    years: np.ndarray
    values: dict[str, np.ndarray]  # measure -> (areas, years)
    population_years: np.ndarray
    population: np.ndarray  # (areas, population_years)
    source: str

    @property
    def last_year(self) -> int:
        return int(self.years[-1])

    def index(self, code: str) -> int:
        return [a.code for a in self.areas].index(code)

    def population_for(self, years: np.ndarray, known_to: int | None = None) -> np.ndarray:
        """Population (areas, years) for years ending 31 March, held flat after ``known_to`` (default: the last
        ONS estimate held). Back-tests pass the origin year, so no later estimate is used."""
        last = int(self.population_years[-1]) if known_to is None else min(known_to, int(self.population_years[-1]))
        cols = np.clip(np.minimum(years, last) - int(self.population_years[0]), 0, None)
        return self.population[:, cols]


@functools.cache
def reorganisations() -> tuple[Reorganisation, ...]:
    """Authorities reorganised after the data careflow ships (``data/reorganisations.csv``, with sources)."""
    with (DATA_DIR / "reorganisations.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Reorganisation(
            old_la_code=r["old_la_code"], old_ons_code=r["old_ons_code"],
            new_la_codes=tuple(r["new_la_codes"].split(";")), new_ons_codes=tuple(r["new_ons_codes"].split(";")),
            new_names=tuple(r["new_names"].split(";")), effective=r["effective"], note=r["note"], source=r["source"],
        )
        for r in rows
    )


def _population_by_area(areas: list[OutlookArea]) -> tuple[np.ndarray, np.ndarray]:
    """ONS mid-year 0-17 estimates by year ending 31 March (mid-year + 1), interpolated over gaps.

    Read from the reform model's committed population table (``reform/data/population.csv``, ONS mid-year
    estimates to mid-2024 as DfE publishes them), which also holds the authorities created in 2023.
    """
    from careflow.reform.series import _population

    table = _population().filter(pl.col("population_ons").is_not_null())
    found: dict[tuple[str, str], dict[int, float]] = {}
    for level, key, mid_year, value in table.select("level", "key", "mid_year", "population_ons").iter_rows():
        found.setdefault((level, str(key)), {})[int(mid_year) + 1] = float(value)

    def lookup(a: OutlookArea) -> dict[int, float]:
        if a.level == "national":
            return found.get(("national", "England"), {})
        if a.level == "regional":
            return found.get(("region", a.name), {})
        own = dict(found.get(("la", a.code), {}))
        # Successor authorities' estimates (Cumberland + Westmorland and Furness) continue a split authority's.
        last_own = max(own, default=0)
        for la, _, _ in a.successors:
            for year, value in found.get(("la", la), {}).items():
                if year > last_own:
                    own[year] = own.get(year, 0.0) + value
        return own

    series = [lookup(a) for a in areas]
    first = min(min(s) for s in series if s)
    last = max(max(s) for s in series if s)
    grid = np.arange(first, last + 1)
    out = np.full((len(areas), grid.size), np.nan)
    for i, s in enumerate(series):
        if s:
            ys = np.array(sorted(s))
            ps = np.array([s[y] for y in ys])
            inside = (grid >= ys.min()) & (grid <= ys.max())
            out[i, inside] = np.interp(grid[inside], ys, ps)
    return grid, out


@functools.cache
def load_history() -> History:
    """The published history (every area with a CLA figure in the latest year, plus areas that ended earlier)."""
    from careflow.measures.published import areas as published_areas
    from careflow.measures.published import counts

    table = counts()
    by_code = published_areas()
    reorg = {r.old_la_code: r for r in reorganisations()}
    years = np.arange(int(table["year"].min()), int(table["year"].max()) + 1)  # type: ignore[arg-type]
    chosen: list[OutlookArea] = []
    for a in by_code.values():
        if a.level not in LEVELS:  # la_group rows (two LAs reported together) are not forecast
            continue
        r = reorg.get(a.code)
        successors: tuple[tuple[str, str, str], ...] = ()
        ons, former = a.ons_code, ""
        if r is not None and len(r.new_la_codes) > 1:
            successors = tuple(zip(r.new_la_codes, r.new_ons_codes, r.new_names, strict=True))
            former = r.old_ons_code
            ons = r.old_ons_code
        elif r is not None:
            ons, former = r.new_ons_codes[0], r.old_ons_code
        chosen.append(OutlookArea(
            code=a.code, name=a.name, level=LEVELS[a.level], ons_code=ons,
            old_la_code=a.code if a.level == "local_authority" else "",
            region_code=a.region_code if a.level == "local_authority" else (a.code if a.level == "region" else ""),
            statistical_neighbours=a.statistical_neighbours, former_ons_code=former, successors=successors,
        ))
    order = {"national": 0, "regional": 1, "local authority": 2}
    chosen.sort(key=lambda a: (order[a.level], a.name, a.code))
    idx = {a.code: i for i, a in enumerate(chosen)}
    values = {m: np.full((len(chosen), years.size), np.nan) for m in MEASURES}
    frame = table.filter(pl.col("area_code").is_in(list(idx))).select(["area_code", "year", *MEASURES.values()])
    for m, column in MEASURES.items():
        rows = frame.select(
            pl.col("area_code").replace_strict(idx, return_dtype=pl.Int64),
            pl.col("year").cast(pl.Int64) - int(years[0]),
            pl.col(column).cast(pl.Float64, strict=False),
        ).drop_nulls().to_numpy()
        values[m][rows[:, 0].astype(int), rows[:, 1].astype(int)] = rows[:, 2]
    pop_years, population = _population_by_area(chosen)
    return History(
        areas=tuple(chosen), years=years, values=values, population_years=pop_years, population=population,
        source=f"DfE children looked after in England {int(years[0])}-{int(years[-1])} (careflow's published "
               f"tables); ONS mid-year 0-17 estimates to mid-{int(pop_years[-1]) - 1}",
    )
