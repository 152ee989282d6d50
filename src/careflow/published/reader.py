"""Read a folder of DfE / ONS published files through the declared mapping into long cells.

One implementation for both uses: ``careflow data import`` and ``scripts/derive_scorecard_tables.py``.

Every file is accounted for: taken (which measures, years and release), ignored (a file careflow knowingly does
not read, with the reason), or not recognised. Every column and label of a taken file that the mapping does not
name is listed; a measure the mapping expects but the file lacks (a renamed column, a reworded label) is an
error naming the file, the column and the labels looked for. Cells keep DfE's symbols; a cell that is neither
a number nor a symbol is an error, never a zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from careflow.published.mapping import Mapping, MeasureSpec, Source, fold_label, header_matches, load_mapping

__all__ = ["CELL_SCHEMA", "FileReport", "Problem", "ReadResult", "combine", "locate", "read_folder", "resolve"]

ENGLAND = "E92000001"

CELL_SCHEMA: dict[str, type[pl.DataType]] = {
    "area_code": pl.String,
    "year": pl.Int32,
    "measure": pl.String,
    "cell": pl.String,
    "release": pl.String,
    "release_year": pl.Int32,
    "file": pl.String,
    "column": pl.String,
    "label": pl.String,
}

AREA_SCHEMA: dict[str, type[pl.DataType]] = {
    "area_code": pl.String,
    "year": pl.Int32,
    "level": pl.String,
    "name": pl.String,
    "ons_code": pl.String,
    "region_code": pl.String,
    "region_name": pl.String,
    "file": pl.String,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the reader could not map. ``severity``: error (a measure lost or a cell unreadable),
    warning (a file not recognised, a code change) or note (a column or label careflow does not use)."""

    severity: str
    file: str
    message: str
    column: str = ""
    label: str = ""

    def __str__(self) -> str:
        where = self.file + (f", column {self.column!r}" if self.column else "")
        where += f", label {self.label!r}" if self.label else ""
        return f"{self.severity}: {where}: {self.message}"


@dataclass(slots=True)
class FileReport:
    file: str
    status: str  # taken, ignored, unrecognised, failed
    source: str = ""
    release: str = ""
    release_year: int | None = None
    years: list[int] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    cells: int = 0
    reason: str = ""


@dataclass(slots=True)
class ReadResult:
    cells: pl.DataFrame
    areas: pl.DataFrame
    files: list[FileReport]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# --- cells ---------------------------------------------------------------------------------------------------


def _clean_one(value: str | None, mapping: Mapping, overrides: dict[str, str]) -> tuple[str, bool]:
    """(cell, readable): a plain number as text, a DfE symbol, or '' for nothing published."""
    if value is None:
        return "", True
    v = value.strip().replace(",", "")
    if v == "":
        return "", True
    if v in mapping.unreadable:
        return "", True
    low = v.lower()
    if low in mapping.symbols:
        symbol = mapping.symbols[low]
        return overrides.get(symbol, symbol), True
    try:
        number = float(v)
    except ValueError:
        return "", False
    if number != number or number in (float("inf"), float("-inf")):
        return "", False
    return (str(int(number)) if number == int(number) and "." not in v else repr(number)), True


def combine(cells: Iterable[str], order: tuple[str, ...] = ("c", "u", "x", "k", "z"), how: str = "sum") -> str:
    """Add published cells; any symbol makes the result the worst symbol present; any '' makes it ''."""
    cells = list(cells)
    if any(c == "" for c in cells):
        return ""
    symbols = [c for c in cells if c in order]
    if symbols:
        return min(symbols, key=order.index)
    numbers = [float(c) for c in cells]
    total = numbers[0] - sum(numbers[1:]) if how == "difference" else sum(numbers)
    return str(int(total)) if total == int(total) else repr(round(total, 6))


