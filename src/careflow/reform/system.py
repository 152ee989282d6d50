"""The system the levers act on: an area's own rates, and the stock-flow that turns changed rates into children.

For an area (England, a region or a local authority) :func:`local_rates` reads the area's *own* published mix:

* starts in the year by age on starting (0-4, 5-9, 10-15, 16+) and the share who were unaccompanied asylum-seeking
  children (UASC: no lever diverts them), from ``data/local_rates.csv`` (2021 and 2022);
* exits by reason (returned home, special guardianship or child arrangements order, adoption, other: 18 and over,
  independent living, staying put, ...) from the published LA counts careflow ships for the scorecard
  (``careflow/measures/data/published_counts.csv``, 2018-2022);
* placements at 31 March (children's homes, fostering, placed with parents, other) from ``data/local_rates.csv``.

:func:`local_rates` then hands the area to :func:`careflow.reform.local_mixes.with_local_mixes`, which replaces the
exits by reason with the derived table of exits by reason *and age band on ceasing* (``data/local_exits_by_age.csv``,
one definition of each reason at every level) and splits an LA's fostering into in-house and agency by its own
placement providers (kinship: England's share, not published by LA in the tables held; the notes say so).

Where a cell is suppressed the national share is used, and a note says which.

:func:`run_system` then runs the stock-flow ``stock(t) = stock(t-1) + starts(t) - h(t) x (stock(t-1) +
starts(t)/2)`` twice: with the counterfactual rates, and with the rates the levers change. The counterfactual
starts are the area's starts rate per 10,000 (mean of its last three published years) x its population; the
exit hazard ``h(t)`` is the one that makes the stock-flow land on the Review's counterfactual (so with no lever
the reform CLA *is* the counterfactual). Levers multiply the starts of their target group by
``1 - avoided share`` and each exit reason's hazard by ``1 + uplift``; the reform CLA is the counterfactual less
the difference between the two runs. Nothing is subtracted that the changed rates did not produce.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from careflow.reform.series import Area, load_series, national_table, resolve_area

__all__ = [
    "AGE_BANDS",
    "EXIT_REASONS",
    "PLACEMENTS",
    "LocalRates",
    "SystemRun",
    "implied_hazard",
    "local_rates",
    "national_placement_shares",
    "run_system",
]

AGE_BANDS = ("0_4", "5_9", "10_15", "16_plus")
EXIT_REASONS = ("home", "sgo_cao", "adoption", "other")
PLACEMENTS = ("residential", "foster_in_house", "foster_agency", "kinship_foster", "with_parents", "other")
# Independent fostering agencies' share of foster placements (derived: 23,591 of 57,540; see
# parameters/volumes/children_in_agency_foster_care.yaml, 001_8bebe4ae25a58006.txt:2208).
AGENCY_SHARE_OF_FOSTER = 23591 / 57540
MIX_YEARS = (2021, 2022)
EXIT_YEARS = (2018, 2019, 2020, 2021, 2022)


def _data_dir() -> Path:
    return Path(str(resources.files("careflow.reform") / "data"))


@functools.cache
def _local_table() -> pl.DataFrame:
    return pl.read_csv(_data_dir() / "local_rates.csv", schema_overrides={"key": pl.Utf8})


@functools.cache
def _published_counts() -> pl.DataFrame:
    path = Path(str(resources.files("careflow.measures") / "data" / "published_counts.csv"))
    cols = ["area_code", "year", "cla_ceased", "ceased_returned_home", "ceased_sgo", "ceased_cao"]
    return pl.read_csv(path, columns=cols, infer_schema_length=0)


@dataclass(frozen=True)
class LocalRates:
    """An area's own mix of starts, exits and placements (shares sum to 1 within each)."""

    area: Area
    non_uasc_share: float
    age_shares: dict[str, float]
    exit_shares: dict[str, float]
    placement_shares: dict[str, float]
    starts_rate_per_10k: float
    sources: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # reason -> age band on ceasing -> share of all exits (sums over bands to exit_shares[reason])
    exit_age_shares: dict[str, dict[str, float]] = field(default_factory=dict)

    def exit_share(self, reason: str, ages: tuple[str, ...] = AGE_BANDS) -> float:
        """The share of all exits that are ``reason`` from the age bands ``ages``: the proportional rise in the
        overall exit hazard when that reason's hazard rises by 1 in those bands only."""
        by_band = self.exit_age_shares.get(reason)
        if not by_band:
            return self.exit_shares[reason] if set(ages) == set(AGE_BANDS) else \
                self.exit_shares[reason] * sum(self.age_shares[b] for b in ages)
        return sum(by_band[b] for b in ages)

    def summary(self) -> dict[str, float]:
        out = {"starts_rate_per_10k": self.starts_rate_per_10k, "non_uasc_share_of_starts": self.non_uasc_share}
        out.update({f"exit_share_{k}": v for k, v in self.exit_shares.items()})
        out.update({f"placement_share_{k}": v for k, v in self.placement_shares.items()})
        for reason, bands in self.exit_age_shares.items():
            out.update({f"exit_share_{reason}_{b}": v for b, v in bands.items()})
        return out


