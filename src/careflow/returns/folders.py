"""One reader of "a folder of returns", for every command that takes returns.

It recognises, for each path given (a list may mix them):

* **careflow's year folders**, as ``careflow synth`` writes them: ``2021-22/ssda903/*.csv`` and
  ``2021-22/cin_census.xml``;
* **DfE / Social Finance per-year folders**: ``2021/header.csv``, ``2021/episodes.csv`` … (the layout the Social
  Finance demand model reads; ``2021`` is the collection year ending 31 March 2021);
* **the case record's export**: ``ssda903_2025/*.csv`` and ``cin_census_2025.xml``;
* **one return**: a folder holding the files of one return (its year taken from the folder's name, e.g.
  ``la/2021-22/ssda903``, else from the return), or single files.

Each year's return is read with its own year's code lists and every row is tagged with its collection year.
Pooled years repeat a record in each return while it is open (an episode open on 31 March is returned again the
next year): the later return's version is the one that stands, and where the versions disagree (an end date or a
placement changed, not merely filled in) a warning says so.

Example:
    >>> read = read_folder("la")  # doctest: +SKIP
    >>> read.describe()  # doctest: +SKIP
    "careflow's year folders in la: 5 collection years, 2018-19 to 2022-23"
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeAlias

import polars as pl

from careflow.errors import ReturnsFolderError
from careflow.issues import Issue, Severity, count_by_severity
from careflow.returns.common import ReadResult
from careflow.tables import CareData

__all__ = ["LAYOUTS", "FolderRead", "ReturnSpec", "YearReturn", "find_returns", "read_folder", "year_label"]

PathLike: TypeAlias = str | os.PathLike[str]

#: What each layout is called when the reader says which it found.
LAYOUTS = {
    "careflow": "careflow's year folders",
    "dfe": "DfE per-year folders",
    "record": "the case record's export",
    "return": "one return",
}

_SUFFIXES = (".csv", ".xml")
_CAREFLOW_YEAR = re.compile(r"^((?:19|20)\d\d)[-_](\d\d)$")  # 2021-22
_DFE_YEAR = re.compile(r"^((?:19|20)\d\d)$")  # 2021
_RECORD_YEAR = re.compile(r"^(?:ssda903|cin_census|cin)[-_]((?:19|20)\d\d)$", re.IGNORECASE)  # ssda903_2025

# Tables that are a snapshot of each year (OC2 outcomes of children looked after 12 months, OC3 care leavers on
# their birthday): a row per child per year, not one record returned again, so every year's row is kept.
_SNAPSHOTS = frozenset({"looked_after_outcomes", "care_leavers"})
# Fields of an episode whose change between two returns is a revision (a value filled in is not).
_EPISODE_FIELDS = ("end_date", "reason_episode_ceased", "legal_status", "placement_type", "placement_provider",
                   "reason_new_episode")

EXPECTED = (
    "careflow reads year folders named like 2021-22/ (as `careflow synth` writes: 2021-22/ssda903/*.csv and "
    "2021-22/cin_census.xml) or 2021/ (DfE and Social Finance per-year folders: 2021/header.csv, "
    "2021/episodes.csv …); the case record's export (ssda903_2025/, cin_census_2025.xml); or the files of one "
    "return (SSDA903 .csv or .xml, CIN census .xml) directly in the folder"
)


def year_label(year: int) -> str:
    """The collection year as people write it: 2022 → ``2021-22``.

    Example:
        >>> year_label(2022)
        '2021-22'
    """
    return f"{year - 1}-{year % 100:02d}"


def _year_of(name: str) -> tuple[int, str] | None:
    """The collection year a file or folder name gives, and the layout it belongs to."""
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix.lower() in _SUFFIXES else name
    match = _CAREFLOW_YEAR.match(stem)
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
        return int(match.group(1)) + 1, "careflow"
    match = _DFE_YEAR.match(stem)
    if match and Path(name).suffix == "":
        return int(match.group(1)), "dfe"
    match = _RECORD_YEAR.match(stem)
    if match:
        return int(match.group(1)), "record"
    return None


@dataclass
class ReturnSpec:
    """One year's return found (not yet read): the files and folders that hold it."""

    year: int | None
    paths: list[Path]
    layout: str
    root: Path

    @property
    def label(self) -> str:
        """``2021-22``, or ``return`` when the year is not known before reading."""
        return year_label(self.year) if self.year is not None else "return"


