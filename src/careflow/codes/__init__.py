"""SSDA903 and CIN census code lists, one YAML file per collection and collection year.

The lists live in ``careflow/codes/data/<collection>/<YYYY-YY>.yaml``; this module reads them (lazily, once)
and answers the questions analysts ask of a code: is it valid this year, what does it mean, what replaced it.

Example:
    >>> code_list("legal_status", "2024-25").label("C1")
    'Interim care order'
    >>> is_valid("placement_type", "H5", 2026)
    False
    >>> replaced_by("placement_type", "H5")
    ('K3',)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from careflow.codes._model import Code, CodeList, CodeListFile, Reference, parse_file
from careflow.codes._years import CollectionYear, YearLike
from careflow.errors import CodeListError, UnknownCodeListError

__all__ = [
    "COLLECTIONS",
    "Code",
    "CodeList",
    "CollectionYear",
    "Reference",
    "code_list",
    "explain",
    "is_valid",
    "list_names",
    "replaced_by",
    "valid_years",
    "years",
]

DATA_DIR = Path(__file__).parent / "data"
COLLECTIONS: tuple[str, ...] = ("ssda903", "cin")


def _check_collection(collection: str) -> str:
    if collection not in COLLECTIONS:
        near = difflib.get_close_matches(str(collection).lower(), COLLECTIONS, n=1, cutoff=0.3)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise UnknownCodeListError(
            f"Unknown collection {collection!r} (expected one of {', '.join(COLLECTIONS)}).{hint}"
        )
    return collection


@cache
def _files(collection: str) -> dict[CollectionYear, CodeListFile]:
    folder = DATA_DIR / _check_collection(collection)
    loaded = [_parse_cached(path) for path in sorted(folder.glob("*.yaml"))]
    if not loaded:
        raise CodeListError(f"No code list files in {folder} (the package data is missing).")
    return {f.year: f for f in sorted(loaded, key=lambda f: f.year)}


def _parse_cached(path: Path) -> CodeListFile:
    """:func:`parse_file`, its result kept in ``__pycache__`` beside the file (as Python keeps bytecode) under a hash
    of the file and of the parser's own source, so that any change to either reads the YAML again.

    The YAML stays the one source: the cache only spares parsing it again (the five SSDA903 years take ~25 ms of
    CPU, a twentieth of a one-LA ``careflow forecast``). A cache that cannot be read or written is ignored.
    """
    import hashlib
    import os
    import pickle

    text = path.read_bytes()
    digest = hashlib.sha256(text)
    digest.update(_parser_digest())
    folder = path.parent / "__pycache__"
    cached = folder / f"{path.stem}.{digest.hexdigest()[:24]}.pickle"
    try:
        found = pickle.loads(cached.read_bytes())
        if isinstance(found, CodeListFile):
            return found
    except Exception:  # missing, stale or damaged: parse the YAML
        pass
    parsed = parse_file(path)
    try:
        folder.mkdir(exist_ok=True)
        for old in folder.glob(f"{path.stem}.*.pickle"):
            old.unlink(missing_ok=True)
        partial = folder / f"{cached.name}.{os.getpid()}.tmp"
        partial.write_bytes(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, cached)
    except OSError:
        pass
    return parsed


@cache
def _parser_digest() -> bytes:
    """The parser's sources and the Python version, hashed once per process (not once per code-list file)."""
    import hashlib
    import sys

    digest = hashlib.sha256()
    for source in _PARSER_FILES:
        digest.update(source.read_bytes())
    digest.update(sys.version.encode())
    return digest.digest()


#: The sources whose change invalidates a cached code list.
_PARSER_FILES = (Path(__file__).parent / "_model.py", Path(__file__).parent / "_years.py",
                 Path(__file__).parent.parent / "_yaml.py")


def _year(collection: str, year: YearLike) -> CodeListFile:
    files = _files(collection)
    parsed = CollectionYear.parse(year)
    if parsed not in files:
        known = list(files)
        raise UnknownCodeListError(
            f"No {collection} code lists for {parsed.label} (careflow holds {known[0].label} to {known[-1].label})."
        )
    return files[parsed]


def _all_names(collection: str) -> list[str]:
    names: dict[str, None] = {}
    for f in _files(collection).values():
        names.update(dict.fromkeys(f.lists))
    return sorted(names)


def _unknown_name(name: str, collection: str, where: str) -> UnknownCodeListError:
    names = _all_names(collection)
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f" Did you mean {near[0]!r}?" if near else f" Known lists: {', '.join(names)}."
    return UnknownCodeListError(f"No {collection} code list named {name!r}{where}.{hint}")


