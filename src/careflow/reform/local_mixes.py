"""An area's exits by age band and reason, and its fostering mix, from the compact published tables.

* :func:`exit_age_shares`: the share of all exits that are reason r from age band b (0-4, 5-9, 10-15, 16+ on
  ceasing), from ``data/local_exits_by_age.csv`` (children who ceased to be looked after in 2018-2022; DfE
  publishes the age and reason margins, ``scripts/derive_reform_local_mixes.py`` crosses them by iterative
  proportional fitting on England's cross, see there). An LA without a usable age margin takes England's cross,
  with a note.
* :func:`fostering_split`: kinship, in-house and independent-agency shares of an area's foster placements. An
  LA's agency share is England's (23,591 of 57,540 foster placements, ``001_8bebe4ae25a58006.txt:2208``) times
  the LA's share of children placed by private or voluntary providers relative to England's
  (``data/local_stock.csv``, 31 March 2021-2022); kinship foster placements are not published by LA in the
  tables held, so every LA takes England's kinship share of foster placements, with a note. ``careflow reform
  --returns`` reads an LA's own kinship share from its SSDA903 placements instead.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import polars as pl

from careflow.reform.system import LocalRates

__all__ = ["BANDS", "REASONS", "exit_age_shares", "fostering_split", "hazards_by_age", "with_local_mixes"]

BANDS = ("0_4", "5_9", "10_15", "16_plus")
REASONS = ("home", "sgo_cao", "adoption", "other")
# Independent fostering agencies' share of foster placements (England; see
# parameters/volumes/children_in_agency_foster_care.yaml, 001_8bebe4ae25a58006.txt:2208).
AGENCY_SHARE_OF_FOSTER = 23591 / 57540


def _data(name: str) -> Path:
    return Path(str(resources.files("careflow.reform") / "data" / name))


@functools.cache
def _exits_table() -> pl.DataFrame:
    return pl.read_csv(_data("local_exits_by_age.csv"), schema_overrides={"key": pl.Utf8},
                       infer_schema_length=0)


@functools.cache
def _fostering_table() -> pl.DataFrame:
    return pl.read_csv(_data("local_stock.csv"), schema_overrides={"key": pl.Utf8}, infer_schema_length=0)


def _cross(key: str) -> dict[str, dict[str, float]] | None:
    t = _exits_table().filter(pl.col("key") == key)
    if t.is_empty() or t["source"][0] != "own":
        return None
    cells = {(r["band"], reason): float(r[reason]) for r in t.iter_rows(named=True) for reason in REASONS}
    total = sum(cells.values())
    if total <= 0:
        return None
    return {reason: {band: cells[(band, reason)] / total for band in BANDS} for reason in REASONS}


@functools.cache
def exit_age_shares(key: str = "England") -> tuple[dict[str, dict[str, float]], str, tuple[str, ...]]:
    """(reason -> band -> share of all exits, source, notes) for an LA number or 'England'."""
    own = _cross(key)
    if own is not None:
        t = _exits_table().filter(pl.col("key") == key)
        missing = (t["national_reasons"][0] or "").split()
        notes = () if not missing else (
            f"exits by reason: {', '.join(missing)} suppressed in every year; England's share used",)
        return own, "own", notes
    national = _cross("England")
    assert national is not None, "data/local_exits_by_age.csv has no England rows"
    return national, "England", ("exits by age band: the LA's age on ceasing is suppressed in every year; "
                                 "England's cross of age and reason is used",)


def hazards_by_age(key: str = "England") -> tuple[dict[str, dict[str, float]], str] | None:
    """Yearly exit hazard by reason and age band for an LA number or 'England': exits a year (2018-2022, from
    :func:`exit_age_shares`' table) / children looked after in the band at 31 March (mean of 2021 and 2022,
    ``data/local_stock.csv``). None where the LA's exits by age or its stock by age are suppressed."""
    t = _exits_table().filter(pl.col("key") == key)
    if t.is_empty() or t["source"][0] != "own":
        return None
    n_years = len((t["years_used"][0] or "").split())
    stock_rows = _fostering_table().filter(pl.col("key") == key)
    stock: dict[str, float] = {}
    for b in BANDS:
        v = _sum(stock_rows, f"cla_age_{b}") if not stock_rows.is_empty() else None
        if v is None or v <= 0 or n_years == 0:
            return None
        stock[b] = v / stock_rows.height
    cells = {(r["band"], reason): float(r[reason]) for r in t.iter_rows(named=True) for reason in REASONS}
    out = {reason: {b: cells[(b, reason)] / n_years / stock[b] for b in BANDS} for reason in REASONS}
    return out, (f"exits a year {t['years_used'][0].split()[0]}-{t['years_used'][0].split()[-1]} / children looked "
                 "after at 31 March 2021-2022")