@dataclass
class YearReturn:
    """One year's return, read."""

    spec: ReturnSpec
    result: ReadResult

    @property
    def year(self) -> int | None:
        """The collection year (ending 31 March): the layout's, else the one the reader found."""
        return self.spec.year if self.spec.year is not None else self.result.year

    @property
    def years(self) -> list[int]:
        """The collection years the return holds: its own, else those its rows carry (a pooled file's ``YEAR``)."""
        if self.year is not None:
            return [self.year]
        found: set[int] = set()
        for name in self.result.data.names():
            frame = self.result.data[name]
            if "collection_year" in frame.columns:
                found |= {int(y) for y in frame["collection_year"].drop_nulls().unique().to_list()}
        return sorted(found)


@dataclass
class FolderRead:
    """Every return read from the paths given, pooled.

    Attributes:
        layout: the layout found (a key of :data:`LAYOUTS`; several joined by ``+`` for a mixed list).
        returns: each year's return as read, oldest first.
        data: the tables of every year, each row tagged with its collection year (``collection_year``).
        issues: every issue, each year's file names prefixed with their year's folder.
        repeated: per table, how many rows were an earlier return's version of a record a later one returned.
        revised: how many records (episodes, children) the returns disagree about.
        reconciled: whether ``data`` holds only the latest version of each repeated record.
    """

    layout: str
    returns: list[YearReturn]
    data: CareData
    issues: list[Issue] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    repeated: dict[str, int] = field(default_factory=dict)
    revised: int = 0
    reconciled: bool = True

    @property
    def years(self) -> list[int]:
        """The collection years read, oldest first."""
        return sorted({y for r in self.returns for y in r.years})

    @property
    def files(self) -> list[str]:
        """Every file read."""
        return [f for r in self.returns for f in r.result.files]

    @property
    def has_errors(self) -> bool:
        """True if any issue is an error."""
        return any(i.severity is Severity.ERROR for i in self.issues)

    def counts(self) -> dict[Severity, int]:
        """Issues by severity."""
        return count_by_severity(self.issues)

    def children(self) -> int:
        """Distinct children in the returns (by local authority and child id)."""
        ids = [
            self.data[name].select(pl.col("local_authority").fill_null(""), "child_id")
            for name in self.data.names()
            if self.data[name].height and "child_id" in self.data[name].columns
        ]
        return pl.concat(ids).unique().height if ids else 0

    def episodes(self) -> int:
        """Distinct looked-after episodes (by local authority, child and start date)."""
        frame = self.data["looked_after_episodes"]
        if frame.height == 0:
            return 0
        return frame.select(pl.col("local_authority").fill_null(""), "child_id", "start_date").unique().height

    def describe(self) -> str:
        """Which layout was found where, and which years: ``careflow's year folders in la: 5 collection years,
        2018-19 to 2022-23``."""
        plural = {"return": "returns"} if len(self.returns) > 1 else {}
        names = " + ".join(plural.get(part, LAYOUTS.get(part, part)) for part in self.layout.split("+"))
        where = ", ".join(str(p) for p in self.paths)
        years = self.years
        if not years:
            span = "collection year not known"
        elif len(years) == 1:
            span = f"collection year {year_label(years[0])}"
        else:
            gaps = [year_label(y) for y in range(years[0], years[-1] + 1) if y not in years]
            span = f"{len(years)} collection years, {year_label(years[0])} to {year_label(years[-1])}"
            if gaps:
                span += f" (none for {', '.join(gaps)})"
        return f"{names} in {where}: {span}"


def _return_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES and not p.name.startswith(".")
    )


def _units(folder: Path) -> list[Path]:
    """What holds one return in a folder: the folder itself if it has return files, and each subfolder that has
    (careflow's ``2021-22/ssda903/`` beside ``2021-22/cin_census.xml``)."""
    units = [folder] if _return_files(folder) else []
    units += [sub for sub in sorted(folder.iterdir()) if sub.is_dir() and _return_files(sub)]
    return units


