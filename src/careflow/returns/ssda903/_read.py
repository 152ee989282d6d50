"""Reading SSDA903 returns (CSV tables or one XML file) into canonical tables, with every issue found."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeAlias

import polars as pl

from careflow import codes
from careflow.errors import CareflowError
from careflow.issues import Issue, Severity
from careflow.returns.common import ReadResult, decode
from careflow.returns.ssda903._csv import split_csv
from careflow.returns.ssda903._layout import LAYOUTS, PROVENANCE_FIELDS, Layout
from careflow.returns.ssda903._parse import LOCATION_COLUMNS, RawTable, parse
from careflow.returns.ssda903._xml import ROOT, read_xml, root_tag
from careflow.tables import CareData, Source, schema, validate

__all__ = ["PathLike", "SourceLike", "expand", "read_files", "read_ssda903", "recognise"]

PathLike: TypeAlias = str | os.PathLike[str]
SourceLike: TypeAlias = PathLike | Sequence[PathLike]

_SUFFIXES = (".csv", ".xml")
# Marks a per-row file name inside Source.elements when one table comes from several files.
_MARK = "\x1f"
# How validation names another row of an in-memory table ("first at row index 3", "(line/row 3)").
_INDEX = re.compile(r"(first at |\()(?:row index|line/row) (\d+)")
#: How much more a table whose name matches the file name scores (columns decide; the name breaks ties).
_NAME_HINT = 0.5


def read_ssda903(source: SourceLike, *, year: int | None = None, strict: bool = False) -> ReadResult:
    """Read an SSDA903 return into canonical tables, reporting every problem found.

    Args:
        source: a folder, one file, or a list of files and folders. CSV files are recognised by their columns
            (the file name breaks ties); an XML file must have the root ``<EXPSSDA903>``. Pooled files may
            add ``LA`` and ``YEAR`` columns, read into ``local_authority`` and ``collection_year``.
        year: the collection year (ending 31 March; 2025 is 2024-25) whose code lists apply to rows without
            a ``YEAR`` of their own. ``None`` accepts a code valid in any year careflow knows.
        strict: raise :class:`~careflow.errors.ReturnFormatError` listing every error, if there is any.

    Returns:
        The tables and the issues. Values that cannot be read (a date like ``31/02/2024``, ``SDQ_SCORE`` of
        ``'high'``) are null in the tables and reported; rows are never dropped except wholly empty ones
        (reported as a note).

    Example:
        >>> result = read_ssda903("returns/2024-25/")  # doctest: +SKIP
        >>> result.data["looked_after_episodes"].height, len(result.issues)  # doctest: +SKIP
        (5050, 12)
    """
    issues: list[Issue] = []
    result = read_files(expand(source, issues), year=year, issues=issues)
    return result.raise_for_errors() if strict else result


def read_files(
    paths: list[tuple[Path, bool]], *, year: int | None = None, issues: list[Issue] | None = None
) -> ReadResult:
    """Read SSDA903 files, each with whether it was named explicitly (a file found by listing a folder that is
    not an SSDA903 file is a warning, not an error). ``issues`` found beforehand lead the result's issues."""
    issues = list(issues or [])
    names = _display_names(paths)
    raws: list[RawTable] = []
    read: list[str] = []
    for path, explicit in paths:
        name = names[path]
        try:
            file_raws, file_issues = _read_file(path, name, explicit)
        except Exception as exc:  # one bad file must not stop the others being read
            file_raws, file_issues = [], [_internal(name, exc)]
        raws.extend(file_raws)
        issues.extend(file_issues)
        read.append(str(path))
    data, sources, parse_issues = _tables(raws)
    issues.extend(parse_issues)
    if year is None:
        year, note = _infer_year(data)
        episodes = sources.get("looked_after_episodes")
        issues.extend(replace(i, file=episodes.file if episodes else None) for i in note)
    issues.extend(_without_echoes(_validate(data, year, sources), parse_issues, sources))
    return ReadResult(data, issues, read, "ssda903", year if year is not None else _single_year(data))


