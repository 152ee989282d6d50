"""The estimators recover known hazards, count censored spells as exposure, and refuse empty windows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from toy import toy_hazards

from careflow.flows import EntryRates, FlowDataError, FlowModel, TransitionRates


def test_recovers_toy_hazards(toy):
    est = TransitionRates(reference_years=5).fit(toy)
    cats, exits, h, _ = toy_hazards()
    st = est.states_
    ci = [st.category_names.index(c) for c in cats]
    ei = [len(st.categories) + st.exit_names.index(e) for e in exits]
    events = est.events_.sum(axis=0)
    exposure = est.exposure_months_.sum(axis=0)
    for a, i in enumerate(ci):
        got = events[i, ci + ei] / exposure[i]
        want = h[a]
        se = np.sqrt(np.maximum(want, 1e-4) / exposure[i])
        assert np.all(np.abs(got - want) < 4 * se + 1e-3), (cats[a], got, want)


def test_entries_recovered(toy):
    est = EntryRates(reference_years=5).fit(toy)
    assert est.rates_.sum() == pytest.approx(30, rel=0.08)
    assert est.age_pmf_.shape == (216,)


def test_censored_spells_add_exposure_not_events(toy):
    """Children still in care at the window's end are censored, not dropped: with them the rate is lower."""
    model = FlowModel(reference_years=3).fit(toy)
    spells = model.clean_.spells
    assert (spells["to"] == -1).sum() > 0
    exposure_all = model.transitions_.exposure_months_.sum()
    events_all = model.transitions_.events_.sum()
    # exposure of spells open at the end is part of the total
    assert exposure_all > events_all / 0.2


def test_rates_per_10k_use_population(toy):
    counts = EntryRates(reference_years=3).fit(toy)
    rates = EntryRates(reference_years=3, entries="rates", population="Hartlepool").fit(toy)
    months = [date(2022, 4, 30)]
    assert rates.expected(months).sum() == pytest.approx(counts.expected(months).sum(), rel=0.02)


def test_window_without_data_is_a_clear_error(toy):
    with pytest.raises(FlowDataError, match="holds no episodes; the data cover"):
        FlowModel(reference_start=date(2001, 1, 1), reference_end=date(2003, 3, 31)).fit(toy)


def test_rates_population_required(toy):
    with pytest.raises(ValueError, match="needs a population series"):
        FlowModel(entries="rates").fit(toy)


def test_empty_state_borrows_and_is_reported(toy_model):
    assert np.all(np.isfinite(toy_model.rates_))
    codes = {i.code for i in toy_model.issues_}
    assert "empty-state" in codes  # the toy has no secure or supported accommodation placements
