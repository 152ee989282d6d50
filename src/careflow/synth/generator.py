"""``generate``: a synthetic local authority, its children and their journeys through children's social care."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from careflow.synth._build import build_tables
from careflow.synth._care import CareModel
from careflow.synth._common import Stream, collection_year_of
from careflow.synth._dates import add_years, day
from careflow.synth._params import Parameters, load_parameters
from careflow.synth._pathway import Pathway
from careflow.synth.targets import national_target
from careflow.tables import CareData

__all__ = ["POSTCODES_FILE", "SyntheticLA", "generate"]

POSTCODES_FILE = Path(__file__).with_name("data") / "postcodes.csv"

Progress = Callable[[str, float], None]


@dataclass
class SyntheticLA:
    """A synthetic local authority: its canonical tables and how they were made.

    Attributes:
        data: the canonical tables (children active between ``start_date`` and ``end_date``, with their full
            histories; nothing after ``end_date``).
        population: children aged 0-17 in the LA (the denominator of rates per 10,000).
        start_date: 1 April of the first collection year simulated.
        end_date: 31 March of the last collection year simulated.
        la_code: the LA's three-digit code, as the returns carry it.
        la_name: its name.
        seed: the seed that reproduces it.
        parameters: the parameter values used (by dotted name).
    """

    data: CareData
    population: int
    start_date: dt.date
    end_date: dt.date
    la_code: str
    la_name: str
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def years(self) -> list[int]:
        """The collection years simulated (each named by the 31 March it ends on)."""
        return list(range(self.start_date.year + 1, self.end_date.year + 1))


@lru_cache(maxsize=1)
def _postcodes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    frame = pl.read_csv(POSTCODES_FILE, comment_prefix="#")
    inside = tuple(frame.filter(pl.col("area") == "inside")["postcode"].to_list())
    outside = tuple(frame.filter(pl.col("area") == "outside")["postcode"].to_list())
    return inside, outside


def _year_series(
    params: Parameters, effect: str, measure: str, unit: str = "per_10k", category: str = "total"
) -> Callable[[int], float]:
    """Ratio of a national figure in a year to the calibration year's (1 when the year effect is off)."""
    base_year = int(params.value("simulation.calibration_year"))
    effects = params.value("simulation.year_effects")
    if effect not in effects:
        raise ValueError(f"unknown year effect {effect!r}; simulation.year_effects has {sorted(effects)}")
    if not effects[effect]:
        return lambda year: 1.0
    base = national_target(measure, category, unit=unit, year=base_year)
    cache: dict[int, float] = {}

    def ratio(year: int) -> float:
        if year not in cache:
            cache[year] = national_target(measure, category, unit=unit, year=year) / base
        return cache[year]

    return ratio


