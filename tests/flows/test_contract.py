"""One contract test for every estimator: scikit-learn's rules, without scikit-learn."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from careflow.flows import CompetingRiskDurations, EntryRates, FlowModel, NotFittedError, TransitionRates

ESTIMATORS = [TransitionRates, CompetingRiskDurations, EntryRates, FlowModel]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_estimator_contract(cls, toy):
    # The constructor takes keyword-only arguments and only stores them.
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    assert all(p.kind is p.KEYWORD_ONLY for p in params)
    est = cls(reference_years=2)
    assert est.get_params()["reference_years"] == 2
    assert not any(k.endswith("_") for k in vars(est)), "nothing learned before fit"
    assert not est.is_fitted()
    # fit returns self; what is learned ends in an underscore.
    assert est.fit(toy) is est
    learned = {k for k in vars(est) if k.endswith("_")}
    assert learned, "fit learns something"
    assert set(vars(est)) - learned == set(est.get_params()), "only parameters and learned state"
    # parameters untouched by fit; clone gives an unfitted twin; refit is deterministic
    assert est.get_params()["reference_years"] == 2
    twin = est.clone().fit(toy)
    for name in learned:
        a, b = getattr(est, name), getattr(twin, name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="no parameter"):
        est.set_params(not_a_parameter=1)
    assert "reference_years=2" in repr(est)


def test_unfitted_model_says_so():
    with pytest.raises(NotFittedError, match="call fit"):
        FlowModel().predict(12)
