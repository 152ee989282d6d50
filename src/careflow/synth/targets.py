"""National targets: the compact table derived from DfE statistics that the synthetic LA is calibrated to.

The table (``data/national_targets.csv``) is written by ``scripts/derive_national_targets.py`` from the shared
DfE data; it ships with the package so that the generator and its tests run without that data.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from careflow.errors import CareflowError

__all__ = ["TARGETS_FILE", "TargetError", "national_target", "national_targets", "target_years"]

TARGETS_FILE = Path(__file__).with_name("data") / "national_targets.csv"


class TargetError(CareflowError, KeyError):
    """A national target that the derived table does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@lru_cache(maxsize=1)
def national_targets() -> pl.DataFrame:
    """The derived table: ``year, measure, category, value, unit, source``."""
    return pl.read_csv(
        TARGETS_FILE,
        comment_prefix="#",
        schema_overrides={"year": pl.Int32, "value": pl.Float64, "category": pl.String},
    )


def target_years() -> list[int]:
    """The years the table covers (years ending 31 March)."""
    return sorted(national_targets()["year"].unique().to_list())


def national_target(measure: str, category: str = "total", *, year: int, unit: str | None = None) -> float:
    """One national figure, e.g. ``national_target("cla_at_31_march", unit="per_10k", year=2022)``.

    Years outside the table take the nearest year it holds (the generator runs before 2018 in its burn-in
    and may be asked for years after 2022).

    Raises:
        TargetError: the measure, category or unit is not in the table.
    """
    years = target_years()
    nearest = min(years, key=lambda y: (abs(y - year), -y))
    frame = national_targets().filter(
        (pl.col("measure") == measure) & (pl.col("category") == category)
    )
    if unit is not None:
        frame = frame.filter(pl.col("unit") == unit)
    if frame.height == 0:
        raise TargetError(f"no national target {measure}/{category}" + (f" in {unit}" if unit else ""))
    held = frame.filter(pl.col("year") == nearest)
    if held.height == 0:  # breakdowns kept for the latest year only
        held = frame.filter(pl.col("year") == frame["year"].max())
    if held.height != 1:
        units = sorted(set(held["unit"]))
        raise TargetError(f"national target {measure}/{category} is ambiguous: give unit= one of {units}")
    return float(held["value"][0])
