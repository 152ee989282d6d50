"""Long cells ↔ the wide published-counts table (one row per area and year, one column per measure)."""

from __future__ import annotations

import polars as pl

from careflow.published.mapping import Mapping, load_mapping

__all__ = ["to_long", "to_wide"]


def to_wide(cells: pl.DataFrame, mapping: Mapping | None = None) -> pl.DataFrame:
    """Resolved long cells → the wide table careflow's scorecard reads (text cells; null: nothing published).

    Applies the mapping's fallbacks (e.g. DfE's own 0-17 denominator, else the ONS estimate) and leaves out
    years that hold nothing but denominators (a population estimate for a year not yet published).
    """
    mapping = mapping or load_mapping()
    if cells.height == 0:
        return pl.DataFrame(schema={"area_code": pl.String, "year": pl.Int32})
    # London's sub-regions are not areas of the scorecard
    cells = cells.filter(~pl.col("area_code").is_in(list(mapping.sub_regions)))
    if cells.height == 0:
        return pl.DataFrame(schema={"area_code": pl.String, "year": pl.Int32})
    wide = cells.pivot(on="measure", index=["area_code", "year"], values="cell", aggregate_function="first")
    for measure, fallback in mapping.fallbacks.items():
        if fallback not in wide.columns:
            continue
        if measure not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.String).alias(measure))
        wide = wide.with_columns(
            pl.when(pl.col(measure).fill_null("") != "").then(pl.col(measure)).otherwise(pl.col(fallback))
            .alias(measure)
        ).drop(fallback)
    measures = sorted(c for c in wide.columns if c not in ("area_code", "year"))
    substantive = [c for c in measures if c not in mapping.denominators_only]
    if substantive:
        year_has = wide.group_by("year").agg(
            pl.any_horizontal([pl.col(c).fill_null("") != "" for c in substantive]).any().alias("has"))
        keep = year_has.filter(pl.col("has"))["year"].to_list()
        wide = wide.filter(pl.col("year").is_in(keep))
    # empty cells are written as nothing (null), so a reader sees "no data" and never a zero
    return (wide.select("area_code", pl.col("year").cast(pl.Int32), *measures)
            .with_columns(pl.exclude("area_code", "year").replace("", None))
            .sort("area_code", "year"))


def to_long(wide: pl.DataFrame) -> pl.DataFrame:
    """The wide table → (area_code, year, measure, cell), leaving out cells that hold nothing."""
    measures = [c for c in wide.columns if c not in ("area_code", "year")]
    return (wide.unpivot(on=measures, index=["area_code", "year"], variable_name="measure", value_name="cell")
            .filter(pl.col("cell").is_not_null()).with_columns(pl.col("year").cast(pl.Int32)))
