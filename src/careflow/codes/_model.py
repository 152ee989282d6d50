"""Code lists as read from the YAML files, and the strict schema that reads them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml

from careflow._yaml import loads_yaml
from careflow.codes._years import CollectionYear
from careflow.errors import CodeListError

__all__ = ["Code", "CodeList", "CodeListFile", "Reference", "parse_file"]

_LIST_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_ENUM_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")

_FILE_KEYS = {"collection", "year", "valid_from", "reference", "note", "lists"}
_FILE_REQUIRED = {"collection", "year", "valid_from", "reference", "lists"}
_REFERENCE_KEYS = {"title", "url", "sources"}
_LIST_KEYS = {"field", "description", "codes", "retired", "note", "reference"}
_LIST_REQUIRED = {"field", "description", "codes"}
_CODE_KEYS = {"name", "label", "note"}
_RETIRED_KEYS = {"replaced_by", "note"}


@dataclass(frozen=True)
class Reference:
    """The DfE guidance a code list follows, and the public sources used to transcribe it."""

    title: str
    url: str | None = None
    sources: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.title} ({self.url})" if self.url else self.title


@dataclass(frozen=True)
class Code:
    """One code of a code list: the code as returned, a readable enum name and a human label.

    Example:
        >>> Code("C1", "INTERIM_CARE_ORDER", "Interim care order").label
        'Interim care order'
    """

    code: str
    name: str
    label: str


@dataclass(frozen=True)
class CodeList:
    """The codes of one list (e.g. ``legal_status``) in one collection year.

    ``codes`` holds the codes valid that year; ``retired`` the codes valid in an earlier year but no longer,
    each with the codes that replaced it (empty when none did).
    """

    name: str
    collection: str
    year: CollectionYear
    field: str
    description: str
    codes: dict[str, Code]
    retired: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    retired_notes: dict[str, str] = dataclass_field(default_factory=dict)
    reference: Reference | None = None
    note: str | None = None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str | int) and not isinstance(code, bool) and str(code) in self.codes

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)

    def label(self, code: str | int) -> str:
        """The human label of a code valid this year.

        Raises:
            CodeListError: the code is not in this year's list.
        """
        found = self.codes.get(str(code))
        if found is None:
            raise CodeListError(
                f"{str(code)!r} is not a {self.name} code in {self.year.label} "
                f"(expected one of {', '.join(self.codes)})."
            )
        return found.label


@dataclass(frozen=True)
class CodeListFile:
    """One YAML file: every list of one collection in one collection year."""

    collection: str
    year: CollectionYear
    valid_from: dt.date
    reference: Reference
    lists: Mapping[str, CodeList]
    path: Path
    note: str | None = None


def _fail(path: Path, where: str, message: str) -> CodeListError:
    return CodeListError(f"{path.name} ({path.parent.name}), {where}: {message}")


def _check_keys(path: Path, where: str, value: Any, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, where, f"expected a mapping, got {type(value).__name__}.")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise _fail(path, where, f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))}).")
    missing = sorted(required - set(value))
    if missing:
        raise _fail(path, where, f"missing key(s) {', '.join(missing)}.")
    return value


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"expected non-empty text, got {value!r}.")
    return value.strip()


def _code_text(path: Path, where: str, value: Any) -> str:
    # YAML reads 0, 1 or 10 as ints; codes are strings in every return, so accept and convert them.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _fail(path, where, f"a code must be text, got {value!r}.")
    return str(value)


def _reference(path: Path, where: str, value: Any) -> Reference:
    if isinstance(value, str):
        return Reference(_text(path, where, value))
    data = _check_keys(path, where, value, _REFERENCE_KEYS, {"title"})
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise _fail(path, f"{where}.sources", "expected a list of text.")
    return Reference(
        title=_text(path, f"{where}.title", data["title"]),
        url=_text(path, f"{where}.url", data["url"]) if data.get("url") is not None else None,
        sources=tuple(_text(path, f"{where}.sources", s) for s in sources),
    )


def parse_file(path: Path) -> CodeListFile:
    """Read and check one code list file.

    Raises:
        CodeListError: the file is not valid YAML, has an unknown or missing key, or breaks a rule
            (a retired code still valid, a code replaced by a code that is not valid, a bad enum name).
    """
    try:
        raw = loads_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise _fail(path, "file", f"not valid YAML: {error}") from error
    data = _check_keys(path, "top level", raw, _FILE_KEYS, _FILE_REQUIRED)
    collection = _text(path, "collection", data["collection"])
    if collection != path.parent.name:
        raise _fail(path, "collection", f"{collection!r} does not match its folder {path.parent.name!r}.")
    try:
        year = CollectionYear.parse(str(data["year"]))
    except CodeListError as error:
        raise _fail(path, "year", str(error)) from error
    if year.label != path.stem:
        raise _fail(path, "year", f"{year.label!r} does not match the file name {path.name!r}.")
    valid_from = data["valid_from"]
    if not isinstance(valid_from, dt.date):
        raise _fail(path, "valid_from", f"expected a date (YYYY-MM-DD), got {valid_from!r}.")
    reference = _reference(path, "reference", data["reference"])
    note = _text(path, "note", data["note"]) if data.get("note") is not None else None
    lists_raw = data["lists"]
    if not isinstance(lists_raw, dict) or not lists_raw:
        raise _fail(path, "lists", "expected a non-empty mapping of list name to list.")
    lists: dict[str, CodeList] = {}
    for list_name, body in lists_raw.items():
        lists[str(list_name)] = _parse_list(path, str(list_name), body, collection, year, reference)
    return CodeListFile(collection, year, valid_from, reference, lists, path, note)


def _parse_list(
    path: Path, name: str, body: Any, collection: str, year: CollectionYear, file_reference: Reference
) -> CodeList:
    where = f"lists.{name}"
    if not _LIST_NAME.match(name):
        raise _fail(path, where, "a list name is spelled-out snake_case (e.g. legal_status).")
    data = _check_keys(path, where, body, _LIST_KEYS, _LIST_REQUIRED)
    codes_raw = data["codes"]
    if not isinstance(codes_raw, dict) or not codes_raw:
        raise _fail(path, f"{where}.codes", "expected a non-empty mapping of code to {name, label}.")
    codes: dict[str, Code] = {}
    names: dict[str, str] = {}
    for code_raw, entry in codes_raw.items():
        code = _code_text(path, f"{where}.codes", code_raw)
        at = f"{where}.codes.{code}"
        entry_data = _check_keys(path, at, entry, _CODE_KEYS, {"name", "label"})
        enum_name = _text(path, f"{at}.name", entry_data["name"])
        if not _ENUM_NAME.match(enum_name):
            raise _fail(path, f"{at}.name", f"{enum_name!r} is not an UPPER_SNAKE_CASE name.")
        if enum_name in names:
            raise _fail(path, f"{at}.name", f"{enum_name!r} is already the name of {names[enum_name]!r}.")
        names[enum_name] = code
        codes[code] = Code(code, enum_name, _text(path, f"{at}.label", entry_data["label"]))
    retired: dict[str, tuple[str, ...]] = {}
    retired_notes: dict[str, str] = {}
    retired_raw = data.get("retired") or {}
    if not isinstance(retired_raw, dict):
        raise _fail(path, f"{where}.retired", "expected a mapping of code to {replaced_by, note}.")
    for code_raw, entry in retired_raw.items():
        code = _code_text(path, f"{where}.retired", code_raw)
        at = f"{where}.retired.{code}"
        entry_data = _check_keys(path, at, entry, _RETIRED_KEYS, {"replaced_by"})
        if code in codes:
            raise _fail(path, at, f"{code!r} is retired but still listed under codes.")
        replacements = entry_data["replaced_by"] or []
        if not isinstance(replacements, list):
            raise _fail(path, f"{at}.replaced_by", "expected a list of codes (or []).")
        replaced = tuple(_code_text(path, f"{at}.replaced_by", r) for r in replacements)
        not_valid = [r for r in replaced if r not in codes]
        if not_valid:
            raise _fail(path, f"{at}.replaced_by", f"{', '.join(not_valid)} not valid this year (not under codes).")
        retired[code] = replaced
        if entry_data.get("note") is not None:
            retired_notes[code] = _text(path, f"{at}.note", entry_data["note"])
    reference = (
        _reference(path, f"{where}.reference", data["reference"])
        if data.get("reference") is not None
        else file_reference
    )
    return CodeList(
        name=name,
        collection=collection,
        year=year,
        field=_text(path, f"{where}.field", data["field"]),
        description=_text(path, f"{where}.description", data["description"]),
        codes=codes,
        retired=retired,
        retired_notes=retired_notes,
        reference=reference,
        note=_text(path, f"{where}.note", data["note"]) if data.get("note") is not None else None,
    )
