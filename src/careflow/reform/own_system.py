"""A local authority's own system from its SSDA903 returns, for ``careflow reform --returns DIR``.

:func:`from_returns` reads the returns in any folder layout :func:`careflow.returns.read_folder` reads (for example
what ``careflow synth`` writes), measures the LA's flows over the last three years of data through the flow
model's own estimators (:func:`careflow.flows.export.fitted_flows`), and turns them into the reform model's
rates:

* starts a year by age band on starting (0-4, 5-9, 10-15, 16+);
* exits by reason (home; special guardianship or child arrangements order; adoption; other: leaving care at 18,
  independent living, custody, ...) and age band: the share of all exits, and the yearly hazard by band
  (exits / child-years in care);
* placements at the window's end: children's homes and secure units, kinship foster care, in-house fostering,
  independent fostering agencies, placed with parents, other.

The counterfactual is the LA's own stock-flow run forward on those rates held flat (starts a year and the overall
exit hazard of the window) from its children in care at the window's end; the levers then change the rates
exactly as for a published area. National money and volumes are scaled by the LA's share of England's children
looked after (31 March 2022). Unaccompanied asylum-seeking children are not marked in the episodes the flows read,
so England's UASC share of starts is used, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from careflow.errors import CareflowError
from careflow.reform.series import Area, load_series
from careflow.reform.system import AGE_BANDS, EXIT_REASONS, LocalRates, local_rates

__all__ = ["OwnSystem", "from_flows", "from_returns"]

# flows' age bands (state config 1) -> the reform's bands; flows' exits and placements -> the reform's
_BAND = {"under_1": "0_4", "age_1_to_4": "0_4", "age_5_to_9": "5_9", "age_10_to_15": "10_15",
         "age_16_to_17": "16_plus"}
_EXIT = {"home": "home", "special_guardianship": "sgo_cao", "child_arrangements": "sgo_cao", "adoption": "adoption",
         "leaving_care": "other", "other": "other"}
_PLACE = {"kinship_foster": "kinship_foster", "foster_in_house": "foster_in_house",
          "foster_independent": "foster_agency", "childrens_home": "residential", "secure": "residential",
          "placed_with_parents": "with_parents", "supported_accommodation": "other", "placed_for_adoption": "other",
          "other": "other"}
ENGLAND_CLA_YEAR = 2022


@dataclass(frozen=True)
class OwnSystem:
    """An LA's own rates from its returns, and what the counterfactual starts from."""

    area: Area
    rates: LocalRates
    stock_at_end: float
    end_year: int  # the stock is at 31 March of this year (the window's end)
    starts_per_year: float
    hazard: float  # overall exits a year / children in care
    scale: float  # the LA's share of England's children looked after
    window: str
    hazards_by_band: dict[str, dict[str, float]]

    def counterfactual(self, last_year: int = 2033) -> tuple[np.ndarray, np.ndarray]:
        """Years ending 31 March ``end_year`` ... ``last_year`` and the stock on flat rates."""
        years = np.arange(self.end_year, last_year + 1)
        stock = np.empty(years.size)
        stock[0] = self.stock_at_end
        for i in range(1, years.size):
            prev = stock[i - 1]
            stock[i] = prev + self.starts_per_year - self.hazard * (prev + self.starts_per_year / 2.0)
        return years, stock


def from_flows(flows: object, name: str) -> OwnSystem:
    """The reform's rates from :class:`careflow.flows.export.FittedFlows`."""
    from careflow.flows.export import FittedFlows

    assert isinstance(flows, FittedFlows)
    f = flows
    unknown = [b for b in f.bands if b not in _BAND] + [e for e in f.exits if e not in _EXIT] + [
        c for c in f.categories if c not in _PLACE]
    if unknown:
        raise CareflowError(f"careflow reform --returns: the flows state config has names the reform does not map: "
                            f"{', '.join(unknown)}")
    starts = {b: 0.0 for b in AGE_BANDS}
    for i, b in enumerate(f.bands):
        starts[_BAND[b]] += float(f.starts_per_year[i])
    total_starts = sum(starts.values())
    exits = {r: {b: 0.0 for b in AGE_BANDS} for r in EXIT_REASONS}
    child_years = {b: 0.0 for b in AGE_BANDS}
    for i, b in enumerate(f.bands):
        child_years[_BAND[b]] += float(f.child_years_per_year[i])
        for j, e in enumerate(f.exits):
            exits[_EXIT[e]][_BAND[b]] += float(f.exits_per_year[i, j])
    total_exits = sum(v for r in exits.values() for v in r.values())
    stock = float(f.stock_end.sum())
    if total_starts <= 0 or total_exits <= 0 or stock <= 0:
        raise CareflowError(f"careflow reform --returns: {name} has no starts, exits or children in care in its last "
                            f"three years of data ({f.start} to {f.end}); the reform needs all three")
    places = {p: 0.0 for p in ("residential", "foster_in_house", "foster_agency", "kinship_foster", "with_parents",
                               "other")}
    for j, c in enumerate(f.categories):
        places[_PLACE[c]] += float(f.stock_end[:, j].sum())
    england = local_rates(None)
    area = Area("returns", "returns", name)
    rates = LocalRates(
        area=area, non_uasc_share=england.non_uasc_share,
        age_shares={b: v / total_starts for b, v in starts.items()},
        exit_shares={r: sum(v.values()) / total_exits for r, v in exits.items()},
        placement_shares={p: v / stock for p, v in places.items()},
        starts_rate_per_10k=float("nan"),
        sources={"starts": f"{name} ({f.start} to {f.end})", "exits": f"{name} ({f.start} to {f.end})",
                 "exits_by_age": f"{name} ({f.start} to {f.end})", "placements": f"{name} at {f.end}",
                 "uasc": "England"},
        notes=(f"{name}: unaccompanied asylum-seeking children are not marked in the episodes; England's share of "
               f"non-UASC starts ({england.non_uasc_share:.0%}) is used",
               f"{name}: the counterfactual holds the LA's own starts ({total_starts:,.0f} a year) and exit hazard "
               "flat from its last three years of data"),
        exit_age_shares={r: {b: v / total_exits for b, v in by.items()} for r, by in exits.items()},
    )
    hazards = {r: {b: (exits[r][b] / child_years[b]) if child_years[b] > 0 else 0.0 for b in AGE_BANDS}
               for r in EXIT_REASONS}
    england_cla = load_series(None).value("cla", ENGLAND_CLA_YEAR)
    end_year = f.end.year if (f.end.month, f.end.day) == (3, 31) else f.end.year - (1 if f.end.month < 4 else 0)
    return OwnSystem(area=area, rates=rates, stock_at_end=stock, end_year=end_year, starts_per_year=total_starts,
                     hazard=total_exits / max(1e-9, sum(child_years.values())), scale=stock / england_cla,
                     window=f"{f.start} to {f.end}", hazards_by_band=hazards)


def from_returns(folder: str | Path) -> OwnSystem:
    """Read an LA's SSDA903 returns and measure its own system (see the module docstring)."""
    from careflow.flows._cli import load_data
    from careflow.flows.export import fitted_flows

    data, _issues, _label, end = load_data(folder)
    flows = fitted_flows(data, data_end=end)
    name = f"{Path(folder).name} (own returns)"
    if flows.local_authorities:
        name = f"{', '.join(flows.local_authorities)} (own returns, {Path(folder).name})"
    own = from_flows(flows, name)
    return own
