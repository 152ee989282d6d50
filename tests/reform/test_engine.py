"""Invariants of the lever engine (property tests)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from careflow.reform.levers import evaluate, load_levers, load_system_parameters, national_context

LEVERS = load_levers()
SYSTEM = load_system_parameters()
CTX = national_context()


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(n for n, lv in LEVERS.items() if not any(e.reduces_cla for e in lv.effects)
                              and not any(e.kind in {"price", "margin_price"} for e in lv.effects))),
       st.floats(0.0, 3.0))
def test_scaling_an_area_scales_every_national_pound_and_child(name: str, scale: float) -> None:
    base = evaluate(LEVERS[name], SYSTEM, context=CTX, scale=1.0)
    scaled = evaluate(LEVERS[name], SYSTEM, context=CTX, scale=scale)
    assert np.allclose(scaled.net, base.net * scale)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([n for n, lv in LEVERS.items() if any(e.kind == "placement_shift" for e in lv.effects)]),
       st.floats(0.0, 2.0))
def test_moved_children_follow_the_stock_identity(name: str, factor: float) -> None:
    lever = LEVERS[name]
    effect = next(e for e in lever.effects if e.kind == "placement_shift")
    mult = {f"{name}.{c}" if c in lever.parameters else c: np.array([factor]) for c in effect.children[:1]}
    r = evaluate(lever, SYSTEM, mult, context=CTX)
    stock = r.moved[effect.name][0]
    hazard = (lever.parameters.get(str(effect.hazard)) or SYSTEM[str(effect.hazard)]).by_financial_year(2023, 10)
    inflow = np.ones(10)
    for c in effect.children:
        p = lever.parameters.get(c) or SYSTEM[c]
        inflow = inflow * p.by_financial_year(2023, 10)
    assert r.reach is not None
    inflow = inflow * factor * r.reach[0]
    prev = np.concatenate([[0.0], stock[:-1]])
    assert np.allclose(stock, prev * (1 - hazard) + inflow)
    assert (stock >= 0).all()


def test_a_lever_with_no_effect_moves_nobody() -> None:
    r = evaluate(LEVERS["kinship_leave"], SYSTEM)
    assert not r.cla_reduction.any() and (r.net <= 0).all()
