"""Stock-flow model, the Review's counterfactual, areas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careflow.reform import UnknownAreaError, resolve_area
from careflow.reform.errors import ReformError
from careflow.reform.series import all_areas, load_series
from careflow.reform.stockflow import (
    back_test,
    ceased_reason_shares,
    fit_stock_flow,
    la_counterfactuals,
    project_stock_flow,
    review_counterfactual,
)


def test_national_series_spans_1994_to_2022() -> None:
    s = load_series()
    assert s.years[0] == 1994 and s.last_year == 2022
    assert s.value("cla", 2022) == 82170  # DfE 2022 release (the README's vintage note)


def test_review_counterfactual_formula() -> None:
    p = review_counterfactual(base_year=2021, trend="linear")
    s = load_series()
    r21 = s.value("cla", 2021) / s.population_for_year(2021) * 1e4
    r16 = s.value("cla", 2016) / s.population_for_year(2016) * 1e4
    expected = (r21 + (r21 - r16) / 5 * 11) * s.population_for_year(2032) / 1e4
    assert p.at(2032) == pytest.approx(expected)
    assert p.at(2021) == 80780
    compound = review_counterfactual(base_year=2021, trend="compound")
    assert compound.at(2032) > p.at(2032)


def test_population_growth_can_be_an_array_of_draws() -> None:
    p = review_counterfactual(population_growth=np.array([-0.005, 0.0, 0.005]))
    last = p.stock[:, -1]
    assert last.shape == (3,) and last[0] < last[1] < last[2]


@settings(max_examples=25, deadline=None)
@given(st.floats(0.5, 1.5), st.floats(0.1, 0.6))
def test_stock_flow_identity(starts_multiplier: float, hazard: float) -> None:
    fit = fit_stock_flow()
    p = project_stock_flow(fit, starts_multiplier=starts_multiplier, hazard=hazard)
    assert p.starts is not None and p.ceased is not None
    future = p.stock[~p.is_observed]
    prev = np.concatenate([[fit.stock_base], future[:-1]])
    assert np.allclose(future, prev + p.starts - p.ceased)
    assert (future >= 0).all()


def test_stock_flow_fit_is_plausible() -> None:
    fit = fit_stock_flow()
    assert 20 < fit.starts_rate_base < 30
    assert 0.25 < fit.hazard_mean < 0.4
    p = project_stock_flow(fit)
    assert 80_000 < p.at(2033) < 120_000


def test_ceased_reason_shares_sum_to_one() -> None:
    shares = ceased_reason_shares()
    assert sum(shares.values()) == pytest.approx(1.0)
    assert {"returned_home", "special_guardianship", "adopted"} <= set(shares)


def test_back_test_is_reported() -> None:
    result = back_test(base_year=2017, test_year=2022)
    assert abs(result["error_fraction"]) < 0.15


def test_regions_and_las_run() -> None:
    for name in ("London", "leeds", "383", "E08000035", "North Northamptonshire"):
        area = resolve_area(name)
        assert area.level in {"region", "la"}
    leeds = review_counterfactual("Leeds")
    assert 1000 < leeds.at(2033) < 2500


def test_an_la_without_five_years_history_borrows_its_regions_trend() -> None:
    p = review_counterfactual("North Northamptonshire")
    assert any("takes the trend of East Midlands" in n for n in p.notes)
    assert p.at(2033) > p.at(2022) > 0
    with pytest.raises(ReformError, match="needs published CLA for 2017 and 2022; the data cover 2010-2021"):
        review_counterfactual("928", base_year=2022)  # Northamptonshire, abolished in 2021


def test_all_152_las_at_once() -> None:
    cf = la_counterfactuals()
    assert cf.stock.shape == (152, 12)
    assert np.isfinite(cf.stock).all() and (cf.stock >= 0).all()  # a steep linear fall is floored at zero
    assert cf.used_region_trend.sum() <= 6  # reorganised LAs borrow their region's trend
    total = cf.stock[:, -1].sum()
    national = review_counterfactual().at(2033)
    assert abs(total / national - 1) < 0.15


def test_unknown_area_suggests_the_nearest() -> None:
    with pytest.raises(UnknownAreaError, match="Did you mean 'Leeds'"):
        resolve_area("Leeeds")
    with pytest.raises(KeyError):
        resolve_area("Atlantis")


def test_years_outside_the_model_are_refused() -> None:
    with pytest.raises(ReformError, match="beyond the model's years"):
        review_counterfactual(to_year=2040)
    with pytest.raises(ReformError, match="must be after"):
        review_counterfactual(base_year=2021, to_year=2020)


def test_every_area_is_named() -> None:
    areas = all_areas()
    assert areas[0].name == "England"
    assert sum(a.level == "region" for a in areas) >= 9


@pytest.mark.parametrize("measure", ["cin", "cpp"])
def test_children_in_need_and_protection_plans(measure: str) -> None:
    p = review_counterfactual(measure=measure)
    assert p.at(2033) > 0
    fit = fit_stock_flow(measure=measure)
    sf = project_stock_flow(fit)
    assert sf.measure == measure and sf.at(2022) == load_series().value(measure, 2022)
    future = sf.stock[~sf.is_observed]
    assert sf.starts is not None and sf.ceased is not None
    prev = np.concatenate([[fit.stock_base], future[:-1]])
    assert np.allclose(future, prev + sf.starts - sf.ceased)


def test_flows_for_cin_are_national_only() -> None:
    with pytest.raises(ReformError, match="only for England"):
        fit_stock_flow("Leeds", measure="cin")