def _internal(name: str, exc: Exception) -> Issue:
    return Issue(
        "unreadable-file",
        Severity.ERROR,
        f"could not be read ({type(exc).__name__}: {exc}). This is a careflow bug or a file unlike any SSDA903 "
        "file; the other files were still read. Please report it with the file's first lines.",
        file=name,
    )


def expand(source: SourceLike, issues: list[Issue]) -> list[tuple[Path, bool]]:
    """The files to read, each with whether it was named explicitly (not found by listing a folder).

    A folder contributes its ``.csv`` and ``.xml`` files, sorted by name. If it holds both CSV and XML, the
    same return is probably there twice: its CSV files are read and its XML files are skipped (reported).
    """
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    out: list[tuple[Path, bool]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in _SUFFIXES and not p.name.startswith(".")
            )
            csvs = [p for p in found if p.suffix.lower() == ".csv"]
            xmls = [p for p in found if p.suffix.lower() == ".xml"]
            if csvs and xmls:
                issues.append(
                    Issue(
                        "mixed-formats",
                        Severity.WARNING,
                        f"the folder holds both CSV and XML files; the CSV files were read and "
                        f"{', '.join(p.name for p in xmls)} skipped. Name the files to read them all.",
                        file=path.name,
                    )
                )
                found = csvs
            if not found:
                issues.append(
                    Issue("no-files", Severity.ERROR, "the folder holds no .csv or .xml files.", file=path.name)
                )
            out.extend((p, False) for p in found)
        elif path.is_file():
            out.append((path, True))
        else:
            issues.append(Issue("file-not-found", Severity.ERROR, f"no such file or folder: {path}", file=path.name))
    if not items:
        issues.append(Issue("no-files", Severity.ERROR, "no files were given to read."))
    return out


def _display_names(paths: list[tuple[Path, bool]]) -> dict[Path, str]:
    """Each file's name, or ``folder/name`` where two files share a name."""
    counts: dict[str, int] = {}
    for path, _ in paths:
        counts[path.name] = counts.get(path.name, 0) + 1
    return {path: (path.name if counts[path.name] == 1 else f"{path.parent.name}/{path.name}") for path, _ in paths}


def _read_file(path: Path, name: str, explicit: bool) -> tuple[list[RawTable], list[Issue]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Issue("unreadable-file", Severity.ERROR, f"could not be opened: {exc.strerror}.", file=name)]
    if not raw.strip():
        return [], [Issue("empty-file", Severity.WARNING, "is empty: there was nothing to read.", file=name)]
    tag = root_tag(raw)
    if path.suffix.lower() == ".xml" or tag is not None:
        if tag not in (ROOT, None):
            severity = Severity.ERROR if explicit else Severity.WARNING
            kind = " (a CIN census, which read_return or read_cin_census reads)" if tag == "Message" else ""
            return [], [
                Issue(
                    "unknown-file",
                    severity,
                    f"is XML with root <{tag}>{kind}, not an SSDA903 return (<{ROOT}>); it was not read.",
                    file=name,
                )
            ]
        return read_xml(raw, name)
    return _read_csv(raw, name, path.stem, explicit)


def recognise(columns: Sequence[str], file_stem: str = "") -> tuple[Layout | None, str]:
    """Which SSDA903 table a CSV file holds, from its columns (the file name breaks ties).

    Returns:
        The table's layout, or ``None`` and why not.

    Example:
        >>> recognise(["CHILD", "SEX", "DOB", "DUC"])[0].key
        'uasc'
        >>> recognise(["CHILD", "DOB"], "reviews_2024")[0].key
        'reviews'
    """
    columns_set = {c for c in columns if c} - set(PROVENANCE_FIELDS)
    stem = file_stem.lower()
    scored: list[tuple[float, int, Layout]] = []
    for layout in LAYOUTS:
        names = set(layout.names)
        matched = len(columns_set & names)
        hint = max((len(a) for a in layout.aliases if a in stem), default=0)
        if matched >= 2 or (matched and hint):
            score = matched / len(columns_set | names) + (_NAME_HINT if hint else 0.0)
            scored.append((score, hint, layout))
    if not scored:
        return None, "its columns match no SSDA903 table"
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        tied = [s[2].key for s in scored if s[:2] == scored[0][:2]]
        return None, (
            f"its columns fit {' and '.join(tied)} equally well; name the file after its table "
            f"(e.g. {tied[0]}.csv) or add the table's other columns"
        )
    return scored[0][2], ""