class _Cleaner:
    def __init__(self, mapping: Mapping, source: Source, rel: str, problems: list[Problem]) -> None:
        self.mapping, self.overrides, self.rel, self.problems = mapping, source.symbols, rel, problems
        self.unreadable: dict[str, int] = {}

    def __call__(self, frame: pl.DataFrame, column: str, label: str) -> pl.Series:
        series = frame[column]
        table: dict[str | None, str] = {}
        for value in series.unique().to_list():
            cell, ok = _clean_one(value, self.mapping, self.overrides)
            if not ok:
                count = int((series == value).sum())
                self.problems.append(Problem(
                    "error", self.rel, f"{count} cell(s) read {value!r}: neither a number nor a DfE symbol "
                    f"({', '.join(sorted(self.mapping.symbols))}); left out, not read as zero", column, label))
            elif value is not None and value.strip() in self.mapping.unreadable:
                self.unreadable[value.strip()] = self.unreadable.get(value.strip(), 0) + 1
            table[value] = cell
        return series.replace_strict(table, return_dtype=pl.String)


# --- reading files -------------------------------------------------------------------------------------------


def _read_csv(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    frame = frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})
    return frame.select([c for c in frame.columns if c and not c.startswith("_duplicated")])


def _folded(column: str) -> pl.Expr:
    """A label column as :func:`careflow.published.mapping.fold_label` folds it."""
    return pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()


def _find(headers: list[str], synonyms: tuple[str, ...]) -> list[str]:
    return [h for h in headers if any(header_matches(s, h) for s in synonyms)]


def _ees_frame(frame: pl.DataFrame, mapping: Mapping, rel: str, shift: int,
               problems: list[Problem]) -> pl.DataFrame | None:
    rename: dict[str, str] = {}
    for key, synonyms in mapping.ees_geography.items():
        found = _find(frame.columns, synonyms)
        if found:
            rename[found[0]] = key
    frame = frame.rename(rename)
    for required in ("time_period", "geographic_level"):
        if required not in frame.columns:
            problems.append(Problem("error", rel, f"no {required} column (looked for "
                                    f"{list(mapping.ees_geography[required])}): not an explore-education-statistics "
                                    "file as the mapping declares", required))
            return None
    for missing in ("region_code", "region_name", "old_la_code", "new_la_code", "la_name"):
        if missing not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(missing))
    level = pl.col("geographic_level")
    code = (
        pl.when(level == "National").then(pl.lit(ENGLAND))
        .when(level == "Regional").then(pl.col("region_code"))
        .when(level == "Local authority").then(pl.col("old_la_code").str.strip_chars())
        .otherwise(None)
    )
    raw_year = pl.col("time_period").str.strip_chars().cast(pl.Int32, strict=False)
    # a year ending 31 March is four digits ('202223', a financial year, is not read as one)
    year = pl.when(raw_year.is_between(1900, 2100)).then(raw_year).otherwise(None)
    bad = frame.filter(year.is_null())["time_period"].unique().to_list()
    if bad:
        problems.append(Problem("error", rel, f"time_period {bad[:5]} is not a year ending 31 March; those rows "
                                "are left out", "time_period"))
    frame = frame.with_columns(code.alias("area_code"), (year + shift).alias("year"), year.alias("_period"))
    # London's inner/outer sub-regions are kept under their E13 codes (mapping: sub_regions)
    return frame.filter(pl.col("area_code").is_not_null() & pl.col("year").is_not_null())


def _sfr_frame(frame: pl.DataFrame, mapping: Mapping, rel: str, year: int,
               problems: list[Problem]) -> pl.DataFrame | None:
    for required in ("geog_l", "geog_n", "geog_c"):
        if required not in frame.columns:
            problems.append(Problem("error", rel, "not an SFR underlying-data file (no geog_l, geog_n, geog_c "
                                    "columns)", required))
            return None
    level = pl.col("geog_l").str.strip_chars().str.to_uppercase()
    name = pl.col("geog_n").str.strip_chars().str.to_uppercase()
    regions = {**mapping.regions, **mapping.sub_region_codes()}
    code = (
        pl.when(level == "NATIONAL").then(pl.lit(ENGLAND))
        .when(level.is_in(["REGION", "GOR"])).then(name.replace_strict(regions, default=None))
        .when(level == "LA").then(pl.col("geog_c").str.strip_chars())
        .otherwise(None)
    )
    unknown = frame.filter(level.is_in(["REGION", "GOR"]) & code.is_null())["geog_n"].unique().to_list()
    if unknown:
        problems.append(Problem("error", rel, f"regions {unknown} are not among the mapping's regions", "geog_n"))
    return frame.with_columns(code.alias("area_code"), pl.lit(year, pl.Int32).alias("year"),
                              pl.lit(year, pl.Int32).alias("_period")).filter(pl.col("area_code").is_not_null())


