"""The same definitions on a synthetic LA (careflow.synth), checked against the generator's own headline
measures — two independent implementations of DfE's definitions."""

from __future__ import annotations

import polars as pl
import pytest

synth = pytest.importorskip("careflow.synth")


@pytest.fixture(scope="module")
def la():  # type: ignore[no-untyped-def]
    return synth.generate(20_000, end_year=2022, years=2, seed=3)


def test_synthetic_la_scores_every_simulated_year(la) -> None:  # type: ignore[no-untyped-def]
    from careflow.measures import figures_from_synthetic

    figures = figures_from_synthetic(la)
    assert sorted(figures["year"].unique().to_list()) == la.years
    latest = figures.filter(pl.col("year") == max(la.years))
    value = dict(latest.select("indicator", "value").iter_rows())
    summary = synth.summary(la)
    assert round(value["cla_rate_per_10k"], 1) == summary["cla_at_31_march_per_10k"]
    assert round(value["cla_starts_rate_per_10k"], 1) == summary["cla_starts_per_10k"]
    assert round(value["cin_rate_per_10k"], 1) == summary["cin_at_31_march_per_10k"]
    assert round(value["cpp_rate_per_10k"], 1) == summary["cpp_at_31_march_per_10k"]
    ceased = summary["cla_ceased_by_reason"]
    assert round(value["ceased_special_guardianship"] / 100, 3) == ceased["special_guardianship_order"]
    ok = latest.filter(pl.col("status") == "ok")
    assert ok.height >= 20  # everything but the workforce and what the generator does not simulate