def _expected(layout: Layout) -> str:
    return f"the SSDA903 {layout.key} columns are {', '.join(layout.names)}"


def _read_csv(raw: bytes, name: str, stem: str, explicit: bool) -> tuple[list[RawTable], list[Issue]]:
    text, issues = decode(raw, name)
    utf8 = None if issues else (raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    split = split_csv(text, name, utf8)
    if not split.header:
        return [], [*issues, Issue("empty-file", Severity.WARNING, "is empty: there was nothing to read.", file=name)]
    header = [h.upper() for h in split.header]
    layout, why = recognise(header, stem)
    if layout is None:
        examples = "; ".join(f"{lay.key}: {', '.join(lay.names)}" for lay in LAYOUTS[:2])
        separated = next((label for sep, label in ((";", "semicolons"), ("\t", "tabs")) if sep in split.header[0]), "")
        if len(header) == 1 and separated:
            why += f" (its values look separated by {separated}; SSDA903 CSV files use commas)"
        issues.append(
            Issue(
                "unknown-table",
                Severity.ERROR if explicit else Severity.WARNING,
                f"is not an SSDA903 table that careflow knows: {why}. Its columns are "
                f"{', '.join(h or '(blank)' for h in header)} (expected e.g. {examples}). It was not read.",
                file=name,
                row=1,
            )
        )
        return [], issues
    issues.extend(split.issues)
    frame = split.frame
    known = set(layout.names) | set(PROVENANCE_FIELDS)
    keep: dict[str, str] = {}  # column_i -> field name
    for i, column_name in enumerate(header):
        position = f"column_{i}"
        if column_name in known and column_name not in keep.values():
            keep[position] = column_name
            continue
        values = frame.select(pl.col(position).str.strip_chars(), "_line").filter(pl.col(position).str.len_bytes() > 0)
        if column_name in known:
            issues.append(
                Issue(
                    "duplicate-column",
                    Severity.WARNING,
                    f"column {column_name} appears twice (again at position {i + 1}); the first was read and this "
                    f"one ({values.height} values) was not.",
                    file=name,
                    row=1,
                    field=column_name,
                )
            )
        elif column_name or values.height:
            example = f", e.g. {values[0, 0]!r} on line {values[0, 1]}" if values.height else ""
            issues.append(
                Issue(
                    "extra-column",
                    Severity.WARNING,
                    f"column {column_name or f'{i + 1} (no name)'} is not part of the SSDA903 {layout.key} table; "
                    f"its {values.height} value{'' if values.height == 1 else 's'}{example} "
                    f"{'was' if values.height == 1 else 'were'} not read "
                    f"({_expected(layout)}).",
                    file=name,
                    row=1,
                    field=column_name or None,
                    value=values[0, 0] if values.height else None,
                    table=layout.table,
                )
            )
    missing = [f for f in layout.names if f not in keep.values()]
    if missing:
        issues.append(
            Issue(
                "missing-column",
                Severity.ERROR,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} ({_expected(layout)}); "
                f"{'their' if len(missing) > 1 else 'its'} values were read as empty.",
                file=name,
                row=1,
                field=", ".join(missing),
                table=layout.table,
            )
        )
    # The columns kept, renamed, without a query (a query costs more to plan than to run on a return's rows).
    kept = [frame.get_column(p).alias(f) for p, f in keep.items()]
    frame = pl.DataFrame([*kept, frame.get_column("_line")])
    fields = list(keep.values())
    # A row is empty when every field is; in a clean file (empty values are null) a field without nulls (most
    # often CHILD) shows there is none, from the null counts each column keeps.
    if fields and not (split.is_clean and any(column.null_count() == 0 for column in kept)):
        if split.is_clean:
            empty = pl.all_horizontal([pl.col(f).is_null() for f in fields])
        else:
            empty = pl.all_horizontal([pl.col(f).is_null() | (pl.col(f).str.strip_chars() == "") for f in fields])
        count, first = frame.select(empty.sum(), pl.col("_line").filter(empty).first()).row(0)
        if count:
            frame = frame.filter(~empty)
            issues.append(
                Issue(
                    "empty-rows",
                    Severity.INFO,
                    f"{count} empty row{'s' if count > 1 else ''} (first on line {first}) skipped.",
                    file=name,
                    row=int(first),
                )
            )
    return [RawTable(layout, name, frame, present=fields, is_clean=split.is_clean)], issues