def _dedupe(rows: pl.DataFrame, rel: str, measure: str, problems: list[Problem]) -> pl.DataFrame:
    """One cell per area and year: a number or symbol wins over '' or 'z'; two different numbers are an error."""
    if rows.height == rows.select("area_code", "year").n_unique():
        return rows
    subst = ~pl.col("cell").is_in(["", "z"])
    conflicts = rows.filter(subst).group_by("area_code", "year").agg(pl.col("cell").n_unique().alias("n"),
                                                                     pl.col("cell").unique().alias("cells"))
    for area, year, _n, cells in conflicts.filter(pl.col("n") > 1).iter_rows():
        problems.append(Problem("error", rel, f"measure {measure}: area {area} {year} has different figures "
                                f"{sorted(cells)} in the same file"))
    return (rows.with_columns(subst.alias("_s")).sort("_s").group_by("area_code", "year", maintain_order=True)
            .last().drop("_s"))


def _measure(frame: pl.DataFrame, source: Source, spec: MeasureSpec, resolved: dict[str, str], rel: str,
             clean: _Cleaner, problems: list[Problem], order: tuple[str, ...]) -> pl.DataFrame | None:
    """The long rows (area_code, year, cell, column, label) of one measure, or None when it cannot be read."""
    labels_used: list[str] = []
    for col_key, label_key in spec.where:
        column = resolved[col_key]
        words = source.labels[col_key][label_key]
        part = frame.filter(_folded(column).is_in([fold_label(w) for w in words]))
        if part.height == 0:
            problems.append(Problem("error", rel, f"measure {spec.name} is lost: no row has any of the labels "
                                    f"{list(words)}", column, " | ".join(words)))
            return None
        frame = part
        labels_used.append(part[column][0])
    columns = [resolved[v] for v in spec.values]
    if spec.sum_column is None:
        cells = [clean(frame, c, "; ".join(labels_used)) for c in columns]
        cell = cells[0] if len(cells) == 1 else pl.Series([
            combine(parts, order) for parts in zip(*(c.to_list() for c in cells), strict=True)])
        return pl.DataFrame({"area_code": frame["area_code"], "year": frame["year"], "cell": cell},
                            schema_overrides={"year": pl.Int32}).with_columns(
            pl.lit(" + ".join(columns)).alias("column"), pl.lit("; ".join(labels_used)).alias("label"))
    column = resolved[spec.sum_column]
    word_key = {fold_label(w): k for k in spec.sum_labels for w in source.labels[spec.sum_column][k]}
    part = frame.with_columns(_folded(column).alias("_fold"), pl.col(column).str.strip_chars().alias("_label")).filter(
        pl.col("_fold").is_in(list(word_key)))
    present = {word_key[w] for w in part["_fold"].unique().to_list()}
    for key in spec.sum_labels:
        if key not in present:
            words = source.labels[spec.sum_column][key]
            problems.append(Problem("error", rel, f"measure {spec.name} is lost: no row has any of the labels "
                                    f"{list(words)}", column, " | ".join(words)))
            return None
    value_col = columns[0]
    part = part.with_columns(clean(part, value_col, "; ".join(labels_used)).alias("_cell"))
    used = "; ".join([*labels_used, " + ".join(sorted(set(part["_label"].to_list())))])
    if len(spec.sum_labels) == 1:
        out = part.select("area_code", "year", pl.col("_cell").alias("cell"))
    else:
        grouped = part.group_by("area_code", "year", maintain_order=True).agg(pl.col("_cell"), pl.len().alias("n"))
        wrong = grouped.filter(pl.col("n") != len(spec.sum_labels))
        for area, year, _cells, n in wrong.head(5).iter_rows():
            problems.append(Problem("error", rel, f"measure {spec.name}: area {area} {year} has {n} rows, expected "
                                    f"one for each of {list(spec.sum_labels)}", column))
        grouped = grouped.filter(pl.col("n") == len(spec.sum_labels))
        out = pl.DataFrame({
            "area_code": grouped["area_code"], "year": grouped["year"],
            "cell": [combine(c, order) for c in grouped["_cell"].to_list()],
        }, schema_overrides={"year": pl.Int32, "area_code": pl.String, "cell": pl.String})
    return out.with_columns(pl.lit(value_col).alias("column"), pl.lit(used).alias("label"))


