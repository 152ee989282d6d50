"""The vectorised counterfactual for all LAs is the Review's method, LA by LA (issue 10, item 5)."""

from __future__ import annotations

import numpy as np
import pytest

from careflow.reform import la_counterfactuals, review_counterfactual


@pytest.mark.parametrize(("trend", "growth"), [("linear", 0.0), ("compound", 0.004)])
def test_la_counterfactuals_agree_with_review_counterfactual_for_every_la(trend: str, growth: float) -> None:
    cf = la_counterfactuals(trend=trend, population_growth=growth)
    assert len(cf.areas) == 152
    for i, area in enumerate(cf.areas):
        one = review_counterfactual(area, trend=trend, population_growth=growth)
        expected = np.array([one.at(int(y)) for y in cf.years])
        np.testing.assert_allclose(cf.stock[i], expected, rtol=1e-9, err_msg=area.label)


def test_north_east_lincolnshire_2023_is_the_reviews_figure() -> None:
    # The example: the old vectorised trend gave 844 against the Review's method's 717.
    cf = la_counterfactuals()
    i = [a.name for a in cf.areas].index("North East Lincolnshire")
    j = int(np.nonzero(cf.years == 2023)[0][0])
    assert cf.stock[i, j] == pytest.approx(review_counterfactual("North East Lincolnshire").at(2023))
    assert 700 < cf.stock[i, j] < 730


def test_population_follows_the_ons_estimates_after_2021() -> None:
    # Held at mid-2021 before; now the mid-2022 to mid-2024 estimates are used, then the stated growth.
    flat = la_counterfactuals(population_growth=0.0)
    grown = la_counterfactuals(population_growth=0.01)
    j25, j26 = (int(np.nonzero(flat.years == y)[0][0]) for y in (2025, 2026))
    from careflow.reform.series import load_series

    # 2025 uses mid-2024: no assumption yet, except where the estimates stop earlier (Cumbria, split in 2023)
    to_2024 = np.array([load_series(a).population_mid_years.max() >= 2024 for a in flat.areas])
    assert to_2024.sum() >= 150
    np.testing.assert_allclose(flat.stock[to_2024, j25], grown.stock[to_2024, j25])
    assert (grown.stock[~to_2024, j25] > flat.stock[~to_2024, j25]).all()
    assert (grown.stock[:, j26] > flat.stock[:, j26]).sum() > 140
