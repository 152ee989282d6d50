"""Analysts' data safe to hand over: dates coarsened, and no row among fewer than five alike.

The quasi-identifiers of the pseudonymised list are the child's age band, sex, ethnicity, stage, when the stage
began and team: with the exact date the stage began, 670 of 686 open cases of the demo were unique on them. Here the
date becomes its quarter (``2025-Q2``), and a child whose combination is shared by fewer than :data:`K` children is
shown at the first coarser level where it is shared by :data:`K` or more (ethnicity to its main group and the date to
its year, then without ethnicity, then without sex and team, then only the stage); a child unlike :data:`K` others
even then is withheld (counted, not listed). Each level's combinations carry their ``*`` in different places, so
every combination listed is shared by at least :data:`K` listed children (k-anonymity with k = 5). The levels are
computed over every child, whatever the page or stage filter, so two lists cannot be subtracted to single one out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["SUPPRESSED", "K", "QuasiIdentifiers", "generalise", "quarter"]

K = 5
SUPPRESSED = "*"


@dataclass(frozen=True)
class QuasiIdentifiers:
    """What an analyst's row says about a child besides the pseudonym and counts."""

    age_band: str
    sex: str | None
    ethnicity: str | None
    stage: str
    stage_since: str
    team_id: int | None


def quarter(day: dt.date) -> str:
    """The calendar quarter of a day, e.g. ``2025-Q2``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _main_group(ethnicity: str | None) -> str | None:
    return None if ethnicity is None else ethnicity[:1] + SUPPRESSED  # WBRI -> W* (the DfE's main groups)


def _year(period: str) -> str:
    return period.split("-")[0]


_LEVELS: Sequence[Callable[[QuasiIdentifiers], QuasiIdentifiers]] = (
    lambda q: q,
    lambda q: QuasiIdentifiers(q.age_band, q.sex, _main_group(q.ethnicity), q.stage, _year(q.stage_since), q.team_id),
    lambda q: QuasiIdentifiers(q.age_band, q.sex, SUPPRESSED, q.stage, _year(q.stage_since), q.team_id),
    lambda q: QuasiIdentifiers(q.age_band, SUPPRESSED, SUPPRESSED, q.stage, _year(q.stage_since), None),
    lambda q: QuasiIdentifiers(SUPPRESSED, SUPPRESSED, SUPPRESSED, q.stage, SUPPRESSED, None),
)


def generalise(rows: dict[int, QuasiIdentifiers], k: int = K) -> dict[int, QuasiIdentifiers]:
    """Each child's row at the least coarse level shared by ``k`` or more children; children absent from the answer
    are withheld. ``rows``: child id -> exact quasi-identifiers."""
    released: dict[int, QuasiIdentifiers] = {}
    remaining = dict(rows)
    for level in _LEVELS:
        coarse = {child: level(q) for child, q in remaining.items()}
        sizes = Counter(coarse.values())
        for child, q in coarse.items():
            if sizes[q] >= k:
                released[child] = q
        remaining = {child: q for child, q in remaining.items() if child not in released}
        if not remaining:
            break
    return released