def _areas_of(frame: pl.DataFrame, rel: str, layout: str) -> pl.DataFrame:
    if layout == "sfr":
        sel = frame.filter(pl.col("geog_l").str.strip_chars().str.to_uppercase() == "LA").select(
            "area_code", "year", pl.lit("local_authority").alias("level"),
            pl.col("geog_n").str.strip_chars().alias("name"),
            (pl.col("New_geog_code").str.strip_chars() if "New_geog_code" in frame.columns
             else pl.lit(None, pl.String)).alias("ons_code"),
            pl.lit(None, pl.String).alias("region_code"), pl.lit(None, pl.String).alias("region_name"))
    else:
        level = pl.col("geographic_level")
        sel = frame.filter(level.is_in(["Local authority", "Regional"])).select(
            "area_code", "year",
            pl.when(level == "Regional").then(pl.lit("region")).otherwise(pl.lit("local_authority")).alias("level"),
            pl.when(level == "Regional").then(pl.col("region_name")).otherwise(pl.col("la_name"))
            .str.strip_chars().alias("name"),
            pl.when(level == "Regional").then(pl.col("region_code")).otherwise(pl.col("new_la_code"))
            .str.strip_chars().alias("ons_code"),
            "region_code", "region_name")
    return sel.unique(["area_code", "year"]).with_columns(pl.lit(rel).alias("file")).select(
        [pl.col(c).cast(t) for c, t in AREA_SCHEMA.items()])


