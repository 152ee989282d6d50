"""Sharing rules as dated data (issue 13 item 4): the shipped rules load, decide as written, and the loader is strict
(every problem named by file and key, all together)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from careflow.share.rules import RULES_DIR, SharingRulesError, load_rules

ON = dt.date(2025, 6, 2)
NONE: frozenset[str] = frozenset()
CP = frozenset({"child_protection"})


def test_shipped_rules_load_and_cite_their_sources() -> None:
    rules = load_rules()
    assert set(rules.purposes) == {"safeguarding", "family_help"}
    assert rules.bases["dpa2018_sch8_para4"].statute == "Data Protection Act 2018, Schedule 8, paragraph 4"
    assert any("001_8bebe4ae25a58006.txt:1582" in r for r in rules.bases["dpa2018_sch8_para4"].reference)
    partnership = rules.partnership()
    assert partnership.min_agencies.value_at(ON) == 3 and partnership.window_months.value_at(ON) == 12
    assert partnership.confirmed_to_scrib == dt.date(2022, 12, 1)
    assert [a.id for a in partnership.agreements] == ["ISA-DEMO-2023-01"]
    for rule in rules.rules:
        assert rule.reference and rule.lawful_basis, rule.id
        assert rule.ends_at_age.value_at(ON) == 18


@pytest.mark.parametrize(("item", "agency", "purpose", "situations", "age", "rule"), [
    ("contact_counts", "police", "family_help", NONE, 9, "family-help-core-2023"),
    ("contact_counts", "police", "safeguarding", NONE, 9, "safeguarding-core-2023"),
    ("contact_details", "police", "safeguarding", NONE, 9, "safeguarding-contact-details-2023"),
    ("contact_details", "police", "family_help", NONE, 9, None),
    ("contact_details", "health", "safeguarding", NONE, 9, None),
    ("contact_details", "health", "safeguarding", CP, 9, "safeguarding-health-details-2023"),
    ("contact_details", "health", "family_help", CP, 9, None),
    ("contact_counts", "police", "safeguarding", NONE, 17, "safeguarding-core-2023"),
    ("contact_counts", "police", "safeguarding", NONE, 18, None),
])
def test_decisions(item: str, agency: str, purpose: str, situations: frozenset[str], age: int,
                   rule: str | None) -> None:
    rules = load_rules()
    decision = rules.decide(item, agency, purpose=purpose, situations=situations, age=age, on=ON,
                            partnership=rules.partnership())
    assert decision.allowed is (rule is not None)
    assert (decision.rule.id if decision.rule else None) == rule
    if rule:
        assert decision.agreement is not None and decision.agreement.id == "ISA-DEMO-2023-01"
        assert decision.basis_text


def test_rules_and_agreements_are_dated() -> None:
    rules = load_rules()
    partnership = rules.partnership()
    before = rules.decide("contact_counts", "police", purpose="safeguarding", situations=NONE, age=9,
                          on=dt.date(2023, 3, 31), partnership=partnership)
    assert not before.allowed and "not in force on 2023-03-31" in before.reason


def test_situations_follow_the_record_stage() -> None:
    rules = load_rules()
    assert rules.situations_of("section_47") == {"child_protection", "open_case"}
    assert rules.situations_of("family_help") == {"open_case"}
    assert rules.situations_of("closed") == frozenset()


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES_DIR, root)
    return root


def test_no_agreement_no_sharing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    register = root / "agreements" / "demo-partnership.yaml"
    register.write_text(register.read_text().replace(
        "parties: [childrens_social_care, police, health, school, housing, adult_social_care]",
        "parties: [childrens_social_care, health, school, housing, adult_social_care]"))
    rules = load_rules(root)
    decision = rules.decide("contact_counts", "police", purpose="safeguarding", situations=NONE, age=9, on=ON,
                            partnership=rules.partnership())
    assert not decision.allowed
    assert "no information-sharing agreement of careflow demo safeguarding partnership" in decision.reason


def test_loader_is_strict_and_reports_everything(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    rules_file = root / "rules.yaml"
    text = rules_file.read_text()
    text = text.replace("purpose: family_help\n", "purpose: family_hlep\n", 1)
    text = text.replace("valid_from: 2023-04-01\n", "valid_from: 1 April 2023\n", 1)
    text = text.replace("  lawful_basis: [public_task_s10]\n", "  lawful_basis: [public_task_s10]\n  colour: red\n", 1)
    text = text.replace("agencies: [health]", "agencies: [helth]")
    rules_file.write_text(text)
    purposes = root / "purposes.yaml"
    purposes.write_text(purposes.read_text().replace("team_manager]", "team_manager, janitor]", 1))
    bases = root / "lawful_bases.yaml"
    bases.write_text(bases.read_text().replace("001_8bebe4ae25a58006.txt:1582", "001_8bebe4ae25a58006.txt:9999"))
    with pytest.raises(SharingRulesError) as raised:
        load_rules(root)
    problems = "\n".join(raised.value.problems)
    assert "rules.yaml:safeguarding-core-2023.valid_from: '1 April 2023' is not a date" in problems
    assert "rules.yaml:family-help-core-2023.purpose: 'family_hlep' is not a declared purpose. Did you mean " \
           "'family_help'?" in problems
    assert "rules.yaml:family-help-core-2023: unknown key 'colour'" in problems
    assert "rules.yaml:safeguarding-health-details-2023.agencies: 'helth' is not a declared agency" in problems
    assert "purposes.yaml:safeguarding.roles: 'janitor' is not a declared role" in problems
    assert "cites line 9999, but 001_8bebe4ae25a58006.txt has 5209 lines" in problems
    assert len(raised.value.problems) == 6


def test_threshold_needs_a_count_and_a_reference(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    register = root / "agreements" / "demo-partnership.yaml"
    register.write_text(register.read_text().replace("    unit: count\n", "    unit: months\n"))
    with pytest.raises(SharingRulesError, match=r"min_agencies\.unit: expected 'count', not 'months'"):
        load_rules(root)


def test_a_date_that_does_not_exist_is_named(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "rules.yaml").write_text((root / "rules.yaml").read_text().replace("2023-04-01", "2023-13-01", 1))
    with pytest.raises(SharingRulesError, match=r"rules\.yaml: a date that does not exist"):
        load_rules(root)
