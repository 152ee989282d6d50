"""careflow.params: the one parameter library (strict loader, dated values) and the one unit-cost library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careflow import params
from careflow.params import Parameter, ParameterError, load_dir, load_file, parse_parameter, unit_cost

GOOD = {
    "description": "Weekly cost of foster care.",
    "unit": "gbp_per_week",
    "reference": "000_dab62616b6dfd7b9.txt:2487",
    "values": {dt.date(2018, 4, 1): 685, dt.date(2022, 4, 1): 800},
}


def _problems(raw: object, **options: object) -> list[str]:
    problems: list[str] = []
    parse_parameter("x", raw, "costs.yaml:x", problems, **options)  # type: ignore[arg-type]
    return problems


def test_values_hold_from_their_date_until_the_next() -> None:
    problems: list[str] = []
    p = parse_parameter("foster", GOOD, "foster.yaml", problems)
    assert problems == [] and p is not None
    assert p.value_at(dt.date(2018, 4, 1)) == 685
    assert p.value_at(dt.date(2022, 3, 31)) == 685
    assert p.value_at(dt.date(2030, 1, 1)) == 800
    assert p.value_at(dt.date(2010, 1, 1), default=0) == 0
    with pytest.raises(ParameterError, match=r"foster has no value on 2010-01-01: its first value holds from "
                                             r"2018-04-01 \(foster.yaml\)"):
        p.value_at(dt.date(2010, 1, 1))
    assert p.scaled(2).value_at(dt.date(2030, 1, 1)) == 1600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"uint": "gbp_per_week"}, "Did you mean 'unit'"),
        ({"unit": None}, "unit: missing"),
        ({"unit": "gbp_per_wek"}, "Did you mean 'gbp_per_week'"),
        ({"reference": None}, "reference: missing"),
        ({"reference": "000_dab62616b6dfd7b9.txt:9999"}, "cites line 9999, but 000_dab62616b6dfd7b9.txt has 2614"),
        ({"reference": "009_dab62616b6dfd7b9.txt:12"}, "is not one of the five source reports"),
        ({"description": ""}, "description: missing"),
        ({"values": {dt.date(2024, 4, 1): -5}}, "is negative"),
        ({"unit": "fraction", "values": {dt.date(2024, 4, 1): 1.5}}, "above 1"),
        ({"values": {"2024-13-01": 1}}, "is not a date"),
        ({"values": {dt.date(2024, 4, 1): "ten"}}, "is not a number"),
        ({"values": {}}, "expected a mapping of dates to numbers"),
        ({"calibrated": True}, "must name the published figure"),
        ({"calibrated_to": "a table"}, "given but 'calibrated' is not true"),
        ({"uncertainty": {"distribution": "gaussian", "sd": 0.1}}, "is not one of"),
        ({"uncertainty": {"distribution": "triangular", "low": 1.2, "high": 0.8}}, "low (1.2) is above high"),
        ({"uncertainty": {"distribution": "normal"}}, "needs 'sd'"),
    ],
)
def test_bad_parameters_are_reported_naming_file_and_key(change: dict[str, object], message: str) -> None:
    raw = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    problems = _problems(raw)
    assert any(message in p for p in problems), problems
    assert all(p.startswith("costs.yaml:x") for p in problems)


def test_citation_form_and_model_years_are_options() -> None:
    free_text = {**GOOD, "reference": "The Children Act 1989, s. 20"}
    assert _problems(free_text) == []
    assert any("is not a citation" in p for p in _problems(free_text, citation_required=True))
    late = {**GOOD, "values": {dt.date(2040, 4, 1): 1}}
    assert any("outside the model's years" in p for p in _problems(late, last_date=dt.date(2033, 3, 31)))


def test_undated_values_and_mixes_where_allowed() -> None:
    mix = {"unit": "share", "reference": "assumption: a mix", "value": {"a": 0.7, "b": 0.3}}
    assert any("values" in p for p in _problems(mix, require_description=False))
    problems: list[str] = []
    p = parse_parameter("mix", mix, "m.yaml", problems, require_description=False, allow_undated=True)
    assert problems == [] and p is not None and not p.is_dated
    assert p.value_at(dt.date(1900, 1, 1)) == {"a": 0.7, "b": 0.3}
    bad = {**mix, "value": {"a": 1.7}}
    assert any("m.yaml.value.a: 1.7 is above 1" in q for q in
               _problems_at(bad, "m.yaml", require_description=False, allow_undated=True))


def _problems_at(raw: object, where: str, **options: object) -> list[str]:
    problems: list[str] = []
    parse_parameter("x", raw, where, problems, **options)  # type: ignore[arg-type]
    return problems


def test_a_file_of_named_nodes_and_a_folder_of_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree.yaml"
    tree.write_text(
        "care:\n  plan:\n    description: d\n    unit: weeks\n    reference: 'statute: an Act'\n"
        "    values: {2020-04-01: 26}\n  other:\n    description: d\n    unit: weeks\n"
        "    reference: 'statute: an Act'\n    values: {2020-04-01: 52}\n", encoding="utf-8")
    loaded = load_file(tree)
    assert sorted(loaded) == ["care.other", "care.plan"]
    assert loaded.value_at("care.plan", dt.date(2024, 1, 1)) == 26
    with pytest.raises(ParameterError, match=r"Did you mean 'care\.plan'"):
        loaded["care.plna"]

    (tmp_path / "dir" / "a").mkdir(parents=True)
    (tmp_path / "dir" / "a" / "weeks.yaml").write_text(
        "description: d\nunit: weeks\nreference: 'statute: an Act'\nvalues: {2020-04-01: 26}\n", encoding="utf-8")
    (tmp_path / "dir" / "b.yaml").write_text("description: d\nunit: wekes\nvalues: {2020-04-01: 1}\n",
                                             encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_dir(tmp_path / "dir", sep="/")
    assert len(info.value.problems) == 2  # the unit and the missing reference, both in b.yaml
    assert all(p.startswith("dir/b.yaml") for p in info.value.problems)
    (tmp_path / "dir" / "b.yaml").unlink()
    assert list(load_dir(tmp_path / "dir", sep="/")) == ["a/weeks"]


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("values: {2020-04-01: [\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"broken\.yaml: not valid YAML"):
        load_file(bad)


# ---- the unit-cost library ----------------------------------------------------------------------------------
def test_every_unit_cost_is_dated_cited_and_in_pounds() -> None:
    costs = params.unit_costs()
    assert len(costs) >= 20
    for name, cost in costs.items():
        assert cost.unit.startswith("gbp"), name
        assert cost.reference and cost.description, name
        assert cost.values and all(v >= 0 for _, v in cost.values), name


def test_one_residential_price_citing_both_sources() -> None:
    residential = unit_cost("residential")
    assert residential.value_at(dt.date(2024, 4, 1)) == 4971  # 000_dab62616b6dfd7b9.txt:586
    cited = " ".join(residential.reference)
    assert "000_dab62616b6dfd7b9.txt:586" in cited and "001_8bebe4ae25a58006.txt:2214" in cited
    assert residential.note is not None and "Used: £4,971" in residential.note and "£3,830" in residential.note
    assert unit_cost("residential_private_price").value_at(dt.date(2024, 4, 1)) == 3830


def test_flows_and_reform_price_a_residential_week_the_same() -> None:
    from careflow.flows.costs import load_unit_costs
    from careflow.reform.levers import load_system_parameters

    when = dt.date(2024, 4, 1)
    flows_home = load_unit_costs().get("childrens_home", "external").at(when)[1]
    reform_home = load_system_parameters()["unit_costs.residential"].at(when)
    assert flows_home == reform_home == unit_cost("residential").value_at(when) == 4971


def test_weekly_cost_of_a_yearly_unit_cost() -> None:
    assert params.weekly_cost("looked_after", dt.date(2024, 4, 1)) == pytest.approx(44600 / 52)
    assert params.weekly_cost("foster", dt.date(2024, 4, 1)) == 685
    with pytest.raises(ParameterError, match="not a cost per week or per child-year"):
        params.weekly_cost("assessment", dt.date(2024, 4, 1))
    with pytest.raises(ParameterError, match="Did you mean 'residential'"):
        unit_cost("residentail")


def test_parameter_is_one_class_across_packages() -> None:
    from careflow.reform.errors import ParameterError as ReformParameterError
    from careflow.reform.params import Parameter as ReformParameter

    assert issubclass(ReformParameter, Parameter)
    assert issubclass(ReformParameterError, ParameterError)
