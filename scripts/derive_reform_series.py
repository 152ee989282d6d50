"""Derive the compact published series that ``careflow.reform`` runs on, from ../shared/data/dfe.

Writes three CSVs (and a SOURCES.md naming every source file) under ``src/careflow/reform/data/``:

``national_series.csv``
    England, one row per year ending 31 March (1994-2022): children looked after (CLA) at 31 March, starts,
    ceased, adopted, UASC at 31 March; ceased by reason and placements at 31 March (2018-2022); children in need
    (CIN) and child protection plans (CPP) at 31 March and starts (2013-2022).
``area_series.csv``
    Regions and local authorities (keyed by the DfE three-digit LA number, which survives ONS re-coding), one row
    per year 2010-2022: CLA at 31 March, starts, ceased; CIN and CPP at 31 March (2013-2022). Read through
    careflow's declared mapping (``src/careflow/published/mapping.yaml``) by the code ``careflow data import``
    uses, so every year the files hold is kept and a later release's layout is read the same way.
``population.csv``
    ONS mid-year estimates of children aged 0-17 (England, regions, LAs), mid-2012 to mid-2024, plus the older
    denominators DfE used for its published rates per 10,000 (2018-2022 release) and the mid-2009 estimate.

Files are found by the patterns careflow's mapping declares (``src/careflow/published/mapping.yaml``), not by the
2022 release's folder and file names, so a later release's folder can be given instead (the national time series
by the pattern ``cla_time_series_1994_YYYY.csv``). Only counts are derived (no modelling). National and regional
counts are DfE-rounded to the nearest 10; LA suppression markers (``c``, ``x``, ``z``, ``k``) become empty cells.

Run from the repository root::

    python scripts/derive_reform_series.py [--shared ../shared] [--out src/careflow/reform/data]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import polars as pl

from careflow.published.mapping import load_mapping
from careflow.published.reader import locate, read_folder, resolve

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_OUT = REPO / "src" / "careflow" / "reform" / "data"
ENGLAND = "E92000001"

SOURCES: list[str] = []


def _src(dfe: Path, rel: str) -> Path:
    SOURCES.append(rel)
    return dfe / rel


def _declared(dfe: Path, source_id: str) -> Path:
    """The file that careflow's mapping (src/careflow/published/mapping.yaml) declares for ``source_id``."""
    path = locate(dfe, source_id)
    return _src(dfe, path.relative_to(dfe).as_posix())


def _named(dfe: Path, pattern: str) -> Path:
    """The latest file under ``dfe`` whose path matches ``pattern`` (files no careflow measure reads)."""
    found = sorted(p for p in dfe.rglob("*.csv") if re.search(pattern, p.relative_to(dfe).as_posix()))
    if not found:
        raise SystemExit(f"no file under {dfe} matches {pattern!r}")
    return _src(dfe, found[-1].relative_to(dfe).as_posix())


def _num(col: str) -> pl.Expr:
    """A DfE count column as a float (suppression markers and blanks become null)."""
    return (
        pl.col(col).cast(pl.Utf8).str.strip_chars().str.replace_all(",", "")
        .cast(pl.Float64, strict=False).alias(col)
    )


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy", truncate_ragged_lines=True)


# --------------------------------------------------------------------------------------------------- national
TIME_SERIES_NAMES = {
    "Children looked after at 31 March": "cla",
    "Children starting to be looked after during the year": "starts",
    "Children ceasing to be looked after during the year": "ceased",
    "Children looked after who were adopted during the year": "adopted",
    "Children looked after at 31 March who were unaccompanied asylum-seeking children": "uasc",
}

# Reason episode ceased (2022 release wording) -> model reason group.
CEASED_REASONS = {
    "Returned home to live with parents or other person with parental responsibility which was part of the care "
    "planning process": "returned_home",
    "Returned home to live with parents or other person with parental responsibility which was not part of the "
    "care planning process": "returned_home",
    "Left care to live with parents, relatives or other person with no parental responsibility": "returned_home",
    "Adopted": "adopted",
    "Special guardianship orders": "special_guardianship",
    "Residence order or child arrangement order granted": "child_arrangement_order",
    "Moved into independent living (with supportive accommodation)": "independent_living",
    "Moved into independent living (with no formalised support)": "independent_living",
    "Aged 18 (or over) and remained with current carers": "staying_put",
    "Transferred to residential care funded by adult social services": "other",
    "Care taken by another local authority": "other",
    "Sentenced to custody": "other",
    "Accommodation on remand ended": "other",
    "Age assessment determined child aged 18 or over": "other",
    "Child moved abroad": "other",
    "Died": "other",
    "Care ceased for any other reason": "other",
}