def _sum(t: pl.DataFrame, col: str) -> float | None:
    vals = t[col].to_list()
    if not vals or any(v is None or v == "" for v in vals):
        return None
    return float(sum(float(v) for v in vals))


@functools.cache
def fostering_split(key: str, national_kinship_of_foster: float) -> tuple[dict[str, float], str, tuple[str, ...]]:
    """(kinship / in-house / agency shares of foster placements, source, notes) for an LA number or 'England'."""
    def independent_share(k: str) -> float | None:
        t = _fostering_table().filter(pl.col("key") == k)
        total = _sum(t, "provider_total")
        private = _sum(t, "provider_private")
        voluntary = t["provider_voluntary"].to_list() if not t.is_empty() else []
        # a suppressed voluntary cell is small (under a few children): the private share alone is used
        vol = sum(float(v) for v in voluntary if v not in (None, ""))
        if not total or private is None:
            return None
        return (private + vol) / total

    notes = [] if key == "England" else [
        "kinship foster placements are not published by LA in the tables held; England's share of foster "
        "placements with family or friends is used"]
    nat = independent_share("England") or 1.0
    own = independent_share(key)
    agency = AGENCY_SHARE_OF_FOSTER
    source = "England"
    if key != "England":
        if own is None:
            notes.append("placement providers suppressed; England's agency share of fostering is used")
        else:
            agency = AGENCY_SHARE_OF_FOSTER * own / nat
            source = "own providers"
    kinship = national_kinship_of_foster
    agency = min(agency, 1.0 - kinship)
    return ({"kinship_foster": kinship, "foster_agency": agency, "foster_in_house": 1.0 - kinship - agency},
            source, tuple(notes))


def with_local_mixes(rates: LocalRates) -> LocalRates:
    """``rates`` with exits by age band and (for an LA) its own in-house / agency fostering split."""
    from dataclasses import replace

    a = rates.area
    key = "England" if a.level == "national" else (a.key if a.level == "la" else "England")
    cross, source, notes = exit_age_shares(key)
    # One definition of each reason at every level (home: returned home to a person with parental
    # responsibility, planned or not; other: the rest, mostly leaving care at 18 or over): the derived table's
    # reason margins replace the reason shares the area's rates carried; the cross splits them by age band.
    exit_shares = {r: sum(cross[r].values()) for r in REASONS}
    ages = {r: dict(cross[r]) for r in REASONS}
    sources = dict(rates.sources)
    sources["exits_by_age"] = a.label if source == "own" and a.level == "la" else "England"
    sources["exits"] = (f"{a.name} (2018-2022: reason and age on ceasing, crossed by IPF)"
                        if source == "own" and a.level == "la" else "England (2018-2022)")
    # the reason shares now come from the derived table: drop the older table's notes on exits
    all_notes = [n for n in rates.notes if "exit counts suppressed" not in n and "no published exits" not in n]
    if a.level == "la":
        all_notes.extend(f"{a.name}: {n}" for n in notes)
    placements = dict(rates.placement_shares)
    if a.level == "la":
        foster = placements["kinship_foster"] + placements["foster_in_house"] + placements["foster_agency"]
        nat = local_national_kinship_of_foster()
        split, fsource, fnotes = fostering_split(a.key, nat)
        placements.update({k: v * foster for k, v in split.items()})
        sources["placements"] = (f"{a.name} (fostering split: agency from its own providers, kinship England's)"
                                 if fsource != "England" else f"{a.name} (fostering split with England's shares)")
        all_notes.extend(f"{a.name}: {n}" for n in fnotes)
    return replace(rates, exit_shares=exit_shares, exit_age_shares=ages, placement_shares=placements, sources=sources,
                   notes=tuple(all_notes))


def local_national_kinship_of_foster() -> float:
    """England's kinship (family and friends) share of foster placements at 31 March 2022."""
    from careflow.reform.system import national_placement_shares

    n = national_placement_shares()
    foster = n["kinship_foster"] + n["foster_in_house"] + n["foster_agency"]
    return n["kinship_foster"] / foster if foster > 0 else 0.0