def _folder_year(path: Path) -> int | None:
    """The collection year a path's own name, or its parent's, gives (``la/2021-22/ssda903`` → 2022)."""
    for part in (path.name, path.parent.name):
        found = _year_of(part)
        if found is not None:
            return found[0]
    return None


def _find_one(path: Path, issues: list[Issue]) -> list[ReturnSpec]:
    if not path.exists():
        raise ReturnsFolderError(f"no such file or folder: {path}. {EXPECTED}.")
    if path.is_file():
        found = _year_of(path.name)
        year = found[0] if found else _folder_year(path.parent)
        return [ReturnSpec(year, [path], "return", path)]
    by_year: dict[int, list[Path]] = {}
    layouts: dict[int, str] = {}
    others: list[str] = []
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue
        found = _year_of(entry.name)
        if found is None or (entry.is_file() and entry.suffix.lower() not in _SUFFIXES):
            others.append(entry.name + ("/" if entry.is_dir() else ""))
            continue
        year, layout = found
        units = [entry] if entry.is_file() else _units(entry)
        if not units:
            issues.append(Issue("empty-year-folder", Severity.WARNING,
                                f"the {year_label(year)} folder holds no .csv or .xml files; no return was read for "
                                "that year.", file=entry.name))
            continue
        by_year.setdefault(year, []).extend(units)
        layouts.setdefault(year, layout)
    if by_year:
        if others:
            one = len(others) == 1
            issues.append(Issue("not-a-year", Severity.WARNING,
                                f"{', '.join(others)} beside the year folders {'is' if one else 'are'} not named for "
                                f"a collection year and {'was' if one else 'were'} not read.", file=path.name))
        return [ReturnSpec(year, by_year[year], layouts[year], path) for year in sorted(by_year)]
    units = _units(path)
    if not units:
        held = [o for o in others if o.endswith("/")]
        also = f" It holds {', '.join(held[:8])}{' …' if len(held) > 8 else ''}, none named for a collection year." \
            if held else ""
        raise ReturnsFolderError(f"{path}: no returns found.{also} {EXPECTED}.")
    return [ReturnSpec(_folder_year(path), units, "return", path)]


