"""Invariants of the lever engine (property tests)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from careflow.reform.levers import evaluate, load_levers, load_system_parameters

LEVERS = load_levers()
SYSTEM = load_system_parameters()


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(LEVERS)), st.floats(0.0, 3.0))
def test_scaling_an_area_scales_every_pound_and_child(name: str, scale: float) -> None:
    base = evaluate(LEVERS[name], SYSTEM)
    scaled = evaluate(LEVERS[name], SYSTEM, scale=scale)
    assert np.allclose(scaled.net, base.net * scale)
    assert np.allclose(scaled.cla_reduction, base.cla_reduction * scale)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([n for n, lv in LEVERS.items() if lv.effects]), st.floats(0.0, 2.0))
def test_moved_children_follow_the_stock_identity(name: str, factor: float) -> None:
    lever = LEVERS[name]
    effect = lever.effects[-1]
    mult = {f"{name}.{c}" if c in lever.parameters else c: np.array([factor]) for c in effect.children[:1]}
    r = evaluate(lever, SYSTEM, mult)
    stock = r.moved[effect.name][0]
    hazard = (lever.parameters.get(effect.hazard) or SYSTEM[effect.hazard]).by_financial_year(2023, 10)
    inflow = np.ones(10)
    for c in effect.children:
        p = lever.parameters.get(c) or SYSTEM[c]
        inflow = inflow * p.by_financial_year(2023, 10)
    inflow = inflow * factor
    prev = np.concatenate([[0.0], stock[:-1]])
    assert np.allclose(stock, prev * (1 - hazard) + inflow)
    assert (stock >= 0).all()


def test_a_lever_with_no_effect_moves_nobody() -> None:
    r = evaluate(LEVERS["kinship_leave"], SYSTEM)
    assert not r.cla_reduction.any() and (r.net <= 0).all()
