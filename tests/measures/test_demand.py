"""The NLGN demand typology."""

from __future__ import annotations

import polars as pl

from careflow.measures import figures_from_tables, published_figures
from careflow.measures.demand import STAGES, typology

from .tiny import POPULATION, YEAR, tiny


def test_typology_from_the_tiny_la() -> None:
    figures = figures_from_tables(tiny(), years=[YEAR], population=POPULATION)
    out = typology(figures, "")
    by_stage = {r["stage"]: (r["new"], r["failure"]) for r in out.iter_rows(named=True)}
    assert by_stage["Referrals"] == (2, 1)  # A2 is a re-referral; B1, C2 are new
    assert by_stage["Child protection plans"] == (1, 2)  # F first; A, E repeat
    assert by_stage["Starting care"] == (1, 2)  # O new; I, M back within 12 months
    assert {s.stage for s in STAGES} <= set(by_stage)


def test_typology_from_published_statistics() -> None:
    figures = published_figures(area_codes=["919"])
    out = typology(figures, "919").filter(pl.col("year") == 2022)
    rows = {r["stage"]: r for r in out.iter_rows(named=True)}
    assert (rows["Referrals"]["new"], rows["Referrals"]["failure"]) == (6539 - 913, 913)
    assert rows["Starting care"]["status"] == "not_published"
    assert rows["Starting care"]["new"] is None  # not measurable is not zero
    hidden = rows["Hidden (proxy: awaiting assessment at 31 March)"]
    assert hidden["hidden_proxy"] == 239
    assert "not measurable from statutory returns" in hidden["new_definition"]
