"""The published statistics careflow holds: the compact 2022 tables it ships, plus every release imported.

Imported tables live in a versioned user data folder: ``$CAREFLOW_DATA/published/v1`` when ``CAREFLOW_DATA`` is
set, else the platform's user data folder (``platformdirs.user_data_dir("careflow")``, e.g.
``~/.local/share/careflow`` on Linux). :func:`held_counts` is the single entry point every command reads:
for each area, year and measure it returns the figure of the latest release held.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import platformdirs
import polars as pl

from careflow.published.mapping import load_mapping
from careflow.published.reader import CELL_SCHEMA, FileReport, Problem, ReadResult, read_folder, resolve
from careflow.published.tables import to_long, to_wide

__all__ = [
    "STORE_VERSION",
    "Coverage",
    "ImportReport",
    "coverage",
    "held_areas",
    "held_cells",
    "held_counts",
    "import_folder",
    "shipped_dir",
    "status",
    "store_dir",
]

STORE_VERSION = 1
SHIPPED = "shipped with careflow"


def data_root() -> Path:
    """``CAREFLOW_DATA`` if set, else the platform's user data folder for careflow."""
    override = os.environ.get("CAREFLOW_DATA", "").strip()
    return Path(override).expanduser() if override else Path(platformdirs.user_data_dir("careflow"))


def store_dir() -> Path:
    """The versioned folder imported published tables live in."""
    return data_root() / "published" / f"v{STORE_VERSION}"


def shipped_dir() -> Path:
    """The compact tables careflow ships (made by scripts/derive_scorecard_tables.py)."""
    return Path(__file__).resolve().parents[1] / "measures" / "data"


# --- shipped -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _shipped_cells() -> pl.DataFrame:
    base = shipped_dir()
    wide = pl.read_csv(base / "published_counts.csv", infer_schema=False).with_columns(pl.col("year").cast(pl.Int32))
    cells = to_long(wide)
    releases_path = base / "published_releases.csv"
    if releases_path.exists():
        releases = pl.read_csv(releases_path, schema_overrides={"year": pl.Int32, "release_year": pl.Int32,
                                                                "release": pl.String, "measure": pl.String})
        cells = cells.join(releases, on=["measure", "year"], how="left")
    else:
        cells = cells.with_columns(pl.lit(None, pl.String).alias("release"),
                                   pl.lit(None, pl.Int32).alias("release_year"))
    last = int(wide["year"].max())  # type: ignore[arg-type]
    return cells.with_columns(
        pl.col("release").fill_null(f"careflow {last}"), pl.col("release_year").fill_null(last),
        pl.lit(f"{SHIPPED}: published_counts.csv").alias("file"), pl.lit(None, pl.String).alias("column"),
        pl.lit(None, pl.String).alias("label"), pl.lit(0, pl.Int32).alias("rank"),
    ).select([*CELL_SCHEMA, "rank"])


# --- imported ------------------------------------------------------------------------------------------------


def _paths(base: Path) -> dict[str, Path]:
    return {"cells": base / "cells.parquet", "areas": base / "areas.parquet", "revisions": base / "revisions.csv",
            "imports": base / "imports.json"}


def _stamp(base: Path) -> float:
    p = _paths(base)["cells"]
    return p.stat().st_mtime_ns if p.exists() else 0.0


def _stored_cells(base: Path) -> pl.DataFrame:
    p = _paths(base)["cells"]
    if not p.exists():
        return pl.DataFrame(schema={**CELL_SCHEMA, "rank": pl.Int32})
    return pl.read_parquet(p)


def _imports(base: Path) -> list[dict[str, object]]:
    p = _paths(base)["imports"]
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else []