def _sum(df: pl.DataFrame, col: str) -> float | None:
    """Sum over rows, or None if any row is suppressed or missing."""
    vals = df[col].to_list() if col in df.columns else []
    if not vals or any(v is None or v == "" for v in vals):
        return None
    try:
        return float(sum(float(v) for v in vals))
    except ValueError:
        return None


def _national_mix() -> tuple[float, dict[str, float], dict[str, float], dict[str, float]]:
    t = _local_table().filter((pl.col("level") == "national") & pl.col("year").is_in(list(MIX_YEARS)))
    starts = _sum(t, "starts") or 1.0
    non_uasc = 1.0 - (_sum(t, "starts_uasc") or 0.0) / starts
    ages = {b: (_sum(t, f"starts_age_{b}") or 0.0) for b in AGE_BANDS}
    tot = sum(ages.values()) or 1.0
    ages = {b: v / tot for b, v in ages.items()}
    nat = national_table().filter(pl.col("year").is_in(list(EXIT_YEARS)))

    def s(col: str) -> float:
        return float(nat[col].fill_null(0).sum())

    ceased = s("ceased")
    exits = {"home": s("ceased_returned_home") / ceased,
             "sgo_cao": (s("ceased_special_guardianship") + s("ceased_child_arrangement_order")) / ceased,
             "adoption": s("ceased_adopted") / ceased}
    exits["other"] = 1.0 - sum(exits.values())
    last = national_table().filter(pl.col("year") == 2022).row(0, named=True)
    kin = float(last["placed_kinship_foster"]) / float(last["cla"])
    cla = _sum(t, "cla") or 1.0
    homes = (_sum(t, "placed_childrens_home") or 0.0) / cla
    foster = (_sum(t, "placed_foster") or 0.0) / cla
    parents = (_sum(t, "placed_with_parents") or 0.0) / cla
    return non_uasc, ages, exits, _placements(homes, foster, parents, kin)


def national_placement_shares() -> dict[str, float]:
    """England's placement mix at 31 March (kinship from the national table)."""
    return dict(_national_mix()[3])


def _placements(homes: float, foster: float, parents: float, kinship: float) -> dict[str, float]:
    kinship = min(kinship, foster)
    agency = min(AGENCY_SHARE_OF_FOSTER * foster, foster - kinship)
    out = {"residential": homes, "foster_in_house": foster - kinship - agency, "foster_agency": agency,
           "kinship_foster": kinship, "with_parents": parents}
    out["other"] = max(0.0, 1.0 - sum(out.values()))
    return out


def _starts_rate(area: Area) -> float:
    s = load_series(area)
    ok = [(int(y), float(v)) for y, v in zip(s.years, s.starts, strict=True) if np.isfinite(v)]
    last = ok[-3:]
    if not last:
        return float("nan")
    return float(np.mean([v / s.population_for_year(y) * 1e4 for y, v in last]))


@functools.cache
def local_rates(area: str | Area | None = None) -> LocalRates:
    """The area's own rates and mixes (national shares where the area's cells are suppressed, with a note),
    with exits split by age band on ceasing and fostering split into kinship / in-house / agency
    (:mod:`careflow.reform.local_mixes`)."""
    from careflow.reform.local_mixes import with_local_mixes

    return with_local_mixes(_local_rates(area))


