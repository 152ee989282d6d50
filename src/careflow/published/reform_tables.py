"""The newest held figures in the layout of ``careflow.reform``'s series tables.

``careflow.reform.series`` ships its own compact tables (``scripts/derive_reform_series.py``); when a later
release has been imported (``careflow data import``), these functions lay the imported figures over them, so the
reform model's base year and series move on with the data held. Without an import they return the shipped
tables unchanged.
"""

from __future__ import annotations

import polars as pl

from careflow.published.mapping import load_mapping
from careflow.published.store import _stamp, held_areas, held_cells, store_dir

__all__ = ["overlay_area_table", "overlay_national", "overlay_population"]

ENGLAND = "E92000001"
# careflow.published measure -> reform series column
MEASURES = {
    "cla_at_31_march": "cla",
    "cla_starts": "starts",
    "cla_ceased": "ceased",
    "cin_at_31_march": "cin",
    "cpp_at_31_march": "cpp",
}


def _imported(measures: dict[str, str]) -> pl.DataFrame | None:
    """Figures in use that came from an import: (area_code, year, column, value); symbols become null."""
    if _stamp(store_dir()) == 0.0:
        return None
    cells = held_cells().filter((pl.col("rank") > 0) & pl.col("measure").is_in(list(measures)))
    if cells.height == 0:
        return None
    return cells.select(
        "area_code", pl.col("year").cast(pl.Int64), pl.col("measure").replace_strict(measures).alias("column"),
        pl.col("cell").cast(pl.Float64, strict=False).alias("value"))


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """area_code -> reform's (level, key): LAs by DfE number, regions by name, England as 'England'."""
    areas = held_areas().select("area_code", "name", "level", "ons_code", "region_name")
    sub = pl.DataFrame(
        [{"area_code": code, "name": names[0], "level": "region", "ons_code": code, "region_name": names[0]}
         for code, names in load_mapping().sub_regions.items()],
        schema=dict.fromkeys(areas.columns, pl.String))
    frame = frame.join(pl.concat([areas, sub]), on="area_code", how="left")
    return frame.with_columns(
        pl.when(pl.col("area_code") == ENGLAND).then(pl.lit("national"))
        .when(pl.col("level") == "region").then(pl.lit("region")).otherwise(pl.lit("la")).alias("level"),
        pl.when(pl.col("area_code") == ENGLAND).then(pl.lit("England"))
        .when(pl.col("level") == "region").then(pl.col("name")).otherwise(pl.col("area_code")).alias("key"),
    )


def _overlay(shipped: pl.DataFrame, imported: pl.DataFrame, on: list[str], columns: list[str]) -> pl.DataFrame:
    wide = imported.pivot(on="column", index=on, values="value", aggregate_function="first")
    for c in columns:
        if c not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c))
    wide = wide.select(*on, *[pl.col(c).alias(f"{c}__new") for c in columns])
    shipped = shipped.with_columns([pl.col(c).cast(pl.Float64) for c in columns if c in shipped.columns])
    joined = shipped.join(wide, on=on, how="full", coalesce=True)
    return joined.with_columns(
        [pl.coalesce(f"{c}__new", c).alias(c) if c in shipped.columns else pl.col(f"{c}__new").alias(c)
         for c in columns]
    ).drop([f"{c}__new" for c in columns])


def overlay_area_table(shipped: pl.DataFrame) -> pl.DataFrame:
    """``area_series.csv`` (regions and LAs) with the imported figures laid over it and later years added."""
    imported = _imported(MEASURES)
    if imported is None:
        return shipped
    imported = _keyed(imported).filter(pl.col("level") != "national")
    names = imported.select("level", "key", pl.col("ons_code").alias("code_new"), pl.col("name").alias("name_new"),
                            pl.col("region_name").alias("region_new")).unique(["level", "key"])
    cols: list[str] = [c for c in ("cla", "starts", "ceased", "cin", "cpp") if c in shipped.columns]
    out = _overlay(shipped, imported.select("level", "key", "year", "column", "value"), ["level", "key", "year"],
                   cols)
    out = out.sort("level", "key", "year").with_columns(
        [pl.col(c).fill_null(strategy="forward").over(["level", "key"]) for c in ("code", "name", "region")])
    out = out.join(names, on=["level", "key"], how="left").with_columns(
        pl.coalesce("code", "code_new").alias("code"),
        pl.coalesce("name", "name_new").alias("name"),
        pl.when(pl.col("level") == "region").then(pl.coalesce("region", "name_new"))
        .otherwise(pl.coalesce("region", "region_new")).alias("region"),
    ).drop("code_new", "name_new", "region_new")
    return out.select(shipped.columns).with_columns(
        [pl.col(c).round(0).cast(pl.Int64) for c in cols]).sort("level", "key", "year")


def overlay_national(shipped: pl.DataFrame) -> pl.DataFrame:
    """``national_series.csv`` with England's imported CLA, starts, ceased, CIN and CPP laid over it."""
    imported = _imported(MEASURES)
    if imported is None:
        return shipped
    imported = imported.filter(pl.col("area_code") == ENGLAND).select("year", "column", "value")
    if imported.height == 0:
        return shipped
    cols: list[str] = [c for c in ("cla", "starts", "ceased", "cin", "cpp") if c in shipped.columns]
    out = _overlay(shipped, imported, ["year"], cols)
    return out.select(shipped.columns).with_columns(
        [pl.col(c).round(0).cast(pl.Int64) for c in cols]).sort("year")


def overlay_population(shipped: pl.DataFrame) -> pl.DataFrame:
    """``population.csv`` with imported ONS 0-17 estimates (for the year ending 31 March Y: mid-year Y-1)."""
    imported = _imported({"ons_population_0_17": "population_ons"})
    if imported is None:
        return shipped
    imported = _keyed(imported).select(
        "level", "key", (pl.col("year") - 1).alias("mid_year"), "column", "value")
    out = _overlay(shipped, imported, ["level", "key", "mid_year"], ["population_ons"])
    return out.select(shipped.columns).with_columns(pl.col("population_ons").round(0).cast(pl.Int64)).sort(
        "level", "key", "mid_year")
