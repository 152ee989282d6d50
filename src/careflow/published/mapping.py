"""The declared mapping (``mapping.yaml``) from DfE / ONS files to careflow's published measures, as objects.

The mapping is data: file patterns, column synonyms and label synonyms. Nothing about a particular release is
written in code; a new release that renames a column or rewords a label needs a line in ``mapping.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from careflow._yaml import load_yaml
from careflow.errors import CareflowError

__all__ = ["Mapping", "MappingError", "MeasureSpec", "Source", "load_mapping"]

MAPPING_PATH = Path(__file__).with_name("mapping.yaml")


class MappingError(CareflowError, ValueError):
    """The declared mapping itself is inconsistent (a bug in mapping.yaml, not in the data)."""


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """One careflow measure read from a source: label filters, labels summed, value column(s) summed."""

    name: str
    where: tuple[tuple[str, str], ...]  # (column key, label key)
    sum_column: str | None
    sum_labels: tuple[str, ...]
    values: tuple[str, ...]  # column keys (or literal headers) added together


@dataclass(frozen=True, slots=True)
class Source:
    """A kind of published file: how to recognise it and read its measures."""

    id: str
    collection: str
    layout: str  # "ees" or "sfr"
    files: tuple[re.Pattern[str], ...]
    columns: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, tuple[str, ...]]]
    measures: tuple[MeasureSpec, ...]
    year: int | None = None
    year_shift: int = 0
    symbols: dict[str, str] = field(default_factory=dict)

    def match(self, rel: str) -> re.Match[str] | None:
        for pattern in self.files:
            found = pattern.search(rel)
            if found:
                return found
        return None

    def synonyms(self, key: str) -> tuple[str, ...]:
        """Headers a column key stands for (a key that is not declared is itself a header)."""
        return self.columns.get(key, (key,))

    def label_key(self, column_key: str) -> dict[str, str]:
        """Every declared wording of a label column (folded: :func:`fold_label`) -> its label key."""
        return {fold_label(w): k for k, words in self.labels.get(column_key, {}).items() for w in words}


@dataclass(frozen=True, slots=True)
class Mapping:
    version: int
    symbols: dict[str, str]
    unreadable: tuple[str, ...]
    symbol_order: tuple[str, ...]
    fallbacks: dict[str, str]
    denominators_only: tuple[str, ...]
    ees_geography: dict[str, tuple[str, ...]]
    ees_ignored_columns: tuple[str, ...]
    regions: dict[str, str]
    sub_regions: dict[str, tuple[str, ...]]
    ignore: tuple[tuple[re.Pattern[str], str], ...]
    sources: tuple[Source, ...]

    def source_for(self, rel: str) -> tuple[Source, re.Match[str]] | None:
        for source in self.sources:
            found = source.match(rel)
            if found:
                return source, found
        return None

    def ignored(self, rel: str) -> str | None:
        for pattern, reason in self.ignore:
            if pattern.search(rel):
                return reason
        return None

    def sub_region_codes(self) -> dict[str, str]:
        """Every name a sub-region goes by (upper-cased) -> its code."""
        return {n.upper(): code for code, names in self.sub_regions.items() for n in names}

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(sorted({m.name for s in self.sources for m in s.measures}))


def header_matches(synonym: str, header: str) -> bool:
    """A header matches a synonym ignoring case, or by full regular-expression match when written ``re:PATTERN``
    (DfE has changed only the case of a header between releases, e.g. ``CLA_group`` and ``cla_group``)."""
    if synonym.startswith("re:"):
        return re.fullmatch(synonym[3:], header, flags=re.IGNORECASE) is not None
    return synonym.casefold() == header.strip().casefold()


def fold_label(label: str) -> str:
    """A label as compared with the mapping's wordings: case and runs of spaces ignored."""
    return " ".join(label.split()).lower()


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value),)
    return tuple(str(v) for v in value)


_SOURCE_KEYS = {"collection", "layout", "files", "columns", "labels", "measures", "year", "year_shift", "symbols"}
_MEASURE_KEYS = {"where", "sum", "value"}


def _check_keys(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {sorted(unknown)} (allowed: {sorted(allowed)})")


def _source(ident: str, raw: dict[str, Any]) -> Source:
    where_label = f"mapping.yaml: source {ident}"
    _check_keys(raw, _SOURCE_KEYS, where_label)
    try:
        layout = raw["layout"]
        files = tuple(re.compile(p) for p in raw["files"])
        collection = str(raw["collection"])
    except (KeyError, re.error) as exc:
        raise MappingError(f"{where_label}: {exc}") from exc
    if layout not in ("ees", "sfr"):
        raise MappingError(f"{where_label}: layout must be ees or sfr, not {layout!r}")
    columns = {str(k): _tuple(v) for k, v in (raw.get("columns") or {}).items()}
    labels = {
        str(col): {str(k): _tuple(v) for k, v in (keys or {}).items()}
        for col, keys in (raw.get("labels") or {}).items()
    }
    measures = []
    for name, spec in (raw.get("measures") or {}).items():
        _check_keys(spec, _MEASURE_KEYS, f"{where_label}: measure {name}")
        where = tuple((str(c), str(lab)) for c, lab in (spec.get("where") or {}).items())
        summed = spec.get("sum") or {}
        if len(summed) > 1:
            raise MappingError(f"{where_label}: measure {name}: sum over one label column only")
        sum_column, sum_labels = next(iter(summed.items()), (None, ()))
        for col, lab in (*where, *((sum_column, lab) for lab in _tuple(sum_labels))):
            if col is None or lab not in labels.get(str(col), {}):
                raise MappingError(f"{where_label}: measure {name}: label {lab!r} of {col!r} is not declared")
        values = _tuple(spec.get("value"))
        if not values:
            raise MappingError(f"{where_label}: measure {name} has no value column")
        measures.append(MeasureSpec(str(name), where, None if sum_column is None else str(sum_column),
                                    _tuple(sum_labels), values))
    return Source(
        id=ident, collection=collection, layout=layout, files=files, columns=columns, labels=labels,
        measures=tuple(measures), year=raw.get("year"), year_shift=int(raw.get("year_shift", 0)),
        symbols={str(k): str(v) for k, v in (raw.get("symbols") or {}).items()},
    )


@lru_cache(maxsize=4)
def load_mapping(path: Path = MAPPING_PATH) -> Mapping:
    """The declared mapping (``mapping.yaml`` in this package unless ``path`` is given)."""
    raw = load_yaml(path)
    for entry in raw.get("ignore", []):
        _check_keys(entry, {"files", "reason"}, f"mapping.yaml: ignore {entry.get('files')}")
    ignore = tuple(
        (re.compile(p), str(entry["reason"])) for entry in raw.get("ignore", []) for p in entry["files"]
    )
    return Mapping(
        version=int(raw["version"]),
        symbols={str(k): str(v) for k, v in raw["symbols"].items()},
        unreadable=_tuple(raw.get("unreadable")),
        symbol_order=_tuple(raw["symbol_order"]),
        fallbacks={str(k): str(v) for k, v in (raw.get("fallbacks") or {}).items()},
        denominators_only=_tuple(raw.get("denominators_only")),
        ees_geography={str(k): _tuple(v) for k, v in raw["ees_geography"].items()},
        ees_ignored_columns=_tuple(raw.get("ees_ignored_columns")),
        regions={str(k): str(v) for k, v in raw["regions"].items()},
        sub_regions={str(k): _tuple(v) for k, v in (raw.get("sub_regions") or {}).items()},
        ignore=ignore,
        sources=tuple(_source(str(k), v) for k, v in raw["sources"].items()),
    )