PLACEMENT_GROUPS = {
    "1. Total foster placements": "placed_foster",
    "1a.1 Total foster placements inside council boundary with relative or friend": "placed_kinship_foster",
    "1b.1 Total foster placements outside council boundary with relative or friend": "placed_kinship_foster",
    "5. Total secure units, children's homes and semi-independent living accommodation": "placed_residential",
    "5c Total children's homes subject to children's homes regulations": "placed_childrens_home",
    "3. Total placed with parents or other person with parental responsibility": "placed_with_parents",
    "2. Total placed for adoption": "placed_for_adoption",
}


def national(dfe: Path) -> pl.DataFrame:
    ts = _read(_named(dfe, r"(^|/)cla_time_series_1994_20\d\d\.csv$"))
    ts = ts.with_columns(pl.col("population_count").replace_strict(TIME_SERIES_NAMES, default=None).alias("m"))
    ts = ts.filter(pl.col("m").is_not_null()).with_columns(_num("number"), pl.col("time_period").cast(pl.Int64))
    wide = ts.pivot(on="m", index="time_period", values="number").rename({"time_period": "year"}).sort("year")

    ceased = _read(_declared(dfe, "cla_ceased"))
    ceased = ceased.filter(
        (pl.col("geographic_level") == "National") & (pl.col("cla_group") == "Reason episode ceased")
    ).with_columns(
        _num("number"), pl.col("time_period").cast(pl.Int64),
        pl.col("characteristic").replace_strict(CEASED_REASONS, default=None).alias("reason"),
    )
    unknown = ceased.filter(pl.col("reason").is_null() & (pl.col("characteristic") != "Total"))
    if unknown.height:
        raise SystemExit(f"unmapped reasons ceased: {unknown['characteristic'].unique().to_list()}")
    ceased = (
        ceased.filter(pl.col("reason").is_not_null())
        .group_by("time_period", "reason").agg(pl.col("number").sum())
        .with_columns(("ceased_" + pl.col("reason")).alias("reason"))
        .pivot(on="reason", index="time_period", values="number").rename({"time_period": "year"})
    )

    place = _read(_declared(dfe, "cla_national_placements"))
    place = place.filter(pl.col("cla_group") == "Placement").with_columns(
        _num("number"), pl.col("time_period").cast(pl.Int64),
        pl.col("characteristic").replace_strict(PLACEMENT_GROUPS, default=None).alias("g"),
    ).filter(pl.col("g").is_not_null())
    place = (
        place.group_by("time_period", "g").agg(pl.col("number").sum())
        .pivot(on="g", index="time_period", values="number").rename({"time_period": "year"})
    )

    cin = _read(_declared(dfe, "cin_b1")).filter(
        pl.col("geographic_level") == "National"
    ).select(
        pl.col("time_period").cast(pl.Int64).alias("year"),
        _num("At31_episodes").alias("cin"), _num("Started_episodes").alias("cin_starts"),
        _num("Ended_episodes").alias("cin_ended"),
    )
    cpp = _read(_declared(dfe, "cin_d5")).filter(
        pl.col("geographic_level") == "National"
    ).select(pl.col("time_period").cast(pl.Int64).alias("year"), _num("CPP_At31").alias("cpp"))
    cpp_starts = _read(_declared(dfe, "cin_d3")).filter(
        pl.col("geographic_level") == "National"
    ).select(pl.col("time_period").cast(pl.Int64).alias("year"), _num("CPP_start").alias("cpp_starts"))

    out = wide
    for extra in (ceased, place, cin, cpp, cpp_starts):
        out = out.join(extra, on="year", how="left")
    cols = ["year", "cla", "starts", "ceased", "adopted", "uasc"]
    cols += sorted(c for c in out.columns if c.startswith("ceased_"))
    cols += sorted(c for c in out.columns if c.startswith("placed_"))
    cols += ["cin", "cin_starts", "cin_ended", "cpp", "cpp_starts"]
    return out.select(cols).sort("year")