def years(collection: str = "ssda903") -> list[CollectionYear]:
    """The collection years careflow holds code lists for, oldest first.

    Example:
        >>> years("ssda903")[0].label
        '2021-22'
    """
    return list(_files(collection))


def list_names(collection: str = "ssda903") -> list[str]:
    """The names of every code list of a collection, in any year, sorted.

    Example:
        >>> "legal_status" in list_names("ssda903")
        True
    """
    return _all_names(collection)


def code_list(name: str, year: YearLike, collection: str = "ssda903") -> CodeList:
    """One code list in one collection year.

    Raises:
        UnknownCodeListError: the collection, year or list name is unknown (the nearest name is suggested),
            or the list did not exist that year.
    """
    f = _year(collection, year)
    found = f.lists.get(name)
    if found is None:
        if name in _all_names(collection):
            held = [y.label for y, other in _files(collection).items() if name in other.lists]
            raise UnknownCodeListError(
                f"The {collection} list {name!r} does not exist in {f.year.label} (it exists in {', '.join(held)})."
            )
        raise _unknown_name(name, collection, "")
    return found


def _lists(name: str, collection: str) -> dict[CollectionYear, CodeList]:
    held = {y: f.lists[name] for y, f in _files(collection).items() if name in f.lists}
    if not held:
        raise _unknown_name(name, collection, "")
    return held


def is_valid(name: str, code: str | int, year: YearLike, collection: str = "ssda903") -> bool:
    """Whether a code is valid in a list in a collection year.

    Codes are compared exactly (``'c1'`` is not ``'C1'``); an int is read as its digits.

    Example:
        >>> is_valid("sex", "M", "2024-25"), is_valid("sex", "1", "2024-25")
        (True, False)
    """
    try:
        return code in code_list(name, year, collection)
    except UnknownCodeListError:
        _lists(name, collection)  # an unknown name still raises; a list absent that year holds no codes
        _year(collection, year)
        return False


def valid_years(name: str, code: str | int, collection: str = "ssda903") -> list[CollectionYear]:
    """The collection years in which a code is valid, oldest first (empty if never).

    Example:
        >>> [y.label for y in valid_years("social_worker_change_reason", "MANAGE")][0]
        '2023-24'
    """
    return [y for y, lst in _lists(name, collection).items() if code in lst]


def replaced_by(name: str, code: str | int, collection: str = "ssda903") -> tuple[str, ...]:
    """The codes that replaced a retired code (empty if it is not retired, or nothing replaced it).

    The latest year that records the code as retired wins.

    Example:
        >>> replaced_by("sex", "1")
        ('M',)
    """
    text = str(code)
    for lst in reversed(_lists(name, collection).values()):
        if text in lst.retired:
            return lst.retired[text]
    return ()


def _ranges(found: Iterable[CollectionYear], held: list[CollectionYear]) -> str:
    """'2021-22 to 2024-25' for a run of consecutive held years; runs joined by ', '."""
    index = {y: i for i, y in enumerate(held)}
    runs: list[list[CollectionYear]] = []
    for y in sorted(found):
        if runs and index[y] == index[runs[-1][-1]] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(r[0].label if len(r) == 1 else f"{r[0].label} to {r[-1].label}" for r in runs)


def explain(name: str, code: str | int, year: YearLike, collection: str = "ssda903") -> str | None:
    """None if the code is valid that year; otherwise a sentence saying why not and what to use.

    Example:
        >>> print(explain("placement_type", "ZZ", "2024-25"))  # doctest: +ELLIPSIS
        'ZZ' is not a placement_type code in any year (expected one of A3, A4, ...)
    """
    target = _year(collection, year).year
    lists = _lists(name, collection)
    if target in lists and code in lists[target]:
        return None
    text = str(code)
    held = list(lists)
    in_years = [y for y, lst in lists.items() if text in lst.codes]
    if not in_years:
        shown = lists.get(target) or lists[held[-1]]
        return (
            f"{text!r} is not a {name} code in any year "
            f"(expected one of {', '.join(shown.codes)} in {shown.year.label})"
        )
    message = f"{text!r} is not a valid {name} in {target.label} (valid {_ranges(in_years, held)}"
    note = None
    retired_in = lists.get(target)
    if retired_in is not None and text in retired_in.retired:
        replacements = retired_in.retired[text]
        message += f"; replaced by {', '.join(replacements)}" if replacements else "; retired, no replacement"
        note = retired_in.retired_notes.get(text)
    elif target < in_years[0]:
        message += f"; introduced in {in_years[0].label}"
    message += ")"
    return f"{message}. {note}" if note else message