def find_returns(paths: PathLike | Sequence[PathLike]) -> tuple[list[ReturnSpec], list[Issue]]:
    """Find the returns under the paths given, one per collection year, without reading them.

    Returns of one year found under several paths are read together (``check la/2021-22/ssda903
    la/2021-22/cin_census.xml``); so are returns whose year is not known before reading.

    Raises:
        ReturnsFolderError: a path does not exist, or holds no returns careflow can recognise (the message says
            what was expected).
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise ReturnsFolderError(f"no returns given. {EXPECTED}.")
    issues: list[Issue] = []
    specs: list[ReturnSpec] = []
    for item in items:
        specs.extend(_find_one(Path(item), issues))
    merged: dict[int | None, ReturnSpec] = {}
    for spec in specs:
        if spec.year in merged:
            known = merged[spec.year]
            layout = known.layout if known.layout == spec.layout else "+".join(
                dict.fromkeys([*known.layout.split("+"), spec.layout]))
            merged[spec.year] = ReturnSpec(spec.year, known.paths + spec.paths, layout, known.root)
        else:
            merged[spec.year] = spec
    ordered = sorted(merged.values(), key=lambda s: (s.year is None, s.year or 0))
    return ordered, issues


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root if root.is_dir() else root.parent))
    except ValueError:
        return path.name


def _locate(result: ReadResult, spec: ReturnSpec) -> list[Issue]:
    """Issues name a file by its name alone; with several years, say which year's file (``2021-22/ssda903/
    episodes.csv``)."""
    where: dict[str, str] = {}
    for file in result.files:
        path = Path(file)
        where.setdefault(path.name, _relative(path, spec.root))
    prefix = f"{spec.label}: " if spec.year is not None else ""
    out = []
    for issue in result.issues:  # Issue(...) rather than dataclasses.replace: a return can have thousands of issues
        located = where.get(issue.file) if issue.file is not None else None
        if located is not None and located != issue.file:
            out.append(Issue(issue.code, issue.severity, issue.message, located, issue.row, issue.element,
                             issue.field, issue.value, issue.table))
        elif issue.file is None and prefix:
            out.append(Issue(issue.code, issue.severity, prefix + issue.message, issue.file, issue.row, issue.element,
                             issue.field, issue.value, issue.table))
        else:
            out.append(issue)
    return out


def _skip_collections(spec: ReturnSpec, collections: Collection[str], issues: list[Issue]) -> ReturnSpec:
    """Leave out the units that hold only returns of collections not asked for (a CIN census for a forecast)."""
    from careflow.returns.detect import detect

    kept = []
    for unit in spec.paths:
        files = [unit] if unit.is_file() else _return_files(unit)
        kinds = {detect(f) for f in files}
        if kinds and kinds.isdisjoint(collections):
            issues.append(Issue("not-needed", Severity.INFO,
                                f"{_relative(unit, spec.root)} holds no {' or '.join(sorted(collections))} return "
                                "and was not read.", file=unit.name))
            continue
        kept.append(unit)
    return replace(spec, paths=kept)


def _tag(data: CareData, year: int | None) -> CareData:
    if year is None:
        return data
    out = CareData()
    for name in data.names():
        frame = data[name]
        if "collection_year" in frame.columns:
            if frame["collection_year"].null_count() == frame.height:  # a return without YEAR: the year throughout
                years = pl.Series("collection_year", [year] * frame.height, dtype=pl.Int16)  # no query: ~20 µs
                frame = frame.clone()  # a new frame (sharing the columns): the return's own stays as it was read
                frame.replace_column(frame.get_column_index("collection_year"), years)
            else:
                frame = frame.with_columns(pl.col("collection_year").fill_null(pl.lit(year, dtype=pl.Int16)))
        out[name] = frame
    return out


def read_folder(
    paths: PathLike | Sequence[PathLike],
    *,
    year: int | None = None,
    reconcile: bool = True,
    collections: Collection[str] | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> FolderRead:
    """Read every return under ``paths`` (see the module's docstring for the layouts), each year with its own
    year's code lists, pooled into one set of tables with every row tagged with its collection year.

    Args:
        paths: a folder, a file, or a list of them.
        year: the collection year (ending 31 March) of a return given as one folder or files (it overrides a year
            the folder's name gives); year folders keep their own years. ``None`` lets the reader decide.
        reconcile: keep only the latest return's version of a record several years returned (an episode open on
            31 March is in that year's return and the next). ``False`` keeps every year's rows, for a caller that
            needs what each return said (a back-test fitted on the returns known at a date).
        collections: read only these collections (``{"ssda903"}`` for a forecast); the others are noted and not
            read.
        progress: a callback ``(step, fraction)`` called before each year's return is read.

    Returns:
        A :class:`FolderRead`. Data problems are issues, as every reader's are.

    Raises:
        ReturnsFolderError: a path does not exist or holds no return careflow can recognise.
    """
    from careflow.returns.detect import read_return

    specs, issues = find_returns(paths)
    if year is not None:  # the year given is that of a return named alone; year folders keep their own
        specs = [replace(s, year=year) if s.layout == "return" else s for s in specs]
    if collections is not None:
        specs = [s for s in (_skip_collections(s, collections, issues) for s in specs) if s.paths]
        if not specs:
            raise ReturnsFolderError(
                f"{', '.join(str(p) for p in _as_list(paths))}: no {' or '.join(sorted(collections))} return found "
                f"(only other collections). {EXPECTED}.")
    returns: list[YearReturn] = []
    tables: dict[str, list[pl.DataFrame]] = {}
    for i, spec in enumerate(specs):
        if progress is not None:
            progress(spec.label, i / len(specs))
        result = read_return(spec.paths, year=spec.year)
        read = YearReturn(spec, result)
        returns.append(read)
        issues.extend(_locate(result, spec) if len(specs) > 1 else result.issues)
        tagged = _tag(result.data, read.year)
        for name in tagged.names():
            tables.setdefault(name, []).append(tagged[name])
    data = CareData({name: pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]
                     for name, frames in tables.items()})
    repeated, revised = _reconcile_report(data, issues)
    if reconcile and repeated:
        data = _latest(data)
        issues.append(Issue("repeated-across-years", Severity.INFO,
                            f"{sum(repeated.values()):,} rows repeat a record an earlier year's return held "
                            f"({', '.join(f'{n} {k}' for k, n in repeated.items())}); the latest return's version "
                            "was kept."))
    if progress is not None:
        progress("done", 1.0)
    layout = "+".join(dict.fromkeys(part for s in specs for part in s.layout.split("+")))
    return FolderRead(layout, returns, data, issues, [Path(p) for p in _as_list(paths)], repeated, revised,
                      reconcile)


def _as_list(paths: PathLike | Sequence[PathLike]) -> list[PathLike]:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


def _keyed(name: str, frame: pl.DataFrame) -> list[str] | None:
    """The columns that identify a record returned again in a later year, or None when rows are per year."""
    from careflow.tables.schema import SCHEMAS

    schema = SCHEMAS.get(name)
    if schema is None or not schema.key or name in _SNAPSHOTS or frame.height == 0:
        return None
    if "collection_year" not in frame.columns or frame["collection_year"].n_unique() < 2:
        return None
    if any(k not in frame.columns for k in schema.key):
        return None
    return ["_la", *schema.key]


def _with_latest(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return _marked(frame, key).collect(engine="in-memory")


def _marked(frame: pl.DataFrame, key: list[str]) -> pl.LazyFrame:
    """The rows with ``_la`` (the local authority, blank if none) and ``_latest`` (the latest year that returned
    the same record)."""
    return frame.lazy().with_columns(pl.col("local_authority").fill_null("").alias("_la")).with_columns(
        pl.col("collection_year").max().over(key).alias("_latest"))


def _latest(data: CareData) -> CareData:
    """One version of each record: the latest year's (rows without a year are kept)."""
    out = CareData()
    for name in data.names():
        frame = data[name]
        key = _keyed(name, frame)
        if key is not None:
            frame = _with_latest(frame, key).filter(
                pl.col("collection_year").is_null() | (pl.col("collection_year") == pl.col("_latest"))
            ).drop("_la", "_latest")
        out[name] = frame
    return out


def _reconcile_report(data: CareData, issues: list[Issue]) -> tuple[dict[str, int], int]:
    """How many rows are earlier versions of a record a later year returned; a warning for each episode or child
    whose versions disagree."""
    repeated: dict[str, int] = {}
    revised = 0
    for name in data.names():
        frame = data[name]
        key = _keyed(name, frame)
        if key is None:
            continue
        if frame["local_authority"].null_count() == frame.height:
            key = key[1:]  # _la is blank on every row: grouping, sorting and comparing on it would change nothing
        # How many rows an earlier year returned and the versions that differ, in one call into polars (the
        # comparison finds nothing when no row was returned again, and is then not used).
        lazy = _marked(frame, key)
        fields = {"looked_after_episodes": _EPISODE_FIELDS, "children": ("date_of_birth",)}.get(name)
        counting = lazy.select((pl.col("collection_year") < pl.col("_latest")).sum())
        if fields is None:
            earlier = int(counting.collect(engine="in-memory").item())
            compared = None
        else:
            counted, compared = pl.collect_all([counting, _compared(frame, lazy, key, fields)], engine="in-memory")
            earlier = int(counted.item())
        if earlier:
            repeated[name] = earlier
        if compared is not None and earlier:
            code = "episode-revised" if name == "looked_after_episodes" else "child-revised"
            revised += _revisions(compared, fields or (), code, issues, name)
    return repeated, revised


def _compared(frame: pl.DataFrame, marked: pl.LazyFrame, key: list[str], fields: tuple[str, ...]) -> pl.LazyFrame:
    """Each year's version of a record beside the next year's, where a value changed (not one filled in, nor a
    code the code lists replaced)."""
    fields = tuple(f for f in fields if f in frame.columns)
    # Only the columns compared or shown: sorting the others too would cost most of the time.
    versions = (marked.select(list(dict.fromkeys([*key, "collection_year", *fields])))
                .filter(pl.col("collection_year").is_not_null())
                .unique(subset=[*key, "collection_year"], keep="last")  # a child in both returns of one year
                # One version per key and year, so the order is the same either way; on one thread a
                # return's few thousand rows sort in two thirds of the time.
                .sort([*key, "collection_year"], multithreaded=frame.height > 100_000))
    if _may_recode(frame, fields):
        versions = _recoded_to_next(versions.collect(engine="in-memory"), key, fields).lazy()
    same = pl.all_horizontal(pl.col(k) == pl.col(k).shift(-1) for k in key).fill_null(False)
    changed = [
        (pl.col(f).is_not_null() & (pl.col(f).shift(-1).is_null() | (pl.col(f) != pl.col(f).shift(-1))))
        .fill_null(False).alias(f"_changed_{f}")
        for f in fields
    ]
    return versions.with_columns(
        *changed, *(pl.col(f).shift(-1).alias(f"_next_{f}") for f in fields),
        pl.col("collection_year").shift(-1).alias("_next_year"),
    ).filter(same & pl.any_horizontal(pl.col(f"_changed_{f}") for f in fields))


def _revisions(compared: pl.DataFrame, fields: tuple[str, ...], code: str, issues: list[Issue], table: str) -> int:
    """A warning for each version of a record that the next year's return changed (see :func:`_compared`)."""
    fields = tuple(f for f in fields if f in compared.columns)
    for row in compared.iter_rows(named=True):
        what = "; ".join(
            f"{f} {_show(row[f])} → {_show(row[f'_next_{f}'])}" for f in fields if row[f"_changed_{f}"]
        )
        thing = f"the episode starting {row['start_date']}" if "start_date" in row else "the child's record"
        y0, y1 = int(row["collection_year"]), int(row["_next_year"])
        issues.append(Issue(
            code, Severity.WARNING,
            f"child {row['child_id']}: {thing} differs between the {year_label(y0)} and {year_label(y1)} returns "
            f"({what}); the {year_label(y1)} return's version stands.",
            table=table, field=",".join(f for f in fields if row[f"_changed_{f}"]),
        ))
    return compared.height


def _show(value: object) -> str:
    return "(blank)" if value is None else str(value)


def _may_recode(frame: pl.DataFrame, fields: tuple[str, ...]) -> bool:
    """Whether recoding could change a version: some field is coded, and some year of the rows (the years versions
    are brought up to are among them) has code lists. When not, the comparison runs as one query."""
    from careflow import codes

    if not any(frame.schema[f] == pl.String for f in fields):
        return False
    held = {int(y) for y in codes.years("ssda903")}
    return bool(held.intersection(frame["collection_year"].drop_nulls().unique().to_list()))


def _recoded_to_next(versions: pl.DataFrame, key: list[str], fields: tuple[str, ...]) -> pl.DataFrame:
    """Each version's codes as the next year's lists have them (``H5`` became ``K3`` in 2025-26): a code list
    changing is not the return changing its mind."""
    from careflow.tables import recode_for_year

    coded = [f for f in fields if versions.schema[f] == pl.String]
    if not coded:
        return versions
    same = pl.all_horizontal(pl.col(k) == pl.col(k).shift(-1) for k in key).fill_null(False)
    versions = versions.with_row_index("_i").with_columns(
        pl.when(same).then(pl.col("collection_year").shift(-1)).otherwise(None).alias("_to"))
    parts = [versions.filter(pl.col("_to").is_null() | (pl.col("_to") == pl.col("collection_year")))]
    for (to,), part in versions.filter(
            pl.col("_to").is_not_null() & (pl.col("_to") != pl.col("collection_year"))).group_by("_to"):
        recoded, _ = recode_for_year(CareData({"looked_after_episodes": part.select(coded)}), int(to))
        parts.append(part.with_columns(recoded["looked_after_episodes"].select(coded)))
    return pl.concat(parts, how="vertical_relaxed").sort("_i").drop("_i", "_to")
