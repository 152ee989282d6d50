"""A set of canonical tables: what readers return, writers take and models read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import polars as pl

from careflow.tables.schema import SCHEMAS, schema

__all__ = ["CareData"]


@dataclass
class CareData:
    """Canonical tables by name. A table never set reads as an empty frame of its schema.

    Example:
        >>> data = CareData()
        >>> data["looked_after_episodes"].height
        0
    """

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, frame in list(self.tables.items()):
            self.tables[name] = schema(name).conform(frame)

    def __getitem__(self, name: str) -> pl.DataFrame:
        if name in self.tables:
            return self.tables[name]
        return schema(name).empty()

    def __setitem__(self, name: str, frame: pl.DataFrame) -> None:
        self.tables[name] = schema(name).conform(frame)

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def names(self) -> list[str]:
        """Names of the tables set, in canonical order."""
        return [n for n in SCHEMAS if n in self.tables]

    def counts(self) -> dict[str, int]:
        """Rows in each table set."""
        return {n: self.tables[n].height for n in self.names()}

    def nonempty(self) -> CareData:
        """The same data without empty tables."""
        return CareData({n: f for n, f in self.tables.items() if f.height})

    def equals(self, other: CareData, *, ignore_empty: bool = True) -> bool:
        """Same tables with the same rows in the same order (nulls equal)."""
        a = self.nonempty() if ignore_empty else self
        b = other.nonempty() if ignore_empty else other
        if set(a.tables) != set(b.tables):
            return False
        return all(a.tables[n].equals(b.tables[n]) for n in a.tables)

    def differences(self, other: CareData) -> list[str]:
        """Human-readable differences, for test failure messages."""
        out: list[str] = []
        a, b = self.nonempty(), other.nonempty()
        for name in sorted(set(a.tables) | set(b.tables)):
            if name not in a.tables or name not in b.tables:
                out.append(f"{name}: only in {'left' if name in a.tables else 'right'}")
                continue
            fa, fb = a.tables[name], b.tables[name]
            if fa.height != fb.height:
                out.append(f"{name}: {fa.height} rows vs {fb.height}")
                continue
            for column in fa.columns:
                if not fa[column].equals(fb[column]):
                    mask = ~(fa[column].eq_missing(fb[column])) if fa[column].dtype != pl.List else None
                    first = int(mask.arg_true()[0]) if mask is not None and mask.any() else 0
                    out.append(
                        f"{name}.{column}: first difference at row {first}: "
                        f"{fa[column][first]!r} vs {fb[column][first]!r}"
                    )
        return out

    def update(self, other: Mapping[str, pl.DataFrame]) -> None:
        """Set several tables at once."""
        for name, frame in other.items():
            self[name] = frame