def generate(
    population: int = 60_000,
    *,
    end_year: int = 2022,
    years: int = 5,
    seed: int = 0,
    la_code: str = "999",
    la_name: str = "Synthshire",
    progress: Progress | None = None,
    parameters: Parameters | None = None,
) -> SyntheticLA:
    """Simulate a local authority of ``population`` children aged 0-17 over ``years`` collection years.

    Children are born, referred, assessed, supported, protected and looked after; the run starts
    ``simulation.burn_in_years`` (18) years before the first collection year so that the children in care at
    the start have realistic histories. Everything is drawn from one ``numpy`` Generator seeded with ``seed``:
    the same arguments give identical tables.

    Args:
        population: children aged 0-17 (60,000 gives about 400 looked after).
        end_year: the last collection year (ending 31 March ``end_year``).
        years: how many collection years end with ``end_year``.
        seed: the random seed.
        la_code: the LA's three-digit code (used in returns and as the LA of previous permanence orders).
        la_name: the LA's name.
        progress: called as ``progress(message, fraction_done)`` while the run goes.
        parameters: parameters to use instead of the package's ``parameters.yaml``.

    Returns:
        The synthetic LA.

    Example:
        >>> la = generate(5_000, years=1, seed=1)  # doctest: +SKIP
        >>> la.data["looked_after_episodes"].height > 0  # doctest: +SKIP
        True
    """
    if population <= 0:
        raise ValueError(f"population must be a positive number of children, not {population!r}")
    if years < 1:
        raise ValueError(f"years must be at least 1, not {years!r}")
    if not (len(la_code) == 3 and la_code.isdigit()):
        raise ValueError(f"la_code must be three digits (e.g. '999'), not {la_code!r}")
    params = parameters or load_parameters()
    rng = np.random.default_rng(seed)
    end_date = dt.date(end_year, 3, 31)
    start_date = dt.date(end_year - years, 4, 1)
    start_day, end_day = day(start_date), day(end_date)
    burn_in = int(params.value("simulation.burn_in_years"))
    sim_start = int(add_years(start_day, -burn_in)[0])
    first_dob = int(add_years(sim_start, -18)[0])
    inside, outside = _postcodes()

    starts_ratio = _year_series(params, "starts", "cla_starts")
    duration_ratio = _year_series(params, "durations", "cla_ceased_mean_duration", unit="days")
    uasc_ratio = _year_series(params, "uasc_arrivals", "uasc_at_31_march")
    uasc_base = float(params.value("care.uasc_arrivals"))

    band_ratio = [_year_series(params, "starts", "cla_starts_by_age", unit="share", category=c)
                  for c in ("under_1", "1_to_4", "5_to_9", "10_to_15", "16_and_over")]

    def care_multiplier(days: npt.NDArray[np.int64], band: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Starts by age band follow the national series: rate of starts times the band's share."""
        years_ = collection_year_of(days)
        out = np.ones(len(days))
        for y in np.unique(years_):
            for b in np.unique(band[years_ == y]):
                m = (years_ == y) & (band == b)
                out[m] = starts_ratio(int(y)) * band_ratio[int(b)](int(y))
        return out

    adopted_ratio = _year_series(params, "adoption", "cla_adopted", unit="count")
    home_ratio = _year_series(params, "home", "cla_ceased_by_reason", unit="share", category="home")
    lags = {"adoption": int(params.value("simulation.adoption_lag_years")),
            "home": int(params.value("simulation.home_lag_years"))}

    def plan_multiplier(days: npt.NDArray[np.int64]) -> dict[str, npt.NDArray[np.float64]]:
        """Weights of plans for adoption and for going home, by the national series (year effects)."""
        out = {}
        for plan, ratio in (("adoption", adopted_ratio), ("home", home_ratio)):
            years_ = collection_year_of(days) + lags[plan]
            table = {int(y): ratio(int(y)) for y in np.unique(years_)}
            out[plan] = np.array([table[int(y)] for y in years_], dtype=float) if len(years_) else np.zeros(0)
        return out

    def uasc_rate(day_: int) -> float:
        return uasc_base * uasc_ratio(int(collection_year_of(np.array([day_]))[0]))

    def duration_factor(day_: int) -> float:
        return duration_ratio(int(collection_year_of(np.array([day_]))[0]))

    stream = Stream(rng)
    care = CareModel(params, stream, la_code=la_code, postcodes_inside=list(inside),
                     postcodes_outside=list(outside), duration_factor=duration_factor)
    pathway = Pathway(params, rng, care, sim_start=sim_start, sim_end=end_day, care_multiplier=care_multiplier,
                      plan_multiplier=plan_multiplier, postcodes_inside=list(inside),
                      postcodes_outside=list(outside))
    if progress is not None:
        progress("population", 0.02)
    pathway.population(population, first_dob, uasc_rate)
    pathway.run(progress)
    if progress is not None:
        progress("tables", 0.96)
    data = build_tables(pathway, care, params, rng, start_day=start_day, end_day=end_day,
                        first_year=end_year - years + 1, end_year=end_year)
    if progress is not None:
        progress("done", 1.0)
    return SyntheticLA(
        data=data, population=population, start_date=start_date, end_date=end_date, la_code=la_code,
        la_name=la_name, seed=seed, parameters=params.as_dict(),
    )
