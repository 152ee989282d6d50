"""Code health: every code careflow knows maps to a state; every unit cost has a unit, date and reference."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from careflow import codes
from careflow.flows import FlowConfigError, load_population, load_states
from careflow.flows.costs import load_unit_costs
from careflow.flows.population import population_areas

STATES = load_states()


@pytest.mark.parametrize("year", codes.years("ssda903"), ids=str)
def test_every_placement_and_exit_code_maps(year):
    for code in codes.code_list("placement_type", year):
        assert STATES.is_known_placement(code.code), f"{year}: placement type {code.code} is not in the states"
    for code in codes.code_list("reason_episode_ceased", year):
        if code.code.startswith("E"):
            assert STATES.is_known_exit(code.code), f"{year}: reason {code.code} maps to no exit"


def test_state_space_shape():
    assert STATES.category_of("U2") == "kinship_foster"
    assert STATES.category_of("U5", "PR5") == "foster_independent"
    assert STATES.category_of("U5", "PR1") == "foster_in_house"
    assert STATES.band_of_months()[215] == len(STATES.age_bands) - 1


def test_bad_states_file_is_named(tmp_path: Path):
    text = (Path(__file__).parents[2] / "src/careflow/flows/data/states/v1.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("from_years: 5, to_years: 10", "from_years: 6, to_years: 10"))
    with pytest.raises(FlowConfigError, match=r"bad\.yaml: age band age_5_to_9"):
        load_states(bad)
    with pytest.raises(FlowConfigError, match="no state space version 9"):
        load_states(9)


def test_unit_costs_are_sourced_and_complete():
    costs = load_unit_costs(states=STATES)
    assert costs.unit == "gbp_per_week"
    for cost in costs.costs:
        assert cost.reference, cost
        assert all(isinstance(d, date) for d, _ in cost.values)
    home = costs.get("childrens_home", "external")
    assert home.at(date(2021, 1, 1))[1] == 4971  # 000_dab62616b6dfd7b9.txt:586
    assert "000_dab62616b6dfd7b9.txt:586" in home.reference


def test_population_series():
    england = load_population("England")
    assert england.at(date(2021, 6, 30)) == pytest.approx(11_762_878, rel=1e-4)
    assert england.at(date(2030, 6, 30)) > england.at(date(2024, 6, 30))
    assert load_population("E06000001").area == "Hartlepool"
    assert len(population_areas()) > 150
    with pytest.raises(FlowConfigError, match="did you mean Hartlepool"):
        load_population("Hartlepol")


def test_unit_costs_come_from_the_library_or_a_users_own_figures(tmp_path: Path):
    """The packaged file names library costs; a user's file may give its own dated, referenced figures."""
    costs = load_unit_costs(states=STATES)
    other = costs.get("other", "in_house")  # £44,600 a year (000_dab62616b6dfd7b9.txt:574) as a week
    assert other.at(date(2024, 4, 1))[1] == pytest.approx(44_600 / 52)
    assert other.reference.startswith("unit_costs.looked_after: 000_dab62616b6dfd7b9.txt:574")
    assert costs.get("secure", "external").assumption

    own = tmp_path / "costs.yaml"
    own.write_text(
        "description: d\nunit: gbp_per_week\ncategories:\n  childrens_home:\n    in_house:\n"
        "      reference: our 2024 contract prices\n      values: {2024-04-01: 5200}\n"
        "    external: {unit_cost: residential}\n", encoding="utf-8")
    mine = load_unit_costs(own)
    assert mine.get("childrens_home", "in_house").at(date(2025, 1, 1))[1] == 5200
    assert mine.get("childrens_home", "external").at(date(2025, 1, 1))[1] == 4971

    own.write_text("description: d\nunit: gbp_per_week\ncategories:\n  childrens_home:\n"
                   "    in_house: {unit_cost: residentail}\n", encoding="utf-8")
    with pytest.raises(FlowConfigError, match=r"costs\.yaml childrens_home\.in_house: .*Did you mean 'residential'"):
        load_unit_costs(own)
    own.write_text("description: d\nunit: gbp_per_week\ncategories:\n  childrens_home:\n    in_house:\n"
                   "      reference: 001_8bebe4ae25a58006.txt:9999\n      values: {2024-04-01: 5200}\n",
                   encoding="utf-8")
    with pytest.raises(FlowConfigError, match="has 5209 lines"):
        load_unit_costs(own)


def test_state_space_file_is_read_once_until_it_changes(tmp_path):
    """load_states parses a file once per process (a forecast asks for it at each fit and projection), and again
    once the file changes."""
    import os

    from careflow.flows.states import DATA

    path = tmp_path / "states.yaml"
    text = (DATA / "v1.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_states(path)
    assert load_states(path) is first
    path.write_text(text.replace("description:", "description: Edited.", 1), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new modification time even on a coarse clock
    edited = load_states(path)
    assert edited is not first and edited.description.startswith("Edited.")
    assert load_states(path) is edited
