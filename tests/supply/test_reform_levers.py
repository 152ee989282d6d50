"""The reform model's fostering and RCC levers act through careflow.supply: no fitted numbers, no pro-rata reach."""

from __future__ import annotations

import numpy as np
import pytest

from careflow.reform.calibrate import fit_report, fitted_numbers
from careflow.reform.levers import evaluate, load_levers, load_system_parameters, national_context
from careflow.supply.placements import managed_market_price_fall, places_per_recruit, recruits_in_post
from careflow.supply.sufficiency import national_fostering_overflow

LEVERS = load_levers()
SYSTEM = load_system_parameters()
CTX = national_context()


def test_fostering_recruits_come_through_the_funnel_and_leave_at_the_carers_hazards() -> None:
    lever = LEVERS["fostering_recruitment"]
    assert lever.dose is None and [e.kind for e in lever.effects] == ["carer_supply"]
    full = evaluate(lever, SYSTEM, context=CTX)
    recruits = np.array([[3000.0, 3000.0, 3000.0] + [0.0] * 7])  # 001_8bebe4ae25a58006.txt:2406 (2023-2026)
    in_post = recruits_in_post(recruits)
    expected = np.concatenate([[0.0], in_post[0, :-1]]) * places_per_recruit()  # fostering from the next year
    assert np.allclose(full.moved["carers_in_post"][0], expected)
    # Carers leave: fewer of the 9,000 foster each year after the campaign ends.
    assert np.all(np.diff(full.moved["carers_in_post"][0, 4:]) < 0)
    # The money buys the recruits: half the money, half the carers; none, none.
    half = evaluate(lever, SYSTEM, context=CTX, money_scale=0.5)
    none = evaluate(lever, SYSTEM, context=CTX, money_scale=0.0)
    assert np.allclose(half.moved["carers_in_post"], full.moved["carers_in_post"] / 2)
    assert np.allclose(none.savings, 0.0) and np.allclose(none.costs, 0.0)


def test_fostering_savings_split_between_residential_and_agency_by_the_sufficiency_overflow() -> None:
    lever = LEVERS["fostering_recruitment"]
    r = evaluate(lever, SYSTEM, context=CTX)
    overflow = national_fostering_overflow()
    assert overflow[2023] > 0  # England's baseline has children who need a family and go to a home instead
    places = r.moved["carers_in_post"][0]
    index = (1 + SYSTEM["spend.unit_cost_growth"].first_value) ** np.arange(10)
    years = range(2024, 2034)
    from_res = np.array([min(p, overflow.get(y, overflow[max(overflow)])) for p, y in zip(places, years, strict=True)])
    weekly = {k: SYSTEM[f"unit_costs.{k}"].by_financial_year(2023, 1)[0] for k in ("residential", "foster",
                                                                                   "foster_agency")}
    expected = (from_res * (weekly["residential"] - weekly["foster"])
                + (places - from_res) * (weekly["foster_agency"] - weekly["foster"])) * 52e-6 * index
    assert np.allclose(r.savings[0], expected, rtol=1e-9)


def test_rcc_prices_fall_within_the_cited_margins_where_cooperatives_are_set_up() -> None:
    lever = LEVERS["regional_care_cooperatives"]
    assert {e.kind for e in lever.effects} == {"margin_price"}
    r = evaluate(lever, SYSTEM, context=CTX)
    home = r.price_fall["childrens_home_price"][0]
    agency = r.price_fall["agency_fostering_price"][0]
    assert home.max() <= 0.226 and agency.max() <= 0.194  # 001_8bebe4ae25a58006.txt:2214-2219
    assert home.max() == pytest.approx(managed_market_price_fall("residential") * 0.83)
    assert np.all(home[:2] == 0)  # nothing before the cooperatives run (001_8bebe4ae25a58006.txt:4002)
    # No set-up money, no cooperatives, no saving; a quarter of it sets up 5 of the 20.
    assert np.allclose(evaluate(lever, SYSTEM, context=CTX, money_scale=0.0).savings, 0.0)
    quarter = evaluate(lever, SYSTEM, context=CTX, money_scale=0.25)
    assert quarter.price_fall["childrens_home_price"][0].max() == pytest.approx(home.max() * 5 / 20)


def test_no_fitted_numbers_were_added_and_the_split_still_holds() -> None:
    nums = fitted_numbers()
    assert sum(n.kind == "scale_down" for n in nums) == 3
    assert not [n for n in nums if n.name.startswith(("fostering_recruitment", "regional_care_cooperatives"))]
    for row in fit_report():
        assert abs(row["error"]) <= 0.10
