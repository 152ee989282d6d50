"""Read any return careflow knows: look at the files and hand them to the SSDA903 or the CIN census reader.

* ``.csv`` files and XML with the root ``<EXPSSDA903>`` are SSDA903 (children looked after);
* XML with the root ``<Message>`` whose ``<Collection>`` is ``CIN`` (or that holds ``<Children>``) is a CIN census.

Other files are reported (an error if named, a warning if found by listing a folder) and not read.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

import polars as pl

from careflow.issues import Issue, Severity
from careflow.returns.common import ReadResult
from careflow.tables import CareData

__all__ = ["detect", "read_return"]

PathLike: TypeAlias = str | os.PathLike[str]

_SUFFIXES = (".csv", ".xml")
_COLLECTION = re.compile(r"<(?:\w+:)?Collection>\s*([^<\s]+)\s*</")


def detect(path: Path) -> str | None:
    """Which return a file holds: ``"ssda903"``, ``"cin"``, or ``None`` (with a reason kept for the issue).

    Example:
        >>> detect(Path("episodes.csv"))
        'ssda903'
    """
    kind, _ = _detect(path)
    return kind


def _detect(path: Path) -> tuple[str | None, str]:
    if path.suffix.lower() == ".csv":
        return "ssda903", ""
    from careflow.returns.ssda903._xml import ROOT, root_tag

    try:
        with path.open("rb") as handle:
            head = handle.read(16384)
    except OSError as exc:
        return None, f"could not be opened: {exc.strerror}"
    tag = root_tag(head)
    if tag == ROOT:
        return "ssda903", ""
    if tag == "Message":
        text = head.decode("utf-8", errors="replace")
        match = _COLLECTION.search(text)
        collection = match.group(1) if match else None
        if collection == "CIN" or (collection is None and "<Children" in text):
            return "cin", ""
        what = {"CSWW": "a children's social work workforce census"}.get(collection or "", "a DfE return")
        return None, (f"is {what} (<Message>, Collection {collection or 'not given'}), which careflow does not read")
    if tag is None:
        return None, "is neither CSV nor XML"
    return None, f"is XML with root <{tag}>, neither an SSDA903 return (<{ROOT}>) nor a CIN census (<Message>)"


def _expand(paths: PathLike | Sequence[PathLike], issues: list[Issue]) -> list[tuple[Path, bool]]:
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out: list[tuple[Path, bool]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out.extend(
                (p, False)
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in _SUFFIXES and not p.name.startswith(".")
            )
        elif path.is_file():
            out.append((path, True))
        else:
            issues.append(Issue("file-not-found", Severity.ERROR, f"no such file or folder: {path}", file=path.name))
    if not out and not issues:
        issues.append(Issue("no-files", Severity.ERROR, "no .csv or .xml files were found to read."))
    return out


def read_return(paths: PathLike | Sequence[PathLike], *, year: int | None = None, strict: bool = False) -> ReadResult:
    """Read SSDA903 and CIN census files, whichever they are, into one result.

    Args:
        paths: a file, a folder, or a list of them.
        year: the collection year (ending 31 March) whose code lists apply; ``None`` lets each reader decide.
        strict: raise :class:`~careflow.errors.ReturnFormatError` listing every error, if there is any.

    Returns:
        One :class:`ReadResult`. Its ``collection`` is ``"ssda903"``, ``"cin"``, or ``"ssda903+cin"`` when both
        were read (their tables side by side; a child in both returns has a ``children`` row from each).

    Example:
        >>> result = read_return(["returns/2024-25/"])  # doctest: +SKIP
        >>> result.collection  # doctest: +SKIP
        'ssda903'
    """
    issues: list[Issue] = []
    files = _expand(paths, issues)
    ssda903: list[tuple[Path, bool]] = []
    cin: list[Path] = []
    for path, explicit in files:
        kind, why = _detect(path)
        if kind == "ssda903":
            ssda903.append((path, explicit))
        elif kind == "cin":
            cin.append(path)
        else:
            severity = Severity.ERROR if explicit else Severity.WARNING
            issues.append(Issue("unknown-file", severity, f"{why}; it was not read.", file=path.name))
    ssda903 = _one_format_per_folder(ssda903, issues)
    results: list[ReadResult] = []
    if ssda903:
        from careflow.returns.ssda903._read import read_files

        results.append(read_files(ssda903, year=year))
    for path in cin:
        results.append(_read_cin(path, year))
    result = _combine(results, issues)
    return result.raise_for_errors() if strict else result


def _one_format_per_folder(files: list[tuple[Path, bool]], issues: list[Issue]) -> list[tuple[Path, bool]]:
    """In a folder listed (not files named), SSDA903 as CSV and as XML is the same return twice: keep the CSV."""
    folders: dict[Path, set[str]] = {}
    for path, explicit in files:
        if not explicit:
            folders.setdefault(path.parent, set()).add(path.suffix.lower())
    mixed = {folder for folder, suffixes in folders.items() if len(suffixes) > 1}
    if not mixed:
        return files
    kept = []
    for folder in sorted(mixed):
        skipped = [
            p.name for p, explicit in files if not explicit and p.parent == folder and p.suffix.lower() == ".xml"
        ]
        issues.append(
            Issue(
                "mixed-formats",
                Severity.WARNING,
                f"the folder holds SSDA903 as both CSV and XML; the CSV files were read and {', '.join(skipped)} "
                "skipped. Name the files to read them all.",
                file=folder.name,
            )
        )
    for path, explicit in files:
        if explicit or path.parent not in mixed or path.suffix.lower() != ".xml":
            kept.append((path, explicit))
    return kept


def _read_cin(path: Path, year: int | None) -> ReadResult:
    try:
        from careflow.returns.cin import read_cin_census
    except ImportError as exc:
        return ReadResult(
            CareData(),
            [
                Issue(
                    "unreadable-file",
                    Severity.ERROR,
                    f"the CIN census reader is not available ({exc}).",
                    file=path.name,
                )
            ],
            [str(path)],
            "cin",
        )
    accepts_year = "year" in inspect.signature(read_cin_census).parameters
    try:
        result: ReadResult = (
            read_cin_census(path, year=year, strict=False) if accepts_year else read_cin_census(path, strict=False)
        )
    except Exception as exc:  # one bad file must not stop the others being read
        message = f"could not be read ({type(exc).__name__}: {exc}); the other files were still read."
        return ReadResult(
            CareData(), [Issue("unreadable-file", Severity.ERROR, message, file=path.name)], [str(path)], "cin"
        )
    return result


def _combine(results: list[ReadResult], issues: list[Issue]) -> ReadResult:
    if len(results) == 1:
        only = results[0]
        return ReadResult(only.data, issues + only.issues, only.files, only.collection, only.year)
    if not results:
        return ReadResult(CareData(), issues, [], "", None)
    data = CareData()
    for name in dict.fromkeys(n for r in results for n in r.data.names()):
        frames = [r.data[name] for r in results if name in r.data]
        data[name] = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
        if len(frames) > 1:
            issues.append(
                Issue(
                    "several-files",
                    Severity.INFO,
                    f"{name} joins the rows of {len(frames)} returns, in the order read.",
                    table=name,
                )
            )
    collections = list(dict.fromkeys(r.collection for r in results))
    years = {r.year for r in results}
    return ReadResult(
        data,
        issues + [i for r in results for i in r.issues],
        [f for r in results for f in r.files],
        "+".join(collections),
        years.pop() if len(years) == 1 else None,
    )
