"""The Review's case as a test of the model, not its target (001_8bebe4ae25a58006.txt:3945 and :4024-4056).

Three numbers are fitted (one scale-down per lever group, to the 17,000 / 10,000 / 3,000 split); the lever rows
and the yearly totals are predicted, and printed beside the Review's with their gaps.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from careflow.reform import cli_main, run
from careflow.reform.calibrate import SCALE_DOWNS, fit_scale_downs, fitted_numbers
from careflow.reform.published import (
    REVIEW_CLA_2032,
    REVIEW_DIVERTED_2032_33,
    REVIEW_SPEND_2032_GBP_BN,
    REVIEW_TABLE,
    REVIEW_TABLE_GROUPS,
)


@pytest.fixture(scope="module")
def review():  # type: ignore[no-untyped-def]
    return run()


def test_at_most_three_fitted_numbers_act_on_children(review) -> None:  # type: ignore[no-untyped-def]
    nums = fitted_numbers(review.package.levers, review.package.system)
    scale = [n for n in nums if n.kind == "scale_down"]
    assert len(scale) <= 3 and {n.name for n in scale} <= set(SCALE_DOWNS.values())
    # No lever that moves children carries a fitted number of its own: its rows are predicted.
    for name in review.package.enabled:
        lever = review.package.levers[name]
        if lever.effects:
            fitted = [p for p, v in lever.parameters.items() if v.calibrated]
            assert not fitted, f"{name} has fitted parameters {fitted}"


def test_thirty_thousand_split_17_10_3_within_10_percent(review) -> None:  # type: ignore[no-untyped-def]
    for group, target in REVIEW_DIVERTED_2032_33.items():
        ours = float(review.diverted[group][0, -1])
        assert abs(ours / target - 1) <= 0.10, f"{group}: {ours:.0f} vs {target}"


def test_the_shipped_scale_downs_are_the_fit() -> None:
    fit = fit_scale_downs()
    for group, value in fit.items():
        shipped = run().package.system[SCALE_DOWNS[group]].first_value
        assert value == pytest.approx(shipped, abs=0.01), group


def test_reform_cla_comes_out_of_the_changed_rates(review) -> None:  # type: ignore[no-untyped-def]
    # All levers at once, through the stock-flow with changed rates: close to, not equal to, the sum of the
    # levers one at a time (their effects interact: a child not entering care cannot also leave it earlier).
    joint = float(review.cla_reduction_2032_33()[0])
    alone = sum(float(v[0, -1]) for v in review.diverted.values())
    assert joint != pytest.approx(alone, rel=1e-6)
    assert abs(joint / alone - 1) < 0.1
    j = int(np.nonzero(review.cla_years == 2033)[0][0])
    assert review.cla_counterfactual[0, j] - review.cla_reform[0, j] == pytest.approx(joint)


def test_rows_and_totals_are_predicted_and_printed_with_their_gaps() -> None:
    out = io.StringIO()
    assert cli_main(None, "England", None, draws=0, out=out) == 0
    text = out.getvalue()
    assert "PREDICTED" in text and "gap of the yearly total" in text
    lines = text.splitlines()
    for name in REVIEW_TABLE:
        title = run().package.levers[name].title[:38]
        row = next(line for line in lines if line.strip().lstrip("= ").startswith(title))
        assert "(" in row and row.split()[-1].replace("−", "-").lstrip("-").replace(",", "").isdigit()


def test_group_rows_sum_their_levers(review) -> None:  # type: ignore[no-untyped-def]
    for group in REVIEW_TABLE_GROUPS:
        members = [n for n in review.levers if review.package.levers[n].group == group]
        assert np.allclose(review.group_net[group][0], sum(review.levers[n].net[0] for n in members))
    assert np.allclose(sum(v[0] for v in review.group_net.values()), review.total[0])


def test_counterfactual_lands_near_the_reviews_endpoints(review) -> None:  # type: ignore[no-untyped-def]
    j = int(np.nonzero(review.cla_years == 2032)[0][0])
    assert abs(review.cla_counterfactual[0, j] / REVIEW_CLA_2032 - 1) <= 0.08  # 'approaching 100,000'
    k = int(np.nonzero(review.spend_years == 2032)[0][0])
    assert review.spend_counterfactual[0, k] > REVIEW_SPEND_2032_GBP_BN  # 'over £15 billion'
    assert review.spend_counterfactual[0, 0] == pytest.approx(10.0)  # '£10 billion now'