def _tables(raws: list[RawTable]) -> tuple[CareData, dict[str, Source], list[Issue]]:
    """Parse the raw tables, join those of one table from several files, and say where each row came from."""
    issues: list[Issue] = []
    parsed: dict[str, list[tuple[pl.DataFrame, RawTable]]] = {}
    for raw in raws:
        frame, found = parse(raw)
        issues.extend(found)
        parsed.setdefault(raw.layout.table, []).append((frame, raw))
    data = CareData()
    sources: dict[str, Source] = {}
    for layout in LAYOUTS:
        if layout.table not in parsed:
            continue
        parts = parsed[layout.table]
        frame = pl.concat([p for p, _ in parts], how="vertical") if len(parts) > 1 else parts[0][0]
        files = list(dict.fromkeys(raw.file for _, raw in parts))
        if len(files) > 1:
            issues.append(
                Issue(
                    "several-files",
                    Severity.INFO,
                    f"{layout.table} was read from {len(files)} files ({', '.join(files)}); their rows were joined "
                    "in that order.",
                    table=layout.table,
                )
            )
        data[layout.table] = frame[[c for c in frame.columns if c not in LOCATION_COLUMNS]]  # not drop: a query
        sources[layout.table] = _source(frame, files, layout, xml=all(raw.xml for _, raw in parts))
    return data, sources, issues


def _source(frame: pl.DataFrame, files: list[str], layout: Layout, *, xml: bool) -> Source:
    fields = layout.return_names(xml=xml)
    lines: list[Any] | None = frame["_line"].to_list() if frame["_line"].null_count() < frame.height else None
    has_elements = frame["_element"].null_count() < frame.height
    if len(files) == 1:
        elements = frame["_element"].to_list() if has_elements else None
        return Source(file=files[0], rows=lines, elements=elements, fields=fields)
    marked = (
        frame.select(pl.lit(_MARK) + pl.col("_file") + pl.lit(_MARK) + pl.col("_element").fill_null(""))
        .to_series()
        .to_list()
    )
    return Source(file=None, rows=lines, elements=marked, fields=fields)


def _unmark(issue: Issue, sources: dict[str, Source]) -> Issue:
    """Put the file back where it belongs on an issue about a table read from several files, and name XML
    elements where validation could only give a row's index (XML rows have no line)."""
    source = sources.get(issue.table or "")
    if source is not None and source.rows is None and source.elements is not None:
        elements = source.elements

        def element_at(match: re.Match[str]) -> str:
            index = int(match.group(2))
            shown = elements[index] if 0 <= index < len(elements) else None
            if shown is None:
                return match.group(0)
            file, _, path = shown.lstrip(_MARK).partition(_MARK) if shown.startswith(_MARK) else ("", "", shown)
            return f"{match.group(1)}{f'{file} ' if file else ''}{path}"

        issue = replace(issue, message=_INDEX.sub(element_at, issue.message))
    if issue.element is None or not issue.element.startswith(_MARK):
        return issue
    _, file, element = issue.element.split(_MARK, 2)
    return replace(issue, file=file, element=element or None)


_UNREADABLE = ("date-format", "not-a-number", "not-a-flag")