def read_file(path: Path, rel: str, mapping: Mapping) -> tuple[FileReport, pl.DataFrame, pl.DataFrame,
                                                                list[Problem]]:
    """One file through the mapping: its report, long cells, areas, and problems."""
    problems: list[Problem] = []
    empty_cells = pl.DataFrame(schema=CELL_SCHEMA)
    empty_areas = pl.DataFrame(schema=AREA_SCHEMA)
    hit = mapping.source_for(rel)
    if hit is None:
        reason = mapping.ignored(rel)
        if reason is not None:
            return FileReport(rel, "ignored", reason=reason), empty_cells, empty_areas, problems
        problems.append(Problem("warning", rel, "file not recognised: it matches no file of any release in "
                                "careflow's mapping (src/careflow/published/mapping.yaml); nothing taken from it"))
        return FileReport(rel, "unrecognised", reason="matches no declared file"), empty_cells, empty_areas, problems
    source, found = hit
    report = FileReport(rel, "failed", source=source.id)
    try:
        raw = _read_csv(path)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        problems.append(Problem("error", rel, f"cannot be read as CSV: {exc}"))
        return report, empty_cells, empty_areas, problems
    if source.layout == "ees":
        frame = _ees_frame(raw, mapping, rel, source.year_shift, problems)
        geography = {s.lower() for syns in mapping.ees_geography.values() for s in syns} | {
            s.lower() for s in mapping.ees_ignored_columns}
    else:
        year = source.year
        if year is None and "year" in (found.groupdict() or {}):
            year = int(found.group("year"))
        if year is None:
            problems.append(Problem("error", rel, f"source {source.id}: the mapping gives no year for this file"))
            return report, empty_cells, empty_areas, problems
        frame = _sfr_frame(raw, mapping, rel, year, problems)
        geography = {"geog_l", "geog_n", "geog_c", "new_geog_code", "la_code", "geog_t"}
    if frame is None:
        return report, empty_cells, empty_areas, problems
    headers = [c for c in raw.columns]
    # resolve every column key the measures use
    resolved: dict[str, str] = {}
    missing: dict[str, tuple[str, ...]] = {}
    keys = {k for m in source.measures for k in (*m.values, *(c for c, _ in m.where),
                                                  *([m.sum_column] if m.sum_column else []))}
    for key in sorted(keys):
        found_cols = _find(frame.columns, source.synonyms(key))
        if len(found_cols) == 1:
            resolved[key] = found_cols[0]
        elif len(found_cols) > 1:
            problems.append(Problem("error", rel, f"column {key!r} is ambiguous: {found_cols} all match "
                                    f"{list(source.synonyms(key))}", found_cols[0]))
            missing[key] = source.synonyms(key)
        else:
            missing[key] = source.synonyms(key)
    used_headers = set(resolved.values())
    declared = {s for syn in source.columns.values() for s in syn}
    unmapped_cols = [h for h in headers if h not in used_headers and h.lower() not in geography
                     and not any(header_matches(s, h) for s in declared)
                     and not any(header_matches(s, h) for k in keys for s in source.synonyms(k))]
    if missing:
        for key, synonyms in missing.items():
            lost = [m.name for m in source.measures if key in (*m.values, *(c for c, _ in m.where), m.sum_column)]
            problems.append(Problem(
                "error", rel, f"no column for {key!r} (looked for {list(synonyms)}); unmapped columns in the file: "
                f"{unmapped_cols or 'none'}; measures lost: {lost}", " | ".join(synonyms)))
    for col in unmapped_cols:
        problems.append(Problem("note", rel, "column not mapped to any careflow measure", col))
    # labels the mapping does not name
    for col_key in source.labels:
        if col_key not in resolved:
            continue
        column = resolved[col_key]
        words = source.label_key(col_key)
        for label in sorted(frame[column].drop_nulls().str.strip_chars().unique().to_list()):
            if fold_label(label) not in words:
                problems.append(Problem("note", rel, "label not mapped to any careflow measure", column, label))
    clean = _Cleaner(mapping, source, rel, problems)
    parts = []
    order = mapping.symbol_order
    for spec in source.measures:
        needed = {*spec.values, *(c for c, _ in spec.where), *([spec.sum_column] if spec.sum_column else [])}
        if needed - set(resolved):
            continue
        rows = _measure(frame, source, spec, resolved, rel, clean, problems, order)
        if rows is None:
            continue
        rows = _dedupe(rows, rel, spec.name, problems)
        parts.append(rows.with_columns(pl.lit(spec.name).alias("measure")))
    for value, count in clean.unreadable.items():
        problems.append(Problem("warning", rel, f"{count} distinct cell value(s) {value!r} (a spreadsheet error in "
                                "the published file) read as 'nothing published'"))
    release_year = int(frame["_period"].max()) if frame.height else None  # type: ignore[arg-type]
    release = f"{source.collection} {release_year}" if release_year is not None else source.collection
    if not parts:
        return report, empty_cells, empty_areas, problems
    cells = pl.concat(parts, how="vertical_relaxed").with_columns(
        pl.lit(release).alias("release"), pl.lit(release_year, pl.Int32).alias("release_year"),
        pl.lit(rel).alias("file"))
    cells = cells.select([pl.col(c).cast(t) for c, t in CELL_SCHEMA.items()])
    report.status = "taken"
    report.release, report.release_year = release, release_year
    report.years = sorted(cells["year"].unique().to_list())
    report.measures = sorted(cells["measure"].unique().to_list())
    report.cells = cells.height
    return report, cells, _areas_of(frame, rel, source.layout), problems


