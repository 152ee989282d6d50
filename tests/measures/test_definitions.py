"""Code health of the indicator definitions: every one complete, referenced and runnable."""

from __future__ import annotations

import re

import pytest
import yaml

from careflow.measures import DefinitionError, indicator, indicators, objectives
from careflow.measures._definitions import DEFINITIONS_DIR, parse_indicator
from careflow.measures.canonical import COUNTS
from careflow.tables.schema import SCHEMAS

REQUIRED_ISSUE_INDICATORS = {
    "cin_rate_per_10k",
    "cpp_rate_per_10k",
    "cla_rate_per_10k",
    "cla_starts_rate_per_10k",
    "rereferrals_within_12_months",
    "cpp_second_or_subsequent",
    "cpp_lasting_2_years_plus",
    "s47_not_leading_to_conference",
    "cla_three_or_more_placements",
    "cla_long_term_placement_stability",
    "cla_kinship_foster_care",
    "ceased_special_guardianship",
    "ceased_child_arrangements_order",
    "ceased_returned_home",
    "reentry_within_12_months",
    "care_leavers_19_21_in_touch",
    "care_leavers_19_21_in_education_employment_training",
    "care_leavers_19_21_suitable_accommodation",
    "proceedings_within_26_weeks",
    "family_group_decision_making_before_plo",
    "social_worker_caseload",
    "social_worker_agency_rate",
    "social_worker_vacancy_rate",
    "social_worker_turnover_rate",
}
CITATION = re.compile(r"00[0-4]_[0-9a-f]{16}\.txt:\d+|DfE|SSDA903|CIN census")


def test_the_issue_asks_for_these_and_they_exist() -> None:
    assert {i.id for i in indicators()} >= REQUIRED_ISSUE_INDICATORS


def test_one_file_per_indicator_named_by_id() -> None:
    files = sorted(p.stem for p in DEFINITIONS_DIR.glob("*.yaml"))
    assert files == sorted(i.id for i in indicators())


@pytest.mark.parametrize("ind", indicators(), ids=lambda i: i.id)
def test_definition_is_complete(ind) -> None:  # type: ignore[no-untyped-def]
    assert ind.objective in objectives()
    assert CITATION.search(ind.reference), f"{ind.id}: reference cites no seed line or DfE measure"
    assert ind.numerator.description and ind.denominator.description
    if ind.direction != "lower_is_better":
        assert ind.direction_note, "say why higher is better, or why neither is"
    if ind.direction == "higher_is_better":
        assert re.search(r"\d{3}_[0-9a-f]{16}\.txt:\d+", ind.direction_note), "cite why higher is better"
    for term in (ind.numerator.canonical, ind.denominator.canonical):
        if term.not_available:
            continue
        assert term.count in COUNTS, f"{ind.id}: no counting rule {term.count}"
        table = term.params.get("table")
        if table:
            assert table in SCHEMAS
            for column in list(term.params.get("where", {})) + list(term.params.get("exclude", {})):
                assert column in SCHEMAS[table], f"{ind.id}: {table} has no column {column}"
    assert ind.to_dict()["id"] == ind.id


def test_every_objective_is_described() -> None:
    objs = objectives()
    assert len(objs) == 10
    for obj in objs.values():
        assert obj.reference.startswith("001_8bebe4ae25a58006.txt:34")


def _raw(ident: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEFINITIONS_DIR / f"{ident}.yaml").read_text())


def test_unknown_keys_are_rejected_with_a_suggestion() -> None:
    raw = _raw("cla_rate_per_10k")
    raw["refrence"] = raw.pop("reference")
    with pytest.raises(DefinitionError, match="'refrence' \\(did you mean 'reference'\\?\\)"):
        parse_indicator(raw, "cla_rate_per_10k.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"direction": "up"}, "direction: 'up' is not one of"),
        ({"unit": "percentage"}, "unit: 'percentage' is not one of"),
        ({"objective": "child_family_9"}, "not a Framework objective"),
        ({"direction": "no_judgement", "direction_note": None}, "say why neither higher nor lower is better"),
        ({"period": "monthly"}, "period: 'monthly' is not one of"),
        ({"reference": "001_8bebe4ae25a58006.txt:6000"}, "cites line 6000, but 001_8bebe4ae25a58006.txt has 5209"),
    ],
)
def test_bad_values_are_rejected(change: dict, message: str) -> None:  # type: ignore[type-arg]
    raw = _raw("cla_rate_per_10k")
    raw.update(change)
    if raw.get("direction_note") is None:
        raw.pop("direction_note", None)
    with pytest.raises(DefinitionError, match=message):
        parse_indicator(raw, "x.yaml")


def test_a_term_needs_a_rule_or_a_reason() -> None:
    raw = _raw("cla_rate_per_10k")
    raw["numerator"]["canonical"] = {"params": {}}
    with pytest.raises(DefinitionError, match="exactly one of 'count' or 'not_available'"):
        parse_indicator(raw, "x.yaml")


def test_lookup_suggests() -> None:
    assert indicator("cla_rate_per_10k").unit == "per_10k"
    with pytest.raises(KeyError, match="did you mean"):
        indicator("cla_rate")
