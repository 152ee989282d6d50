"""The published series the model runs on (England, regions, local authorities): the newest data careflow holds.

The shipped data are derived by ``scripts/derive_reform_series.py`` from DfE and ONS statistics (see
``data/SOURCES.md``); nothing here reads ``../shared``. A later release imported with ``careflow data import``
is laid over them (``careflow.published.reform_tables``), so the base year moves on with the data held.
Years are years ending 31 March; the 0-17 population used with a year is the ONS mid-year estimate of the June
before it (as in DfE's rates per 10,000).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from careflow.reform.errors import UnknownAreaError, suggest

__all__ = [
    "Area",
    "AreaSeries",
    "all_areas",
    "la_matrix",
    "load_series",
    "resolve_area",
]

ENGLAND = "England"
# Sub-regions in the DfE files that are not one of the nine regions.
_SUB_REGIONS = {"Inner London", "Outer London"}


def _data_dir() -> Path:
    return Path(str(resources.files("careflow.reform") / "data"))


# The shipped series, with any later release imported by `careflow data import` laid over them (careflow.published:
# the newest data held). Cached per state of the import folder.


def _held_stamp() -> float:
    from careflow.published.store import _stamp, store_dir

    return _stamp(store_dir())


def _national() -> pl.DataFrame:
    return _national_held(_held_stamp())


@functools.cache
def _national_held(_stamp: float) -> pl.DataFrame:
    from careflow.published.reform_tables import overlay_national

    return overlay_national(pl.read_csv(_data_dir() / "national_series.csv"))


def _area_table() -> pl.DataFrame:
    return _area_table_held(_held_stamp())


@functools.cache
def _area_table_held(_stamp: float) -> pl.DataFrame:
    from careflow.published.reform_tables import overlay_area_table

    return overlay_area_table(
        pl.read_csv(_data_dir() / "area_series.csv", schema_overrides={"key": pl.Utf8, "code": pl.Utf8}))


def _population() -> pl.DataFrame:
    return _population_held(_held_stamp())


@functools.cache
def _population_held(_stamp: float) -> pl.DataFrame:
    from careflow.published.reform_tables import overlay_population

    return overlay_population(pl.read_csv(_data_dir() / "population.csv", schema_overrides={"key": pl.Utf8}))


@dataclass(frozen=True)
class Area:
    """England, a region or a local authority (keyed by the DfE LA number, e.g. '383' for Leeds)."""

    level: str
    key: str
    name: str
    code: str | None = None
    region: str | None = None

    @property
    def label(self) -> str:
        if self.level == "la":
            return f"{self.name} (LA {self.key})"
        return self.name


@functools.cache
def all_areas() -> tuple[Area, ...]:
    """Every area the model can run for: England, the regions (incl. Inner/Outer London) and the LAs."""
    table = _area_table()
    latest = table.sort("year", descending=True).unique(["level", "key"], keep="first")
    out = [Area("national", ENGLAND, ENGLAND, "E92000001", None)]
    for row in latest.sort("level", "name").iter_rows(named=True):
        out.append(Area(row["level"], row["key"], row["name"], row["code"], row["region"]))
    return tuple(out)


def resolve_area(area: str | Area | None) -> Area:
    """An :class:`Area` from a name ('Leeds', 'london'), an LA number ('383') or an ONS code ('E08000035').

    Raises :class:`UnknownAreaError` naming the nearest areas when nothing matches.
    """
    if isinstance(area, Area):
        return area
    if area is None or not str(area).strip() or str(area).strip().lower() in {"england", "national", "e92000001"}:
        return all_areas()[0]
    wanted = str(area).strip().lower()
    candidates = all_areas()
    # An LA that was replaced keeps its name (e.g. old 'Dorset' 835 and new 'Dorset' 838): prefer the area with
    # data in the latest year.
    latest_year = int(_area_table()["year"].max())  # type: ignore[arg-type]
    current = set(
        _area_table().filter((pl.col("year") == latest_year) & pl.col("cla").is_not_null())["key"].to_list()
    )
    matches = [a for a in candidates if wanted in {a.name.lower(), a.key.lower(), (a.code or "").lower()}]
    if len(matches) > 1:
        now = [a for a in matches if a.key in current or a.level != "la"]
        matches = now or matches
    if matches:
        return matches[0]
    names = sorted({a.name for a in candidates})
    raise UnknownAreaError(
        f"area {area!r} is not in the published data (England, 11 regions and sub-regions, "
        f"{sum(a.level == 'la' for a in candidates)} local authorities).{suggest(str(area), names)}"
    )


@dataclass(frozen=True)
class AreaSeries:
    """Published counts for one area by year ending 31 March (NaN where absent or suppressed)."""

    area: Area
    years: np.ndarray
    cla: np.ndarray
    starts: np.ndarray
    ceased: np.ndarray
    cin: np.ndarray
    cpp: np.ndarray
    population_mid_years: np.ndarray
    population: np.ndarray
    cin_starts: np.ndarray | None = None
    cin_ended: np.ndarray | None = None
    cpp_starts: np.ndarray | None = None

    def value(self, measure: str, year: int) -> float:
        arr: np.ndarray = getattr(self, measure)
        idx = np.nonzero(self.years == year)[0]
        return float(arr[idx[0]]) if idx.size else float("nan")

    @property
    def last_year(self) -> int:
        ok = self.years[~np.isnan(self.cla)]
        return int(ok.max())

    def population_for_year(self, year: int, growth_after_last: float = 0.0) -> float:
        """0-17 population used for the year ending 31 March ``year`` (the mid-year estimate of June year-1).

        Beyond the last ONS estimate the population grows by ``growth_after_last`` a year.
        """
        return float(self.population_path(np.array([year]), growth_after_last)[0])

    def population_path(self, years: np.ndarray, growth_after_last: float | np.ndarray = 0.0) -> np.ndarray:
        """Population for each year ending 31 March in ``years``; extra leading axes follow ``growth``."""
        mids = np.asarray(years) - 1
        known = ~np.isnan(self.population)
        pm, pv = self.population_mid_years[known], self.population[known]
        last_mid, last_val = int(pm.max()), float(pv[pm.argmax()])
        base = np.interp(mids, pm, pv)
        growth = np.asarray(growth_after_last, dtype=float)
        beyond = np.clip(mids - last_mid, 0, None)
        factor = (1.0 + growth[..., None]) ** beyond if growth.ndim else (1.0 + growth) ** beyond
        return np.where(mids > last_mid, last_val * factor, base)


def _col(df: pl.DataFrame, name: str) -> np.ndarray:
    return df[name].cast(pl.Float64).fill_null(float("nan")).to_numpy()


@functools.cache
def load_series(area: str | Area | None = None) -> AreaSeries:
    """The published series for ``area`` (default England)."""
    a = resolve_area(area)
    pop = _population()
    if a.level == "national":
        df = _national()
        p = pop.filter(pl.col("level") == "national")
    else:
        df = _area_table().filter((pl.col("level") == a.level) & (pl.col("key") == a.key))
        p = pop.filter((pl.col("level") == a.level) & (pl.col("key") == a.key))
    df = df.sort("year")
    p = p.filter(pl.col("population_ons").is_not_null()).sort("mid_year")
    empty = np.full(df.height, np.nan)
    return AreaSeries(
        area=a,
        years=df["year"].to_numpy().astype(int),
        cla=_col(df, "cla"),
        starts=_col(df, "starts"),
        ceased=_col(df, "ceased"),
        cin=_col(df, "cin") if "cin" in df.columns else empty,
        cpp=_col(df, "cpp") if "cpp" in df.columns else empty,
        population_mid_years=p["mid_year"].to_numpy().astype(int),
        population=_col(p, "population_ons"),
        cin_starts=_col(df, "cin_starts") if "cin_starts" in df.columns else None,
        cin_ended=_col(df, "cin_ended") if "cin_ended" in df.columns else None,
        cpp_starts=_col(df, "cpp_starts") if "cpp_starts" in df.columns else None,
    )


def national_table() -> pl.DataFrame:
    """The national series as a polars table (ceased by reason, placements, CIN and CPP included)."""
    return _national()


@dataclass(frozen=True)
class LAMatrix:
    """All current local authorities' series stacked (rows: LAs; columns: years), for vectorised projections."""

    areas: tuple[Area, ...]
    years: np.ndarray
    cla: np.ndarray
    starts: np.ndarray
    ceased: np.ndarray
    population: np.ndarray  # by year ending 31 March (mid-year of June before), NaN where unknown
    region_index: np.ndarray  # row -> index into ``regions``
    regions: tuple[str, ...]


