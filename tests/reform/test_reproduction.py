"""The Review's case reproduced from cited parameters: targets from 001_8bebe4ae25a58006.txt:3945 and :4024-4056."""

from __future__ import annotations

import numpy as np
import pytest

from careflow.reform import run
from careflow.reform.published import (
    REVIEW_CLA_2032,
    REVIEW_DIVERTED_2032_33,
    REVIEW_SPEND_2032_GBP_BN,
    REVIEW_TABLE,
    REVIEW_TABLE_GROUPS,
    REVIEW_TOTALS,
)


@pytest.fixture(scope="module")
def review():  # type: ignore[no-untyped-def]
    return run()


def test_yearly_totals_within_10_percent(review) -> None:  # type: ignore[no-untyped-def]
    ours = review.total[0]
    for year, (o, t) in enumerate(zip(ours, REVIEW_TOTALS, strict=True), start=1):
        assert abs(o / t - 1) <= 0.10, f"year {year}: ours {o:.0f} vs the Review's {t}"


@pytest.mark.parametrize("lever", sorted(REVIEW_TABLE))
def test_each_levers_ten_year_sum_within_15_percent(review, lever: str) -> None:  # type: ignore[no-untyped-def]
    ours = float(review.levers[lever].net[0].sum())
    target = float(sum(REVIEW_TABLE[lever][1]))
    assert abs(ours / target - 1) <= 0.15, f"{lever}: ours {ours:.0f} vs the Review's {target:.0f}"


def test_group_rows_sum_their_levers(review) -> None:  # type: ignore[no-untyped-def]
    for group, (_, row) in REVIEW_TABLE_GROUPS.items():
        ours = review.group_net[group][0]
        assert abs(ours.sum() / sum(row) - 1) <= 0.15, group
    total = sum(v[0] for v in review.group_net.values())
    assert np.allclose(total, review.total[0])


def test_thirty_thousand_fewer_children_in_2032_33_split_17_10_3(review) -> None:  # type: ignore[no-untyped-def]
    total = float(review.cla_reduction_2032_33()[0])
    assert abs(total - 30_000) <= 1_500
    for group, target in REVIEW_DIVERTED_2032_33.items():
        ours = float(review.diverted[group][0, -1])
        assert abs(ours - target) <= max(0.10 * target, 300), f"{group}: {ours:.0f} vs {target}"


def test_cla_with_reform_is_the_counterfactual_less_the_diverted(review) -> None:  # type: ignore[no-untyped-def]
    j = int(np.nonzero(review.cla_years == 2033)[0][0])
    gap = review.cla_counterfactual[0, j] - review.cla_reform[0, j]
    assert gap == pytest.approx(float(review.cla_reduction_2032_33()[0]))


def test_counterfactual_lands_near_the_reviews_endpoints(review) -> None:  # type: ignore[no-untyped-def]
    j = int(np.nonzero(review.cla_years == 2032)[0][0])
    assert abs(review.cla_counterfactual[0, j] / REVIEW_CLA_2032 - 1) <= 0.08  # 'approaching 100,000'
    k = int(np.nonzero(review.spend_years == 2032)[0][0])
    assert review.spend_counterfactual[0, k] > REVIEW_SPEND_2032_GBP_BN  # 'over £15 billion'
    assert review.spend_counterfactual[0, 0] == pytest.approx(10.0)  # '£10 billion now'


def test_investment_and_break_even_match_the_text(review) -> None:  # type: ignore[no-untyped-def]
    # £2.6bn over four years with £50m of uncosted items (001:3937-3941): table years 1-4 sum to about -2,523.
    assert abs(float(review.total[0, :4].sum()) + 2523) <= 0.05 * 2523
    # Savings exceed costs from year 5 (001:4058).
    assert review.total[0, 3] < 0 < review.total[0, 4]
    assert review.break_even_year() == "2029-30"  # cumulative, derived from the table (+157 in year 7)


def test_family_help_care_savings_over_five_years_near_517m(review) -> None:  # type: ignore[no-untyped-def]
    # '£517 million in care costs over the next five years' (001:1144), one of Family Help's calibration targets.
    savings = float(review.levers["family_help"].savings[0, :5].sum())
    assert abs(savings / 517 - 1) <= 0.10
    # 'roughly £2 billion' net over five years (001:1136), not a target: the net of years 1-5.
    assert 1800 <= -float(review.levers["family_help"].net[0, :5].sum()) <= 2200