def _local_rates(area: str | Area | None = None) -> LocalRates:
    a = resolve_area(area)
    n_non_uasc, n_ages, n_exits, n_place = _national_mix()
    rate = _starts_rate(a)
    if a.level == "national":
        return LocalRates(a, n_non_uasc, n_ages, n_exits, n_place, rate,
                          {"starts": "England", "exits": "England", "placements": "England"})
    sources: dict[str, str] = {}
    notes: list[str] = []
    if a.level != "la":
        notes.append(f"{a.label}: regional mixes are not derived; the national mix of starts, exits and "
                     "placements is used with the region's own starts rate and counterfactual")
        return LocalRates(a, n_non_uasc, n_ages, n_exits, n_place, rate,
                          {"starts": "England", "exits": "England", "placements": "England"}, tuple(notes))
    t = _local_table().filter((pl.col("level") == "la") & (pl.col("key") == a.key)
                              & pl.col("year").is_in(list(MIX_YEARS)))
    starts = _sum(t, "starts")
    uasc = _sum(t, "starts_uasc")
    if starts and uasc is not None:
        non_uasc = 1.0 - uasc / starts
        sources["uasc"] = a.name
    else:
        non_uasc = n_non_uasc
        notes.append(f"{a.name}: UASC starts suppressed; the national share of non-UASC starts is used")
        sources["uasc"] = "England"
    bands = {b: _sum(t, f"starts_age_{b}") for b in AGE_BANDS}
    if all(v is not None for v in bands.values()) and sum(v or 0.0 for v in bands.values()) > 0:
        tot = sum(v or 0.0 for v in bands.values())
        ages = {b: (v or 0.0) / tot for b, v in bands.items()}
        sources["ages"] = a.name
    else:
        known = {b: v for b, v in bands.items() if v is not None}
        if starts and known:  # fill the suppressed bands with the national shape
            rest = max(0.0, starts - sum(known.values()))
            miss = [b for b in AGE_BANDS if b not in known]
            w = sum(n_ages[b] for b in miss) or 1.0
            ages_raw = {b: known.get(b, rest * n_ages[b] / w) for b in AGE_BANDS}
            tot = sum(ages_raw.values()) or 1.0
            ages = {b: v / tot for b, v in ages_raw.items()}
        else:
            ages = dict(n_ages)
        notes.append(f"{a.name}: some age bands of starts are suppressed; filled with the national shape")
        sources["ages"] = f"{a.name} (part)"
    pc = _published_counts().filter((pl.col("area_code") == a.key)
                                    & pl.col("year").is_in([str(y) for y in EXIT_YEARS]))
    ceased = _sum(pc, "cla_ceased")
    exits = dict(n_exits)
    if ceased:
        own: dict[str, float] = {}
        for reason, cols in (("home", ["ceased_returned_home"]), ("sgo_cao", ["ceased_sgo", "ceased_cao"])):
            vals = [_sum(pc.filter(pl.col(c).is_not_null() & ~pl.col(c).is_in(["c", "x", "k", "z", "u"])), c)
                    for c in cols]
            rows = [pc.filter(~pl.col(c).is_in(["c", "x", "k", "z", "u"]) & pl.col(c).is_not_null()).height
                    for c in cols]
            if all(v is not None for v in vals) and min(rows) >= 3:
                # years with a suppressed count are left out of both the count and the denominator
                years_ok = pc.filter(pl.all_horizontal([~pl.col(c).is_in(["c", "x", "k", "z", "u"])
                                                        & pl.col(c).is_not_null() for c in cols]))
                den = _sum(years_ok, "cla_ceased")
                if den:
                    own[reason] = sum(_sum(years_ok, c) or 0.0 for c in cols) / den
        for reason, v in own.items():
            exits[reason] = v
        exits["other"] = max(0.0, 1.0 - exits["home"] - exits["sgo_cao"] - exits["adoption"])
        sources["exits"] = f"{a.name} ({', '.join(sorted(own)) or 'none'}; adoption: England)"
        if len(own) < 2:
            notes.append(f"{a.name}: exit counts suppressed in most years; national exit shares used for "
                         + ", ".join(r for r in ("home", "sgo_cao") if r not in own))
    else:
        sources["exits"] = "England"
        notes.append(f"{a.name}: no published exits by reason; national shares used")
    cla = _sum(t, "cla")
    homes, foster, parents = (_sum(t, c) for c in ("placed_childrens_home", "placed_foster", "placed_with_parents"))
    if cla and homes is not None and foster is not None:
        kin = n_place["kinship_foster"] / max(1e-9, n_place["kinship_foster"] + n_place["foster_in_house"]
                                              + n_place["foster_agency"]) * foster / cla
        placements = _placements(homes / cla, foster / cla,
                                 (parents / cla) if parents is not None else n_place["with_parents"], kin)
        sources["placements"] = f"{a.name} (fostering split with national shares)"
    else:
        placements = dict(n_place)
        sources["placements"] = "England"
        notes.append(f"{a.name}: placements suppressed; the national placement mix is used")
    return LocalRates(a, non_uasc, ages, exits, placements, rate, sources, tuple(notes))