def _without_echoes(found: list[Issue], parsed: list[Issue], sources: dict[str, Source]) -> list[Issue]:
    """Validation issues less those that only repeat a value already reported as unreadable.

    A DECOM of ``31/02/2024`` is reported as ``date-format``; validation then sees a null DECOM and would add
    ``missing-value`` for the same cell, and ``duplicate-key`` if the child has another unreadable DECOM.
    """
    bad = {(i.file, i.row, i.element, i.field) for i in parsed if i.code in _UNREADABLE}
    if not bad:
        return found
    out = []
    for issue in found:
        where = (issue.file, issue.row, issue.element)
        if issue.code == "missing-value" and (*where, issue.field) in bad:
            continue
        if issue.code in ("duplicate-key", "duplicate-child") and issue.table in sources:
            fields = sources[issue.table].fields
            if any((*where, fields.get(k, k)) in bad for k in schema(issue.table).key):
                continue
        out.append(issue)
    return out


def _codes_ready() -> str | None:
    """None if the code lists can be used; otherwise why not."""
    try:
        from careflow import codes

        if not codes.years("ssda903"):
            return "careflow holds no SSDA903 code lists"
    except (ImportError, CareflowError, KeyError) as exc:
        return str(exc) or type(exc).__name__
    return None


def _dfe_rules(data: CareData, year: int | None, sources: dict[str, Source]) -> list[Issue]:
    """DfE's validation rules careflow checks itself (careflow.returns.dfe_rules), for a known collection year."""
    if year is None:
        return []
    from careflow.returns.dfe_rules import issue_code, ssda903_groups

    out: list[Issue] = []
    nowhere = Source()
    for rule, table, column, message, indices, values in ssda903_groups(data, year):
        shown = None if values is None else [v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in values]
        out += sources.get(table, nowhere).issues(table, indices, column, issue_code(rule), Severity.ERROR,
                                                  f"DfE rule {rule}: {message}", shown)
    return out


def _validate(data: CareData, year: int | None, sources: dict[str, Source]) -> list[Issue]:
    notes: list[Issue] = []
    why = _codes_ready()
    if why is None:
        try:
            return [_unmark(i, sources) for i in validate(data, year=year, sources=sources)] + _dfe_rules(
                data, year, sources)
        except (CareflowError, KeyError) as exc:
            why = str(exc) or type(exc).__name__
    notes.append(
        Issue(
            "codes-not-checked",
            Severity.INFO,
            f"codes (RNE, LS, PLACE, REC, …) were not checked against the code lists: {why}.",
        )
    )
    try:
        return notes + [_unmark(i, sources) for i in validate(data, year=year, sources=sources, check_codes=False)]
    except Exception as exc:  # the tables were read; a failure to check them must not lose them
        return [
            *notes,
            Issue(
                "not-validated",
                Severity.ERROR,
                f"the tables were read but could not be checked ({type(exc).__name__}: {exc}); this is a careflow "
                "bug, please report it.",
            ),
        ]


def _infer_year(data: CareData) -> tuple[int | None, list[Issue]]:
    """The collection year of a single-year return without a YEAR column: the year whose 31 March follows the
    latest date the return holds (an SSDA903 return holds nothing after its 31 March). Codes are then judged
    against that year's lists; pooled returns (with YEAR) and years careflow holds no lists for are not."""
    if any(data[name]["collection_year"].null_count() < data[name].height for name in data.names()):
        return None, []
    latest = [
        data[name][column].max()
        for name, column in (
            ("looked_after_episodes", "start_date"),
            ("looked_after_episodes", "end_date"),
            ("looked_after_reviews", "review_date"),
            ("missing_episodes", "start_date"),
        )
        if name in data and data[name].height
    ]
    dates = [d for d in latest if isinstance(d, dt.date)]
    if not dates:
        return None, []
    inferred = codes.CollectionYear.of_date(max(dates))
    if inferred not in codes.years("ssda903"):
        return None, []
    note = Issue(
        "year-inferred",
        Severity.INFO,
        f"collection year taken as {inferred.label} from the latest date in the return "
        f"({max(dates).strftime('%d/%m/%Y')}); codes are checked against that year's lists. "
        "Give the year (careflow check --year, read_ssda903(year=)) to set it.",
    )
    return int(inferred), [note]


def _single_year(data: CareData) -> int | None:
    years: set[int] = set()
    for name in data.names():
        years.update(y for y in data[name]["collection_year"].unique().to_list() if y is not None)
    return years.pop() if len(years) == 1 else None
