"""A toy local authority whose children move with known, constant hazards: ground truth for the flows tests.

Children enter care as a Poisson process, move between placement categories and leave with constant
hazards (per month) that do not depend on age or time in placement, and leave at 18. The result is canonical
``looked_after_episodes`` and ``children`` tables, as a reader would return them.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from careflow.tables.dataset import CareData

MONTH_DAYS = 365.25 / 12
PLACE = {
    "kinship_foster": ("U3", "PR1"),
    "foster_in_house": ("U6", "PR1"),
    "foster_independent": ("U6", "PR4"),
    "childrens_home": ("K2", "PR4"),
    "placed_with_parents": ("P1", "PR0"),
}
EXIT = {"home": "E4A", "special_guardianship": "E45", "adoption": "E11", "other": "E8"}


def toy_hazards() -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Categories, exits, the monthly hazard matrix (K × (K + E)) and the entry mix over categories."""
    cats = list(PLACE)
    exits = list(EXIT)
    k, e = len(cats), len(exits)
    h = np.zeros((k, k + e))
    h[:, :k] = 0.01  # moves between categories
    h[0, 0] = h[1, 1] = h[2, 2] = h[3, 3] = h[4, 4] = 0.0
    h[3, 1] = 0.03  # children's home → in-house fostering
    h[:, k + 0] = [0.02, 0.025, 0.02, 0.015, 0.06]  # home
    h[:, k + 1] = [0.02, 0.005, 0.003, 0.0, 0.0]  # SGO
    h[:, k + 2] = [0.0, 0.006, 0.004, 0.0, 0.0]  # adoption
    h[:, k + 3] = 0.003
    mix = np.array([0.2, 0.35, 0.25, 0.1, 0.1])
    return cats, exits, h, mix


def toy_la(
    *,
    start: date = date(2015, 4, 1),
    end: date = date(2022, 3, 31),
    entries_per_month: float = 12.0,
    seed: int = 0,
    la: str | None = None,
    legal_status_changes: bool = True,
) -> CareData:
    """Simulate a toy LA's episodes from ``start`` (with no one in care) to ``end`` (open episodes left open)."""
    rng = np.random.default_rng(seed)
    cats, exits, h, mix = toy_hazards()
    k = len(cats)
    months = (end - start).days / MONTH_DAYS
    n = rng.poisson(entries_per_month * months)
    entry_t = np.sort(rng.uniform(0, months, n))
    age_at_entry = rng.uniform(0, 17.5 * 12, n)
    rows: list[dict[str, object]] = []
    kids: list[dict[str, object]] = []
    total = h.sum(axis=1)
    for i in range(n):
        cid = f"C{seed}_{i}"
        t = entry_t[i]
        dob = start + timedelta(days=float((t - age_at_entry[i]) * MONTH_DAYS))
        kids.append({"child_id": cid, "date_of_birth": dob, "sex": "1" if rng.random() < 0.5 else "2"})
        age18_t = t + (18 * 12 - age_at_entry[i])
        cat = int(rng.choice(k, p=mix))
        rne = "S"
        while True:
            dwell = rng.exponential(1 / total[cat])
            stop = t + dwell
            ls = "C2" if rng.random() < 0.6 else "V2"
            if legal_status_changes and rng.random() < 0.15 and stop - t > 2:
                # a legal-status-only change part-way through the spell: same placement, new episode
                mid = t + (stop - t) * 0.5
                if mid < min(months, age18_t):
                    rows.append(_row(cid, start, t, mid, rne, "C1", cats[cat], "X1", la))
                    t, rne = mid, "L"
            if stop >= age18_t and age18_t < months:
                rows.append(_row(cid, start, t, age18_t, rne, ls, cats[cat], "E17", la))
                break
            if stop >= months:
                rows.append(_row(cid, start, t, None, rne, ls, cats[cat], None, la))
                break
            dest = int(rng.choice(len(total[cat:cat + 1]) * 0 + h.shape[1], p=h[cat] / total[cat]))
            if dest < k:
                rows.append(_row(cid, start, t, stop, rne, ls, cats[cat], "X1", la))
                cat, t, rne = dest, stop, "P"
            else:
                rows.append(_row(cid, start, t, stop, rne, ls, cats[cat], EXIT[exits[dest - k]], la))
                break
    episodes = pl.DataFrame(rows, infer_schema_length=None)
    children = pl.DataFrame(kids)
    if la is not None:
        children = children.with_columns(pl.lit(la).alias("local_authority"))
    # Same-day starts (a child entering twice on one day) cannot happen in continuous time but can after
    # rounding to days: keep the first.
    episodes = episodes.unique(["child_id", "start_date"], keep="first", maintain_order=True)
    return CareData({"looked_after_episodes": episodes, "children": children})


def _row(cid: str, start: date, t0: float, t1: float | None, rne: str, ls: str, cat: str, rec: str | None,
         la: str | None) -> dict[str, object]:
    place, provider = PLACE[cat]
    out: dict[str, object] = {
        "child_id": cid,
        "start_date": start + timedelta(days=int(t0 * MONTH_DAYS)),
        "reason_new_episode": rne,
        "legal_status": ls,
        "category_of_need": "N1",
        "placement_type": place,
        "placement_provider": provider,
        "end_date": None if t1 is None else start + timedelta(days=int(t1 * MONTH_DAYS)),
        "reason_episode_ceased": rec,
    }
    if la is not None:
        out["local_authority"] = la
    return out