def implied_hazard(stock: np.ndarray, starts: np.ndarray, first: float | np.ndarray) -> np.ndarray:
    """The yearly exit hazard that makes ``stock(t) = stock(t-1) + starts(t) - h(t)(stock(t-1) + starts(t)/2)``
    land on ``stock`` (draws x years) from ``first`` (the stock a year before the first column)."""
    prev = np.concatenate([np.atleast_2d(np.asarray(first, dtype=float)).reshape(-1, 1)
                           * np.ones((stock.shape[0], 1)), stock[:, :-1]], axis=1)
    exposure = prev + starts / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(exposure > 0, (prev + starts - stock) / exposure, 0.3)  # no children (Isles of Scilly): any h
    return np.asarray(np.clip(h, 0.02, 0.95))


@dataclass
class SystemRun:
    """Counterfactual and reform stock-flow runs (draws x years, years ending 31 March 2024 ... 2033)."""

    starts: np.ndarray
    hazard: np.ndarray
    cla_counterfactual: np.ndarray
    cla_reform: np.ndarray
    entries_avoided: np.ndarray
    exits_added: np.ndarray

    @property
    def reduction(self) -> np.ndarray:
        return self.cla_counterfactual - self.cla_reform


def run_system(first_stock: np.ndarray, cf_stock: np.ndarray, starts: np.ndarray, avoided: np.ndarray,
               uplift: np.ndarray, returns: np.ndarray | float = 0.0) -> SystemRun:
    """Run the stock-flow with and without the levers' changed rates.

    ``first_stock`` (draws): CLA a year before the first column; ``cf_stock`` (draws x years): the
    counterfactual; ``starts`` (draws x years): counterfactual starts; ``avoided`` (draws x years): the share of
    all starts the levers avoid; ``uplift`` (draws x years): the proportional rise in the overall exit hazard;
    ``returns``: the yearly hazard at which children who left care through the extra exits come back (e.g. a
    special guardianship breaking down): they re-enter the reform stock.
    """
    h = implied_hazard(cf_stock, starts, first_stock)
    n, t = cf_stock.shape
    base = np.empty((n, t))
    ref = np.empty((n, t))
    entries_avoided = np.empty((n, t))
    exits_added = np.empty((n, t))
    pb = np.asarray(first_stock, dtype=float).reshape(-1) * np.ones(n)
    pr = pb.copy()
    h_r = np.clip(h * (1.0 + uplift), 0.0, 1.0)
    back = np.broadcast_to(np.asarray(returns, dtype=float), (n, t))
    outside = np.zeros(n)  # children out of care through the extra exits, still liable to come back
    for j in range(t):
        s_b = starts[:, j]
        s_r = starts[:, j] * (1.0 - avoided[:, j])
        out_b = h[:, j] * (pb + s_b / 2.0)
        out_r = h_r[:, j] * (pr + s_r / 2.0)
        came_back = back[:, j] * outside
        base[:, j] = pb + s_b - out_b
        ref[:, j] = pr + s_r - out_r + came_back
        entries_avoided[:, j] = s_b - s_r
        exits_added[:, j] = (h_r[:, j] - h[:, j]) * (pr + s_r / 2.0)
        outside = outside - came_back + exits_added[:, j]
        pb, pr = base[:, j], ref[:, j]
    # The counterfactual is the Review's; the levers' effect is the difference the changed rates make.
    reform = cf_stock - (base - ref)
    return SystemRun(starts, h, cf_stock, reform, entries_avoided, exits_added)
