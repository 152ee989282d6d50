"""Areas for the supply models: an LA, a region ("North West"), England, or a footprint a user defines (an RCC).

An area resolves to a :class:`Footprint`: a name, the level it was found at and the local authorities in it (the
LAs of the DfE placement tables careflow ships, ``careflow/supply/data/placements_by_la.csv``, 2022). A footprint
file is YAML (``name: My RCC`` and ``las: [Blackpool, Blackburn with Darwen]``), CSV (a column ``la``, or the first
column) or text (one LA a line). An unknown name is an error naming the nearest; nothing is dropped silently.

A model whose own data knows more LAs or codes than the placement tables (the workforce census has Cumbria and ONS
codes) passes them as ``aliases`` (identifier -> the LA's name) rather than resolving areas a second way.

Example:
    >>> resolve_area("Blackpool").las
    ('Blackpool',)
    >>> len(resolve_area("North West").las)  # not Cumbria: the DfE file of 2021-2022 has no rows for it
    22
"""

from __future__ import annotations

import csv
import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from careflow.errors import CareflowError
from careflow.params import suggest

__all__ = ["Footprint", "UnknownAreaError", "all_las", "regions", "resolve_area", "resolve_footprint"]

DATA_DIR = Path(__file__).parent / "data"
ENGLAND = "England"


def _nearest(text: str, names: Iterable[str]) -> str:
    """' Did you mean ...?' naming the closest names; falls back to looser matches (a misspelt first word)."""
    names = list(names)
    hint = suggest(text, names)
    if hint:
        return hint
    low = text.lower()
    close = difflib.get_close_matches(low, [n.lower() for n in names], n=3, cutoff=0.4)
    first = low.split()[0] if low.split() else low
    close += [n.lower() for n in names if difflib.SequenceMatcher(None, first, n.lower().split()[0]).ratio() >= 0.75]
    lowered = {n.lower(): n for n in names}
    picked = list(dict.fromkeys(c for c in close if c in lowered))[:3]
    return (" Did you mean " + " or ".join(repr(lowered[c]) for c in picked) + "?") if picked else ""


class UnknownAreaError(CareflowError, LookupError):
    """An area, or an LA in a footprint, that is not in the published tables (the message names the nearest)."""


@dataclass(frozen=True)
class Footprint:
    """A named set of local authorities; ``level`` is ``la``, ``region``, ``national`` or ``footprint``."""

    name: str
    las: tuple[str, ...]
    level: str = "footprint"
    source: str = ""