@functools.cache
def la_matrix() -> LAMatrix:
    """Every LA with data in the latest year (152 in 2022), with CLA, starts, ceased and population."""
    table = _area_table().filter(pl.col("level") == "la")
    latest = int(table["year"].max())  # type: ignore[arg-type]
    keys = table.filter((pl.col("year") == latest) & pl.col("cla").is_not_null())["key"].unique().sort().to_list()
    years = np.arange(int(table["year"].min()), latest + 1)  # type: ignore[arg-type]
    pop = _population().filter(pl.col("level") == "la")
    n, t = len(keys), len(years)
    idx = {k: i for i, k in enumerate(keys)}
    out = {m: np.full((n, t), np.nan) for m in ("cla", "starts", "ceased", "population")}
    for row in table.filter(pl.col("key").is_in(keys)).iter_rows(named=True):
        i, j = idx[row["key"]], row["year"] - years[0]
        for m in ("cla", "starts", "ceased"):
            if row[m] is not None:
                out[m][i, j] = row[m]
    for row in pop.filter(pl.col("key").is_in(keys) & pl.col("population_ons").is_not_null()).iter_rows(named=True):
        j = row["mid_year"] + 1 - years[0]
        if 0 <= j < t:
            out["population"][idx[row["key"]], j] = row["population_ons"]
    by_key = {a.key: a for a in all_areas() if a.level == "la"}
    las = tuple(by_key[k] for k in keys)
    regions = tuple(sorted({a.region or "" for a in las}))
    region_index = np.array([regions.index(a.region or "") for a in las])
    return LAMatrix(las, years, out["cla"], out["starts"], out["ceased"], out["population"], region_index, regions)


def is_region(area: Area) -> bool:
    """True for the nine regions (not the Inner/Outer London sub-regions)."""
    return area.level == "region" and area.name not in _SUB_REGIONS
