"""Lever effects that act through the supply model (:mod:`careflow.supply`), not through a fitted or pro-rata reach.

Two effect kinds, used by ``fostering_recruitment`` and ``regional_care_cooperatives``:

``carer_supply``
    The lever's money buys recruits through the funnel at the cited cost per recruit (``recruit_cost``; £76m for
    9,000 carers, 001_8bebe4ae25a58006.txt:3961; 1.35% of enquiries become approved households,
    001_8bebe4ae25a58006.txt:2387): recruits = spend / cost per recruit, so no money recruits no one and half the
    money half the carers. Recruits then leave at the carers' hazards (:func:`careflow.supply.placements.
    recruits_in_post`: leaving, turning 60 and retiring; two-thirds of carers are over 50,
    000_dab62616b6dfd7b9.txt:2495). Each household still fostering at the start of a year holds places per
    household x occupancy children through it (approved in one year, fostering from the next: an assumption).
    Those places first take children who would otherwise go to a children's home for want of a foster family
    (England's baseline fostering overflow, :func:`careflow.supply.sufficiency.national_fostering_overflow`,
    held at its last year after the outlook's horizon), saving ``instead_of`` (residential) less ``to``; the rest
    take children from independent agencies (``from``), saving agency less in-house.
``margin_price``
    A cooperative brings the private providers' margins down to a managed market's (Scotland's profit per child,
    001_8bebe4ae25a58006.txt:2341): the price falls by :func:`careflow.supply.placements.managed_market_price_fall`,
    within the cited margins, on the children with private providers only (83% of children's homes,
    001_8bebe4ae25a58006.txt:2208), times ``scale_down`` (the share of that benchmark reached, dated by when
    cooperatives run). Cooperatives work only where they are set up: up to 20 (001_8bebe4ae25a58006.txt:4148), each
    running once its share of the set-up money is spent, so the share of children covered is the number of
    cooperatives funded / 20 - a step, not a pro-rata reach.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SUPPLY_KINDS", "carer_supply_effect", "margin_price_effect"]

SUPPLY_KINDS = ("carer_supply", "margin_price")
COOPERATIVES = 20  # "up to 20" Regional Care Cooperatives, 001_8bebe4ae25a58006.txt:4148


def carer_supply_effect(e: Any, v: Any, spend_gbp_m: np.ndarray, index: np.ndarray, scale: float,
                        first_year: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(savings £m, children placed with the new carers, detail) for a ``carer_supply`` effect."""
    from careflow.supply.placements import places_per_recruit, recruits_in_post
    from careflow.supply.sufficiency import national_fostering_overflow

    unit = v.get(str(e.recruit_cost))
    with np.errstate(divide="ignore", invalid="ignore"):
        recruits = np.where(unit > 0, spend_gbp_m * 1e6 / unit, 0.0)
    sd = v.get(e.scale_down) if e.scale_down else 1.0
    in_post = recruits_in_post(recruits) * sd
    # A household approved in a year takes children from the next (assessment and matching take months; the
    # programme launches within six months of the Review, 001_8bebe4ae25a58006.txt:2410): an assumption.
    ready = np.concatenate([np.zeros((in_post.shape[0], 1)), in_post[:, :-1]], axis=1)
    places = ready * places_per_recruit()
    overflow_by_year = national_fostering_overflow()
    last = max(overflow_by_year)
    years = [first_year + 1 + j for j in range(places.shape[1])]  # years ending 31 March
    overflow = np.array([overflow_by_year.get(y, overflow_by_year[last]) for y in years])[None, :]
    from_res = np.minimum(places, overflow)
    from_agency = places - from_res
    saving = (from_res * (v.unit_cost(e.instead_of) - v.unit_cost(e.to_state))
              + from_agency * (v.unit_cost(e.from_state) - v.unit_cost(e.to_state))) * index * scale
    detail = {"recruits": recruits * scale, "in_post": in_post * scale, "from_residential": from_res * scale,
              "from_agency": from_agency * scale}
    return saving, places * scale, detail


def margin_price_effect(e: Any, v: Any, ctx: Any, spend_gbp_m: np.ndarray, planned_gbp_m: np.ndarray,
                        index: np.ndarray, n_draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(savings £m, children whose price falls, the price fall as a share) for a ``margin_price`` effect."""
    from careflow.supply.placements import managed_market_price_fall, private_share

    cum_spent = np.cumsum(spend_gbp_m, axis=1)
    total_planned = planned_gbp_m.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        funded = np.where(total_planned > 0, cum_spent / total_planned, 0.0)
    # A cooperative runs from the year after its share of the set-up is spent (the Review: shadow form, then
    # operational; 001_8bebe4ae25a58006.txt:4002).
    running = np.floor(np.clip(funded, 0.0, 1.0) * COOPERATIVES + 1e-9) / COOPERATIVES
    covered = np.concatenate([np.zeros((n_draws, 1)), running[:, :-1]], axis=1)
    sd = v.get(e.scale_down) if e.scale_down else np.ones_like(covered)
    fall = managed_market_price_fall(str(e.placement)) * sd * covered
    stock = (np.concatenate([ctx.first_stock.reshape(-1, 1) * np.ones((n_draws, 1)), ctx.cf_stock[:, :-1]], axis=1)
             + ctx.cf_stock) / 2.0
    children = stock * ctx.rates.placement_shares[str(e.placement)] * private_share(str(e.placement))
    price_ref = ("unit_costs.residential_private_price" if e.placement == "residential"
                 else "unit_costs.foster_agency")
    saving = children * v.unit_cost(price_ref) * fall * index
    return saving, children * covered, fall