@functools.cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """LA name -> region, and LA code -> LA name: the LAs with children looked after at 31 March 2022 (an LA
    that did not exist then, shown 'z' in the DfE tables, is not one)."""
    region_of: dict[str, str] = {}
    code_of: dict[str, str] = {}
    with (DATA_DIR / "placements_by_la.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["level"] != "la" or row["year"] != "2022" or row["measure"] != "cla" or row["value"] in {"z", ""}:
                continue
            region_of[row["la_name"]] = row["region_name"]
            code_of[row["old_la_code"]] = row["la_name"]
    return region_of, code_of


# DfE's sub-regions of London are published too; a footprint of "London" takes both.
_LONDON = {"Inner London", "Outer London"}


def all_las() -> tuple[str, ...]:
    """Every LA in the tables, by name."""
    return tuple(sorted(_table()[0]))


def regions() -> dict[str, tuple[str, ...]]:
    """Region name -> its LAs (London, Inner London and Outer London included)."""
    out: dict[str, list[str]] = {}
    for la, region in _table()[0].items():
        out.setdefault(region, []).append(la)
        if region in _LONDON:
            out.setdefault("London", []).append(la)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _lower_aliases(aliases: Mapping[str, str] | None) -> dict[str, str]:
    return {" ".join(k.split()).lower(): v for k, v in (aliases or {}).items()}


def resolve_area(name: str | Path, *, aliases: Mapping[str, str] | None = None) -> Footprint:
    """A :class:`Footprint` for an LA name or DfE LA number, a region, England (case-insensitive), or a footprint
    file (a path ending .yaml, .yml, .csv or .txt: :func:`resolve_footprint`).

    ``aliases`` maps other identifiers of an LA (an ONS code; an LA the placement tables lack) to the name to use;
    they are tried after the tables' own names and numbers.

    Raises:
        UnknownAreaError: nothing matches (the message names the nearest areas).
    """
    if isinstance(name, Path) or str(name).lower().endswith((".yaml", ".yml", ".csv", ".txt")):
        return resolve_footprint(name, aliases=aliases)
    text = " ".join(str(name).split())
    low = text.lower()
    if low in {"england", "national", "e92000001"}:
        return Footprint(ENGLAND, all_las(), "national")
    region_of, code_of = _table()
    for region, las in regions().items():
        if region.lower() == low:
            return Footprint(region, las, "region")
    for la in region_of:
        if la.lower() == low:
            return Footprint(la, (la,), "la")
    if text in code_of:
        return Footprint(code_of[text], (code_of[text],), "la")
    extra = _lower_aliases(aliases)
    if low in extra:
        return Footprint(extra[low], (extra[low],), "la")
    known = [ENGLAND, *regions(), *region_of, *sorted(set(extra.values()) - set(region_of))]
    raise UnknownAreaError(f"area {text!r} is not an LA, a region or England in the DfE placement tables "
                           f"({len(region_of)} LAs, {len(regions())} regions).{_nearest(text, known)}")


def _read_footprint_names(path: Path) -> tuple[str | None, list[tuple[str, str]]]:
    """(name given in the file or None, [(where in the file, LA name)])."""
    from careflow.params import read_yaml

    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        raw = read_yaml(path)
        if isinstance(raw, list):
            raw = {"las": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("las"), list):
            raise CareflowError(f"{path}: expected 'las:' with a list of local authorities (and optionally 'name:')")
        return (str(raw["name"]) if raw.get("name") else None,
                [(f"las item {i + 1}", str(v)) for i, v in enumerate(raw["las"])])
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        if not rows:
            raise CareflowError(f"{path}: empty (expected a column 'la' of local authorities)")
        # A header row is one naming the LA column; a file without one starts with an LA, which is kept.
        header = [h.strip().lower() for h in rows[0]]
        named = [h for h in ("la", "la_name", "local_authority", "name") if h in header]
        col = header.index(named[0]) if named else 0
        start = 1 if named else 0
        return None, [(f"row {i + start + 1}", r[col]) for i, r in enumerate(rows[start:])
                      if len(r) > col and r[col].strip()]
    lines = path.read_text(encoding="utf-8").splitlines()
    return None, [(f"line {i + 1}", s.strip()) for i, s in enumerate(lines) if s.strip()
                  and not s.strip().startswith("#")]


def resolve_footprint(path: str | Path, name: str | None = None, *,
                      aliases: Mapping[str, str] | None = None) -> Footprint:
    """A footprint from a file listing LAs (YAML, CSV or text); every unknown LA is reported together.

    ``aliases`` as in :func:`resolve_area`: other identifiers of LAs -> the name to use.

    Raises:
        UnknownAreaError: an LA in the file is not in the tables (each named with its row and the nearest).
        CareflowError: the file cannot be read, is empty or lists an LA twice.
    """
    p = Path(path)
    if not p.is_file():
        raise CareflowError(f"footprint file {p} does not exist")
    given, entries = _read_footprint_names(p)
    if not entries:
        raise CareflowError(f"{p}: lists no local authorities")
    region_of, code_of = _table()
    lower = {la.lower(): la for la in region_of}
    extra = _lower_aliases(aliases)
    known = [*region_of, *sorted(set(extra.values()) - set(region_of))]
    found: dict[str, tuple[str, str]] = {}  # LA -> (where, as written) of its first listing
    problems: list[str] = []
    for where, raw in entries:
        text = " ".join(raw.split())
        la = lower.get(text.lower()) or code_of.get(text) or extra.get(text.lower())
        if la is None:
            problems.append(f"{where}: {text!r} is not a local authority in the DfE tables.{_nearest(text, known)}")
        elif la in found:
            first_where, first_text = found[la]
            same = "" if text == first_text else f"{text!r} is the same local authority as {first_text!r}, "
            problems.append(f"{where}: {la!r} is listed twice ({same}first at {first_where}); list each LA once")
        else:
            found[la] = (where, text)
    if problems:
        raise UnknownAreaError(f"{len(problems)} problem(s) in footprint {p}:\n  - " + "\n  - ".join(problems))
    return Footprint(name or given or p.stem, tuple(found), "footprint", str(p))
