"""The supply model's parameters and mechanisms reproduce the figures they cite."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from careflow.errors import CareflowError
from careflow.supply.areas import Footprint, UnknownAreaError, resolve_area
from careflow.supply.placements import (
    base_placements,
    carer_hazards,
    funnel,
    parameters,
    project_carers,
    weekly_prices,
)


def test_every_supply_parameter_is_cited_or_an_assumption() -> None:
    for name, p in parameters().items():
        assert p.reference, name
        assert p.assumption or any(r.startswith(("0", "derived:", "data:", "http")) for r in p.reference), name


def test_the_funnel_converts_one_and_a_third_percent() -> None:
    f = funnel(9000)
    assert f["conversion"] == pytest.approx(0.0135, abs=5e-5)  # 001_8bebe4ae25a58006.txt:2387
    assert f["cost_gbp"] == pytest.approx(76e6, rel=1e-3)  # 001_8bebe4ae25a58006.txt:3961


def test_carers_reproduce_the_published_net_change_then_age() -> None:
    h = carer_hazards()
    base = base_placements(resolve_area("England"), 2021)
    proj = project_carers(base.by_type, [2022, 2023, 2024, 2025, 2026, 2027], area_share=1.0, hazards=h)
    pph = parameters()["fostering.places_per_household"].value * parameters()["fostering.occupancy"].value
    start = {pool: base.by_type[pool] / pph for pool in ("foster_in_house", "foster_independent")}
    # Year one: approvals less leavers is 2020/21's net change (+525 agencies, -35 in-house; 001…:2233).
    assert proj.households["foster_independent"][0] - start["foster_independent"] == pytest.approx(525, abs=1)
    assert proj.households["foster_in_house"][0] - start["foster_in_house"] == pytest.approx(-35, abs=1)
    # The quarter over 60 retire while fifty-somethings turn 60: leavers rise year on year.
    leavers = proj.leavers["foster_in_house"]
    assert all(b > a for a, b in itertools.pairwise(leavers))


def test_margin_caps_stay_within_the_cited_margins() -> None:
    base = weekly_prices(2025)
    assert weekly_prices(2025, margin_cap=0.3) == base  # above the 22.6% and 19.4% margins: no effect
    capped = weekly_prices(2025, margin_cap=0.0)  # at most the whole margin comes off
    assert capped["private_average_childrens_home"] == pytest.approx(base["private_average_childrens_home"]
                                                                     * (1 - 0.226))
    assert capped["childrens_home"] == base["childrens_home"] == 4971  # the authority's unit cost is not a price
    assert weekly_prices(2021)["private_average_childrens_home"] == pytest.approx(3830)  # CMA 2020 price


def test_areas_resolve_and_unknowns_name_the_nearest() -> None:
    assert resolve_area("north west").name == "North West"
    assert resolve_area("888").las == ("Lancashire",)
    assert len(resolve_area("England").las) > 140
    with pytest.raises(UnknownAreaError, match="Blackpool"):
        resolve_area("Blackpol")


def test_resolve_area_takes_a_footprint_file(tmp_path: Path) -> None:
    fp = tmp_path / "rcc.txt"
    fp.write_text("# my RCC\nBlackpool\n890\n", encoding="utf-8")
    with pytest.raises(CareflowError, match="'Blackpool' is listed twice"):
        resolve_area(str(fp))
    fp.write_text("Blackpool\nLancashire\n", encoding="utf-8")
    assert resolve_area(fp) == Footprint("rcc", ("Blackpool", "Lancashire"), "footprint", str(fp))


def test_a_missing_year_falls_back_to_the_year_before_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    from careflow.supply import placements

    rows = dict(placements._rows())
    kept = rows.pop(("la", "Blackpool", 2022))
    monkeypatch.setattr(placements, "_rows", lambda: rows)
    base = base_placements(resolve_area("Blackpool"))
    assert any("Blackpool: no figures for 31 March 2022; its 2021 figures are used" in n for n in base.notes)
    # 2021's own counts stand in (Blackpool's children's homes: 2021's figure, not 2022's)
    assert base.counts["childrens_home"] == float(rows[("la", "Blackpool", 2021)]["childrens_home"])
    assert kept["childrens_home"] != rows[("la", "Blackpool", 2021)]["childrens_home"]
    rows.pop(("la", "Blackpool", 2021))
    with pytest.raises(placements.SupplyDataError, match="Blackpool: no placement figures for 2022 or 2021"):
        base_placements(resolve_area("Blackpool"))