# ------------------------------------------------------------------------------------------------------ areas
# careflow.published measure -> series column. Read through careflow's declared mapping
# (src/careflow/published/mapping.yaml), by the code `careflow data import` uses.
AREA_MEASURES = {
    "cla_at_31_march": "cla",
    "cla_starts": "starts",
    "cla_ceased": "ceased",
    "cin_at_31_march": "cin",
    "cpp_at_31_march": "cpp",
}


def areas(dfe: Path) -> pl.DataFrame:
    """Regions (by name, with Inner and Outer London) and LAs (by DfE number), one row per year with CLA data."""
    mapping = load_mapping()
    result = read_folder(dfe, mapping)
    problems = list(result.problems)
    cells, _revisions = resolve(result.cells, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SystemExit("\n".join(str(p) for p in errors))
    for (file, measure), _ in result.cells.filter(pl.col("measure").is_in(list(AREA_MEASURES))).group_by(
            "file", "measure"):
        SOURCES.append(f"{file} ({measure}, via src/careflow/published/mapping.yaml)")
    sub = {code: names[0] for code, names in mapping.sub_regions.items()}
    found = result.areas
    region_names = dict(
        found.filter(pl.col("level") == "region").sort("year").group_by("area_code").last()
        .select("area_code", "name").iter_rows()
    )
    region_names.update(sub)
    cells = cells.filter(pl.col("measure").is_in(list(AREA_MEASURES)) & (pl.col("area_code") != ENGLAND))
    is_region = pl.col("area_code").str.starts_with("E1")
    keyed = cells.with_columns(
        pl.when(is_region).then(pl.lit("region")).otherwise(pl.lit("la")).alias("level"),
        pl.when(is_region).then(pl.col("area_code").replace_strict(region_names, default=None))
        .otherwise(pl.col("area_code")).alias("key"),
        pl.col("measure").replace_strict(AREA_MEASURES).alias("m"),
        pl.col("cell").cast(pl.Float64, strict=False).alias("value"),
        pl.col("year").cast(pl.Int64),
    )
    unnamed = keyed.filter(pl.col("key").is_null())["area_code"].unique().to_list()
    if unnamed:
        raise SystemExit(f"regions without a name: {unnamed}")
    series = keyed.pivot(on="m", index=["level", "key", "year"], values="value", aggregate_function="first")
    # a row for every area and year the CLA files cover (a suppressed cell still makes a row)
    rows = keyed.filter(pl.col("m").is_in(["cla", "starts", "ceased"])).select("level", "key", "year").unique()
    series = rows.join(series, on=["level", "key", "year"], how="left")

    # Names, codes and regions from the latest year each LA appears in the CLA rates file, then the SFR files.
    sources = {f.file: f.source for f in result.files}
    las = found.filter(pl.col("level") == "local_authority").with_columns(
        pl.col("file").replace_strict(sources, default="").alias("source"))
    names = (
        las.filter(pl.col("source") == "cla_rates").sort("year", descending=True).unique("area_code", keep="first")
        .select(pl.col("area_code").alias("key"), "name", pl.col("ons_code").alias("code"),
                pl.col("region_name").alias("region"))
    )
    sfr_names = (
        las.filter(pl.col("source").str.starts_with("sfr_cla")).sort("year").group_by("area_code").last()
        .select(pl.col("area_code").alias("key"), "name", pl.col("ons_code").alias("code"))
    )
    missing = sfr_names.join(names, on="key", how="anti").with_columns(pl.lit(None, pl.Utf8).alias("region"))
    names = pl.concat([names, missing.select(names.columns)])
    regions = series.filter(pl.col("level") == "region").select("key").unique().with_columns(
        pl.col("key").alias("name"), pl.lit(None, pl.Utf8).alias("code"), pl.col("key").alias("region")
    )
    lookup = pl.concat([names.with_columns(pl.lit("la").alias("level")),
                        regions.with_columns(pl.lit("region").alias("level")).select(
                            "key", "name", "code", "region", "level")])
    series = series.join(lookup, on=["level", "key"], how="left")
    for col in ("cla", "starts", "ceased", "cin", "cpp"):
        if col not in series.columns:
            series = series.with_columns(pl.lit(None, pl.Float64).alias(col))
    cols = ["level", "key", "code", "name", "region", "year", "cla", "starts", "ceased", "cin", "cpp"]
    return series.select(cols).sort("level", "key", "year")


# ------------------------------------------------------------------------------------------------- population
def population(dfe: Path) -> pl.DataFrame:
    ons = _read(_declared(dfe, "population"))
    ons = ons.select(
        pl.col("geographic_level").replace_strict(
            {"National": "national", "Regional": "region", "Local authority": "la"}).alias("level"),
        pl.when(pl.col("geographic_level") == "National").then(pl.lit("England"))
        .when(pl.col("geographic_level") == "Regional").then(pl.col("region_name"))
        .otherwise(pl.col("old_la_code")).alias("key"),
        pl.col("time_period").cast(pl.Int64).alias("mid_year"),
        _num("population_estimate").alias("population_ons"),
    )
    dfe_pop = _read(_declared(dfe, "cla_rates")).filter(
        pl.col("population_count") == "Children looked after at 31 March each year"
    ).select(
        pl.col("geographic_level").replace_strict(
            {"National": "national", "Regional": "region", "Local authority": "la"}).alias("level"),
        pl.when(pl.col("geographic_level") == "National").then(pl.lit("England"))
        .when(pl.col("geographic_level") == "Regional").then(pl.col("region_name"))
        .otherwise(pl.col("old_la_code")).alias("key"),
        # The rate for the year ending 31 March t uses the 0-17 estimate for mid-(t-1) (DfE data guidance).
        (pl.col("time_period").cast(pl.Int64) - 1).alias("mid_year"),
        _num("population_estimate").alias("population_dfe_rate_denominator"),
    )
    old = _read(_declared(dfe, "sfr_2010_march")).rename(lambda c: c.strip())
    old = old.filter(pl.col("geog_l").str.strip_chars().str.to_uppercase().is_in(["NATIONAL", "GOR", "LA"])).select(
        pl.col("geog_l").str.strip_chars().str.to_uppercase().replace_strict(
            {"NATIONAL": "national", "GOR": "region", "LA": "la"}).alias("level"),
        pl.col("geog_c").str.strip_chars().alias("key"),
        pl.lit(2009, pl.Int64).alias("mid_year"),
        _num("Mid2009Pop0-17").alias("population_ons"),
    ).with_columns(
        pl.when(pl.col("level") == "national").then(pl.lit("England"))
        .otherwise(pl.col("key")).alias("key")
    )
    names = _read(_declared(dfe, "sfr_2010_march")).rename(lambda c: c.strip())
    gor = dict(zip(names["geog_c"].str.strip_chars(), names["geog_n"].str.strip_chars(), strict=True))
    old = old.with_columns(
        pl.when(pl.col("level") == "region").then(pl.col("key").replace_strict(gor, default=None))
        .otherwise(pl.col("key")).alias("key")
    )
    out = pl.concat([old, ons]).join(dfe_pop, on=["level", "key", "mid_year"], how="full", coalesce=True)
    return out.sort("level", "key", "mid_year")


# ----------------------------------------------------------------------------------------------------- spend
S251 = {  # financial year starting -> (file, line-label column, net current expenditure column)
    2008: ("outturn_0809.csv", "S52 Line Reference:", "NET Current Expenditure (m)"),
    2009: ("outturn_0910.csv", "S52 Line Reference", "NET Current Expenditure (m)"),
    2010: ("outturn_1011.csv", "S52 Line Reference", "NET Current Expenditure (m)"),
    2011: ("outturn_1112.csv", "CYPServiceDescription", "NetCurrentExpenditure"),
    2012: ("outturn_1213.csv", "CYPServiceDescription", "NetCurrentExpenditure"),
    2013: ("outturn_1314.csv", "CYPServiceDescription", "NetCurrentExpenditure"),
}


def spend(dfe: Path) -> pl.DataFrame:
    """England s251 net current expenditure on children looked after ('Total Children Looked After' line)."""
    rows = []
    for fy, (name, label_col, value_col) in S251.items():
        df = _read(_src(dfe, f"spend_s251_outturn/{name}"))
        df = df.rename({c: c.strip() for c in df.columns})
        label = df[label_col].str.strip_chars().str.to_lowercase()
        value = df[value_col].str.replace_all(",", "").str.strip_chars().cast(pl.Float64, strict=False)
        mask = label.str.contains("total children looked after")
        rows.append({"financial_year": f"{fy}-{(fy + 1) % 100:02d}", "year_ending_march": fy + 1,
                     "las_reporting": int(mask.sum()),
                     "looked_after_net_expenditure_gbp": float(value.filter(mask).sum())})
    return pl.DataFrame(rows)


def _as_int(df: pl.DataFrame) -> pl.DataFrame:
    """Counts are whole numbers: write them without a trailing '.0'."""
    return df.with_columns([pl.col(c).round(0).cast(pl.Int64) for c, t in df.schema.items() if t == pl.Float64])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    dfe = args.shared / "data" / "dfe"
    if not dfe.is_dir():
        raise SystemExit(f"{dfe} not found: pass --shared pointing at the shared folder")
    args.out.mkdir(parents=True, exist_ok=True)

    nat = national(dfe)
    area = areas(dfe)
    pop = population(dfe)
    # Regional keys: use the 2022 release's names for every vintage (the SFR letters were mapped above).
    region_case = {n.upper(): n for n in area.filter(pl.col("level") == "region")["key"].unique().to_list()
                   if n != n.upper()}
    area = area.with_columns(
        pl.when(pl.col("level") == "region").then(
            pl.col("key").str.to_uppercase().replace_strict(region_case, default=pl.col("key"))
        ).otherwise(pl.col("key")).alias("key")
    )
    area = area.group_by("level", "key", "year").agg(
        pl.col("code").drop_nulls().first(), pl.col("name").drop_nulls().first(),
        pl.col("region").drop_nulls().first(),
        *[pl.col(c).drop_nulls().first() for c in ("cla", "starts", "ceased", "cin", "cpp")],
    ).with_columns(
        pl.when(pl.col("level") == "region").then(pl.col("key")).otherwise(pl.col("name")).alias("name"),
        pl.when(pl.col("level") == "region").then(pl.col("key")).otherwise(pl.col("region")).alias("region"),
    ).select("level", "key", "code", "name", "region", "year", "cla", "starts", "ceased", "cin", "cpp").sort(
        "level", "key", "year")
    # LAs that only appear in 2010-2017 files under their old names keep them (e.g. 'Northamptonshire').
    pop = pop.with_columns(
        pl.when(pl.col("level") == "region").then(
            pl.col("key").str.to_uppercase().replace_strict(region_case, default=pl.col("key"))
        ).otherwise(pl.col("key")).alias("key")
    )

    nat = _as_int(nat)
    area = _as_int(area)
    pop = _as_int(pop)
    spend(dfe).pipe(_as_int).write_csv(args.out / "spend_series.csv")
    nat.write_csv(args.out / "national_series.csv")
    area.write_csv(args.out / "area_series.csv")
    pop.write_csv(args.out / "population.csv")
    sources = sorted(set(SOURCES))
    lines = [
        "# Sources of the derived series",
        "",
        "Produced by `scripts/derive_reform_series.py` from the DfE / ONS statistics in `../shared/data/dfe/`",
        "(Crown copyright, Open Government Licence v3.0: \"Contains public sector information licensed under the",
        "Open Government Licence v3.0.\"). See `../shared/data/dfe/README.md` for the original publications; the",
        "files there were copied from `BenGoodair/childrens_social_care_data` and",
        "`dfe-analytical-services/CSC_outcomes_and_enablers`.",
        "",
        "Counts are as published (national and regional rounded to the nearest 10; LA suppressions left empty).",
        "Years are years ending 31 March; population `mid_year` is the ONS mid-year (June) estimate.",
        "",
        "Files read:",
        "",
        *[f"- `{s}`" for s in sources],
        "",
    ]
    (args.out / "SOURCES.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"national_series.csv: {nat.height} rows; area_series.csv: {area.height} rows; "
          f"population.csv: {pop.height} rows -> {args.out}")


if __name__ == "__main__":
    main()