@lru_cache(maxsize=4)
def _held(base: Path, stamp: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    cells = pl.concat([_shipped_cells(), _stored_cells(base)], how="vertical_relaxed")
    return resolve(cells)


def held_cells() -> pl.DataFrame:
    """Every figure held, one per area, year and measure, from the latest release (with release and file)."""
    base = store_dir()
    return _held(base, _stamp(base))[0]


@lru_cache(maxsize=4)
def _counts(base: Path, stamp: float) -> pl.DataFrame:
    if stamp == 0.0:
        wide = pl.read_csv(shipped_dir() / "published_counts.csv", infer_schema=False)
        return wide.with_columns(pl.col("year").cast(pl.Int32))
    return to_wide(_held(base, stamp)[0])


def held_counts() -> pl.DataFrame:
    """The newest published counts careflow holds, wide: one row per area and year, one text column per measure
    (a number or DfE's symbol; null where nothing is published). Without an import: the shipped 2022 tables."""
    base = store_dir()
    return _counts(base, _stamp(base))


@lru_cache(maxsize=4)
def _areas(base: Path, stamp: float) -> pl.DataFrame:
    shipped = pl.read_csv(shipped_dir() / "areas.csv", infer_schema=False)
    p = _paths(base)["areas"]
    if stamp == 0.0 or not p.exists():
        return shipped
    # first and last years with a figure, over everything held now
    held = _held(base, stamp)[0].filter(pl.col("cell").str.contains(r"^-?[0-9.]+$")
                                        & ~pl.col("measure").is_in(list(load_mapping().denominators_only)))
    span = held.group_by("area_code").agg(pl.col("year").min().cast(pl.String).alias("first"),
                                          pl.col("year").max().cast(pl.String).alias("last"))
    shipped = shipped.join(span, on="area_code", how="left").with_columns(
        pl.coalesce("first", "first_year").alias("first_year"), pl.coalesce("last", "last_year").alias("last_year"),
    ).select(shipped.columns)
    imported = pl.read_parquet(p)
    new = imported.filter(~pl.col("area_code").is_in(shipped["area_code"].implode())
                          & (pl.col("level") == "local_authority"))
    if new.height == 0:
        return shipped
    latest = new.sort("year").group_by("area_code").last().join(span, on="area_code", how="left")
    extra = latest.select(
        "area_code", "name", pl.lit("local_authority").alias("level"), pl.col("ons_code").fill_null(""),
        pl.col("region_code").fill_null(""), pl.col("region_name").fill_null(""),
        pl.col("first").alias("first_year"), pl.col("last").alias("last_year"),
        pl.lit("").alias("statistical_neighbours"))
    return pl.concat([shipped, extra.select(shipped.columns)], how="vertical_relaxed")


def held_areas() -> pl.DataFrame:
    """The areas table: the shipped ``areas.csv`` plus LAs first seen in an imported release."""
    base = store_dir()
    return _areas(base, _stamp(base))


# --- coverage and status -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which years and releases the held figures come from."""

    first_year: int
    last_year: int
    releases: tuple[tuple[str, int, int], ...]  # (release, first year, last year) it supplies
    imported: bool

    @property
    def years(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    def describe(self) -> str:
        """E.g. '2010-2024 (releases: CLA 2024, CIN 2022, ...; imported)' for reports."""
        latest: dict[str, tuple[int, str]] = {}
        for release, _first, _last in self.releases:
            collection, _, year = release.rpartition(" ")
            if year.isdigit() and (collection not in latest or int(year) > latest[collection][0]):
                latest[collection] = (int(year), release)
        names = ", ".join(r for _, r in sorted(latest.values(), key=lambda v: v[1]))
        origin = "imported with careflow data import" if self.imported else "the tables shipped with careflow"
        return f"{self.years} (latest releases held: {names}; {origin})"


def coverage() -> Coverage:
    """The years and releases of the figures held (CLA, CIN and workforce measures; not population alone)."""
    mapping = load_mapping()
    cells = held_cells().filter(~pl.col("measure").is_in(list(mapping.denominators_only))
                                & ~pl.col("cell").is_in(["", "z"]))
    by = cells.group_by("release").agg(pl.col("year").min().alias("a"), pl.col("year").max().alias("b")).sort("release")
    return Coverage(
        first_year=int(cells["year"].min()),  # type: ignore[arg-type]
        last_year=int(cells["year"].max()),  # type: ignore[arg-type]
        releases=tuple((r, int(a), int(b)) for r, a, b in by.iter_rows()),
        imported=_stamp(store_dir()) != 0.0,
    )


def status() -> pl.DataFrame:
    """What is held, by release and year: cells in use (latest release) per release, origin, years, measures."""
    base = store_dir()
    cells = held_cells()
    origin = pl.when(pl.col("rank") == 0).then(pl.lit("shipped")).otherwise(pl.lit("imported"))
    return (cells.with_columns(origin.alias("origin"))
            .group_by("release", "origin", "year")
            .agg(pl.col("measure").n_unique().alias("measures"), pl.len().alias("cells"),
                 pl.col("area_code").n_unique().alias("areas"))
            .sort("release", "year")).with_columns(pl.lit(str(base)).alias("store"))


# --- importing -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    folder: Path
    store: Path
    read: ReadResult
    taken: pl.DataFrame  # cells of this import now in use
    revisions: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    saved: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def files(self) -> list[FileReport]:
        return self.read.files

    def to_json(self) -> dict[str, object]:
        return {
            "folder": str(self.folder), "store": str(self.store), "saved": self.saved,
            "files": [{"file": f.file, "status": f.status, "source": f.source, "release": f.release,
                       "years": f.years, "measures": f.measures, "cells": f.cells, "reason": f.reason}
                      for f in self.files],
            "revisions": self.revisions.to_dicts(),
            "problems": [{"severity": p.severity, "file": p.file, "column": p.column, "label": p.label,
                          "message": p.message} for p in self.problems],
        }


def _code_changes(areas: pl.DataFrame, problems: list[Problem]) -> None:
    """LAs whose ONS code differs from the one careflow holds, and LAs careflow has not seen."""
    if areas.height == 0:
        return
    held = pl.read_csv(shipped_dir() / "areas.csv", infer_schema=False).select(
        "area_code", pl.col("ons_code").alias("held_ons"), pl.col("name").alias("held_name"))
    latest = (areas.filter(pl.col("level") == "local_authority").sort("year").group_by("area_code").last()
              .join(held, on="area_code", how="left"))
    for row in latest.sort("area_code").iter_rows(named=True):
        if row["held_name"] is None:
            problems.append(Problem("warning", row["file"], f"LA {row['area_code']} {row['name']} ({row['ons_code']}) "
                                    "is not among the areas careflow holds (a new or reorganised authority): added "
                                    "under its DfE number", "old_la_code", row["area_code"]))
        elif row["ons_code"] and row["held_ons"] and row["ons_code"] != row["held_ons"]:
            problems.append(Problem("warning", row["file"], f"LA {row['area_code']} {row['name']} changed code: "
                                    f"ONS {row['ons_code']} in {row['year']}, careflow held {row['held_ons']}; its "
                                    "figures stay joined under DfE number " + row["area_code"],
                                    "new_la_code", row["area_code"]))


def import_folder(folder: Path, *, keep_going: bool = False, dry_run: bool = False,
                  progress: Callable[[str, float], None] | None = None) -> ImportReport:
    """Read ``folder`` through the declared mapping and add what it holds to the user data folder.

    Where the folder and the figures already held cover the same area, year and measure, the later release's
    figure is kept and the change is recorded as a revision. With errors (a measure lost, an unreadable cell)
    nothing is saved unless ``keep_going``.
    """
    folder = Path(folder)
    base = store_dir()
    read = read_folder(folder, progress=progress)
    problems = list(read.problems)
    _code_changes(read.areas, problems)
    stored = _stored_cells(base)
    next_rank = int(stored["rank"].max() or 0) + 1 if stored.height else 1  # type: ignore[arg-type]
    new = read.cells.with_columns(pl.lit(next_rank, pl.Int32).alias("rank"))
    # a release imported again replaces its earlier import
    stored = stored.filter(~pl.col("release").is_in(new["release"].unique().implode()))
    merged_stored = pl.concat([stored, new], how="vertical_relaxed")
    winners, revisions = resolve(pl.concat([_shipped_cells(), merged_stored], how="vertical_relaxed"), problems)
    files = set(new["file"].unique().to_list())
    mine = new.select((pl.col("file") + "\x00" + pl.col("release")).unique())["file"].to_list()
    revisions = revisions.filter((pl.col("new_file") + "\x00" + pl.col("new_release")).is_in(mine)
                                 | (pl.col("old_file") + "\x00" + pl.col("old_release")).is_in(mine))
    taken = winners.filter(pl.col("rank") == next_rank)
    report = ImportReport(folder, base, read, taken, revisions, problems)
    if dry_run or new.height == 0 or (report.errors and not keep_going):
        return report
    base.mkdir(parents=True, exist_ok=True)
    paths = _paths(base)
    tmp = paths["cells"].with_suffix(".tmp")
    merged_stored.write_parquet(tmp)
    old_areas = pl.read_parquet(paths["areas"]) if paths["areas"].exists() else None
    areas = read.areas if old_areas is None else pl.concat([old_areas, read.areas], how="vertical_relaxed")
    areas.unique(["area_code", "year", "file"]).write_parquet(paths["areas"])
    if revisions.height:
        header = not paths["revisions"].exists()
        with paths["revisions"].open("a", encoding="utf-8") as handle:
            handle.write(revisions.write_csv(include_header=header))
    log = _imports(base)
    log.append({"import": next_rank, "folder": str(folder.resolve()), "at": datetime.now(UTC).isoformat(),
                "releases": sorted(new["release"].unique().to_list()), "cells": new.height,
                "cells_in_use": taken.height, "revisions": revisions.height,
                "files": sorted(files), "errors": len(report.errors)})
    paths["imports"].write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
    tmp.replace(paths["cells"])
    report.saved = True
    return report


def imports_log() -> list[dict[str, object]]:
    """Every import saved in the store, oldest first."""
    return _imports(store_dir())