def locate(folder: Path, source_id: str, mapping: Mapping | None = None) -> Path:
    """The file under ``folder`` that the mapping's source ``source_id`` reads (the latest, by the years in its
    path, when several match). Raises FileNotFoundError naming the patterns looked for."""
    mapping = mapping or load_mapping()
    [source] = [s for s in mapping.sources if s.id == source_id]
    found = sorted(
        (p for p in folder.rglob("*") if p.is_file() and source.match(p.relative_to(folder).as_posix())),
        key=lambda p: (sorted(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", p.relative_to(folder).as_posix())), str(p)),
    )
    if not found:
        raise FileNotFoundError(f"no file under {folder} matches {[p.pattern for p in source.files]} "
                                f"(source {source_id} in mapping.yaml)")
    return found[-1]


def read_folder(folder: Path, mapping: Mapping | None = None,
                progress: Callable[[str, float], None] | None = None) -> ReadResult:
    """Every file under ``folder`` through the mapping. Cells of all files are returned unresolved (one row
    per file that gives a figure); :func:`resolve` picks, for each area, year and measure, the later release."""
    mapping = mapping or load_mapping()
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    reports, cell_parts, area_parts, problems = [], [], [], []
    for i, path in enumerate(paths):
        rel = path.relative_to(folder).as_posix()
        if progress is not None:
            progress(rel, i / max(1, len(paths)))
        report, cells, areas, found = read_file(path, rel, mapping)
        reports.append(report)
        problems.extend(found)
        if cells.height:
            cell_parts.append(cells)
            area_parts.append(areas)
    cells = pl.concat(cell_parts) if cell_parts else pl.DataFrame(schema=CELL_SCHEMA)
    areas = pl.concat(area_parts) if area_parts else pl.DataFrame(schema=AREA_SCHEMA)
    expected = set(mapping.measures)
    taken = set(cells["measure"].unique().to_list())
    if taken and expected - taken:
        # measures of a collection the folder holds but that no file gave: a file or measure went missing
        collections = {s.collection for s in mapping.sources for r in reports if r.source == s.id}
        lost = sorted(m for s in mapping.sources if s.collection in collections for m in
                      (x.name for x in s.measures) if m not in taken)
        if lost:
            problems.append(Problem("warning", str(folder), f"{len(lost)} measure(s) of the collections this folder "
                                    f"holds are in none of its files (their files are absent or could not be read): "
                                    f"{', '.join(lost)}"))
    return ReadResult(cells, areas, reports, problems)


# --- resolving releases --------------------------------------------------------------------------------------


def resolve(cells: pl.DataFrame, problems: list[Problem] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One cell per area, year and measure: the latest release's (by ``release_year``, then ``rank``).

    A later release's '' or 'z' does not replace an earlier figure. Returns (resolved cells, revisions): a
    revision is a figure an earlier release gave that a later release changed. Two different figures from the
    same release are a conflict, reported as an error.
    """
    if "rank" not in cells.columns:
        cells = cells.with_columns(pl.lit(0, pl.Int32).alias("rank"))
    key = ["area_code", "year", "measure"]
    subst = ~pl.col("cell").is_in(["", "z"])
    ordered = cells.with_columns(subst.alias("_s")).sort([*key, "_s", "release_year", "rank"])
    winners = ordered.group_by(key, maintain_order=True).last().drop("_s")
    multi = (cells.filter(subst).group_by(key).agg(pl.col("cell").n_unique().alias("n")).filter(pl.col("n") > 1)
             .select(key))
    rev_schema = {"area_code": pl.String, "year": pl.Int32, "measure": pl.String, "old_cell": pl.String,
                  "old_release": pl.String, "old_file": pl.String, "new_cell": pl.String, "new_release": pl.String,
                  "new_file": pl.String}
    revisions: list[dict[str, object]] = []
    if multi.height:
        detail = cells.filter(subst).join(multi, on=key).sort([*key, "release_year", "rank"])
        for (area, year, measure), group in detail.group_by(key, maintain_order=True):
            rows = group.to_dicts()
            last = rows[-1]
            for row in rows[:-1]:
                if row["cell"] == last["cell"]:
                    continue
                if (row["release_year"], row["rank"]) == (last["release_year"], last["rank"]):
                    if problems is not None:
                        problems.append(Problem("error", f"{row['file']} and {last['file']}",
                                                f"{measure} for {area} {year}: {row['cell']!r} and {last['cell']!r} "
                                                f"from the same release ({last['release']})", last["column"],
                                                last["label"] or ""))
                    continue
                revisions.append({"area_code": area, "year": year, "measure": measure, "old_cell": row["cell"],
                                  "old_release": row["release"], "old_file": row["file"], "new_cell": last["cell"],
                                  "new_release": last["release"], "new_file": last["file"]})
    # the same earlier figure held twice (shipped, and imported from the same release) is one revision
    out = pl.DataFrame(revisions, schema=rev_schema).unique(
        ["area_code", "year", "measure", "old_cell", "old_release", "new_cell"], keep="last", maintain_order=True)
    return winners, out


