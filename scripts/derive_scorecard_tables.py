"""Derive the compact published-statistics tables that ship with ``careflow.measures``.

Reads the DfE / ONS files in ``../shared/data/dfe`` (see its README for provenance and licence) and writes:

* ``src/careflow/measures/data/published_counts.csv`` — one row per area (England, region, local authority)
  and year, one column per published count or DfE-published figure. Cells hold the value as DfE published
  it: a number, or DfE's symbol when there is no number (``c`` confidential, ``x`` not available, ``z`` not
  applicable, ``k`` rounds to zero, ``u`` low reliability). An empty cell means the source holds nothing for
  that area, year and measure.
* ``src/careflow/measures/data/areas.csv`` — each area's code, name, level, region and its ten statistical
  neighbours (DfE groupings, April 2021).
* ``src/careflow/measures/data/manifest.json`` — the source file of every column, and the rules used.

Every measure is read through careflow's declared mapping (``src/careflow/published/mapping.yaml``: file
patterns, column and label synonyms), by the same code ``careflow data import`` uses (``careflow.published``),
so the shipped tables and imported ones come from one code path. Every year the files hold is kept. Also
written: ``published_releases.csv`` — the release each measure's figure for each year comes from.

Area codes: local authorities by their DfE three-digit number (``919`` Hertfordshire), which stays the same
when ONS codes change; England ``E92000001``; regions by ONS code (``E12000006``).

Usage::

    python scripts/derive_scorecard_tables.py [--shared ../shared] [--out src/careflow/measures/data]

Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import polars as pl

from careflow.published.mapping import load_mapping
from careflow.published.reader import Problem, read_folder, resolve
from careflow.published.tables import to_wide

REPO = Path(__file__).resolve().parents[1]
ENGLAND = "E92000001"


def areas(dfe: Path, wide: pl.DataFrame, found: pl.DataFrame, sources: dict[str, str]) -> pl.DataFrame:
    """Every area with its latest name, ONS code, region and statistical neighbours.

    Names come from the area rows the reader saw: the latest year of the CLA rates, CIN and workforce files
    (in that order), then the SFR files for LAs that appear only there.
    """
    names: dict[str, tuple[int, str, str, str, str]] = {}
    found = found.filter(~pl.col("area_code").str.starts_with("E13"))  # London's sub-regions are not areas here
    priority = {"cla_rates": 0, "cin_b1": 1, "workforce": 2}
    ees = found.with_columns(pl.col("file").replace_strict(sources, default="").alias("source")).filter(
        pl.col("source").is_in(list(priority))
    ).with_columns(pl.col("source").replace_strict(priority, return_dtype=pl.Int32).alias("p"))
    names[ENGLAND] = (0, "England", ENGLAND, "", "")
    for code, year, level, la_name, ons, region_code, region_name in ees.sort("p").select(
        "area_code", "year", "level", "name", "ons_code", "region_code", "region_name"
    ).iter_rows():
        if level == "region":
            la_name, ons = region_name, region_code
            region_code, region_name = ENGLAND, "England"
        if region_code and region_code.startswith("E13"):  # Inner/Outer London → London
            region_code, region_name = "E12000007", "London"
        if code not in names or names[code][0] < year:
            names[code] = (year, la_name.strip(), ons or "", region_code or "", region_name or "")
    # 2010-2017 LAs absent from the later files (none expected, but never drop silently)
    sfr_names: dict[str, str] = {}
    sfr = found.filter(pl.col("file").str.contains("(^|/)SF[RE]") & (pl.col("level") == "local_authority"))
    for code, name in sfr.sort("file").select("area_code", "name").iter_rows():
        sfr_names.setdefault(code, name.strip())
    for code in wide["area_code"].unique().to_list():
        if code not in names:
            if code not in sfr_names:
                raise SystemExit(f"area {code} has data but no name")
            names[code] = (0, sfr_names[code], "", "", "")
    neighbours = _read(dfe / "reference" / "New_Statistical_Neighbour_Groupings_April_2021.csv")
    sn_cols = [c for c in neighbours.columns if re.fullmatch(r"SN\d+", c)]
    sn: dict[str, str] = {}
    for row in neighbours.select("LA num", *sn_cols).iter_rows():
        if row[0]:
            sn[row[0].strip()] = ";".join(v.strip() for v in row[1:] if v)
    numeric = wide.select(
        "area_code",
        "year",
        pl.any_horizontal(pl.exclude("area_code", "year").str.contains(r"^-?[0-9.]+$")).alias("has_data"),
    )
    last = dict(numeric.filter(pl.col("has_data")).group_by("area_code").agg(pl.col("year").max()).iter_rows())
    first = dict(numeric.filter(pl.col("has_data")).group_by("area_code").agg(pl.col("year").min()).iter_rows())
    rows = []
    for code, (_year, name, ons, region_code, region_name) in names.items():
        level = "national" if code == ENGLAND else "region" if code.startswith("E12") else "local_authority"
        if "/" in code:
            level = "la_group"  # e.g. '314 / 318': LAs that return one workforce census together
        rows.append(
            {
                "area_code": code,
                "name": name,
                "level": level,
                "ons_code": ons,
                "region_code": region_code if level == "local_authority" else ("" if level == "national" else ENGLAND),
                "region_name": region_name
                if level == "local_authority"
                else ("" if level == "national" else "England"),
                "first_year": first.get(code),
                "last_year": last.get(code),
                "statistical_neighbours": sn.get(code, ""),
            }
        )
    # the same name for an old and a new authority (Dorset county council to 2019, Dorset Council from 2019):
    # the older one is named with its last year
    by_name: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_name.setdefault(str(row["name"]), []).append(row)
    for same in by_name.values():
        if len(same) > 1:
            same.sort(key=lambda r: int(r["last_year"] or 0))  # type: ignore[call-overload]
            for row in same[:-1]:
                row["name"] = f"{row['name']} (to {row['last_year']})"
    by_code = {r["area_code"]: r for r in rows}
    for row in rows:
        if row["level"] == "la_group":  # the group sits in its first member's region
            member = by_code.get(row["area_code"].split("/")[0].strip(), {})
            row["region_code"], row["region_name"] = member.get("region_code", ""), member.get("region_name", "")
    frame = pl.DataFrame(rows).sort("level", "area_code")
    return frame


def _read(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    return frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})


SOURCES: dict[str, list[str]] = {}


def build(shared: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(published counts, areas, releases) from ``shared/data/dfe``; stops on any error the reader reports."""
    dfe = shared / "data" / "dfe"
    if not dfe.is_dir():
        raise SystemExit(f"{dfe} not found: pass --shared pointing at the shared folder")
    result = read_folder(dfe)
    problems: list[Problem] = list(result.problems)
    cells, revisions = resolve(result.cells, problems)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        if problem.severity != "note":
            sys.stderr.write(f"{problem}\n")
    if errors:
        raise SystemExit(f"{len(errors)} error(s) reading {dfe}")
    if revisions.height:
        sys.stderr.write(f"{revisions.height} figures revised by a later release (the later one is kept)\n")
    for (measure, file, column, label), _ in result.cells.group_by("measure", "file", "column", "label"):
        text = f"{file}: {column}" + (f" where {label}" if label else "")
        SOURCES.setdefault(str(measure), [])
        if text not in SOURCES[str(measure)]:
            SOURCES[str(measure)].append(text)
    for measure in SOURCES:
        SOURCES[measure].sort()
    mapping = load_mapping()
    for measure, fallback in mapping.fallbacks.items():
        SOURCES.setdefault(measure, []).extend(f"(else) {s}" for s in SOURCES.pop(fallback, []))
    wide = to_wide(cells, mapping)
    # a fallback measure's figures count as the measure's where the measure itself has none
    own = cells.select("measure", "area_code", "year", "release", "release_year")
    for measure, fallback in mapping.fallbacks.items():
        extra = own.filter(pl.col("measure") == fallback).with_columns(pl.lit(measure).alias("measure")).join(
            own.filter(pl.col("measure") == measure), on=["measure", "area_code", "year"], how="anti")
        own = pl.concat([own.filter(pl.col("measure") != fallback), extra])
    releases = (
        own.join(wide.select("area_code", "year"), on=["area_code", "year"], how="semi")
        .group_by("measure", "year")
        .agg(pl.col("release").sort_by("release_year").last(), pl.col("release_year").max())
        .sort("measure", "year")
    )
    sources = {f.file: f.source for f in result.files}
    return wide, areas(dfe, wide, result.areas, sources), releases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "careflow" / "measures" / "data")
    args = parser.parse_args(argv)
    wide, area_table, releases = build(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    wide.write_csv(args.out / "published_counts.csv")
    area_table.write_csv(args.out / "areas.csv")
    releases.write_csv(args.out / "published_releases.csv")
    manifest = {
        "description": "Compact published statistics for careflow.measures, derived by "
        "scripts/derive_scorecard_tables.py from the shared DfE/ONS files.",
        "source": "../shared/data/dfe (copied from BenGoodair/childrens_social_care_data and "
        "dfe-analytical-services/CSC_outcomes_and_enablers; see that folder's README)",
        "licence": "Contains public sector information licensed under the Open Government Licence v3.0.",
        "area_codes": "LAs by DfE three-digit number; England E92000001; regions by ONS E12 code.",
        "cells": "a number; or DfE's symbol: c confidential, x not available, z not applicable, k rounds to zero, "
        "u low reliability; empty: the source holds nothing for that area, year and measure.",
        "years": "year ending 31 March (CLA, CIN, CPP); 30 September census year (sw_* workforce columns).",
        "population_0_17": "DfE's own denominator from the CLA release where given (2010: mid-2009 in SFR27/2010; "
        "2018-2022: cla_number_and_rate_per_10k_children.csv), else the ONS mid-year estimate of the previous "
        "June (2013-2017). None for 2011 and 2012 (no mid-2010 or mid-2011 estimate in the data at hand).",
        "columns": {k: SOURCES[k] for k in sorted(SOURCES)},
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    size = sum((args.out / f).stat().st_size for f in ("published_counts.csv", "areas.csv", "manifest.json"))
    sys.stderr.write(
        f"wrote {wide.height} area-years x {wide.width - 2} measures, {area_table.height} areas, "
        f"{size / 1e6:.2f} MB to {args.out}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
