"""Every CIN census XML in ../shared/data/synthetic is read without a crash, with a sensible issue list.

Several of these files (from data-to-insight/csc-validator-be-cin) deliberately hold errors; each test names
the ones careflow must find. Skipped with a reason when ../shared is absent, never under CI (see conftest).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from careflow.issues import Issue, Severity
from careflow.returns.cin import read_cin_census

VALIDATOR = "data/synthetic/csc-validator-be-cin"
FILES = [
    f"{VALIDATOR}/CIN2rows.xml",
    f"{VALIDATOR}/CIN_Census_2021.xml",
    f"{VALIDATOR}/CIN_Census_2021_copy.xml",
    f"{VALIDATOR}/CIN_Census_2021_no_assessment_factors.xml",
    f"{VALIDATOR}/CIN_Census_2024.xml",
    f"{VALIDATOR}/CIN_Census_2026.xml",
    f"{VALIDATOR}/CIN_header_issues_100.xml",
    f"{VALIDATOR}/CIN_la_issues_2887Q.xml",
    f"{VALIDATOR}/fake_CIN_data.xml",
    "data/synthetic/liia-tools/cin-2022.xml",
]

STRAY_TEXT = "text 'PersonBirthDate' stands between elements of ChildIdentifiers"
CHILD1 = "/Message/Children/Child[1]"
CHILD2 = "/Message/Children/Child[2]"


def _codes(issues: list[Issue]) -> Counter[str]:
    return Counter(i.code for i in issues)


def _one(issues: list[Issue], code: str, element: str | None = None, field: str | None = None) -> Issue:
    found = [i for i in issues if i.code == code and (element is None or i.element == element)
             and (field is None or i.field == field)]
    assert len(found) == 1, f"{code} at {element}, {field}: {[str(i) for i in issues]}"
    return found[0]


def test_every_cin_file_in_shared_is_listed(shared: Path) -> None:
    on_disk = {str(p.relative_to(shared)) for p in (shared / "data/synthetic").rglob("*.xml")
               if p.parent.name == "csc-validator-be-cin" or p.name.startswith("cin-")}
    assert on_disk == set(FILES)


@pytest.mark.parametrize("name", FILES, ids=[Path(f).name for f in FILES])
def test_reads_without_crash(shared: Path, name: str) -> None:
    result = read_cin_census(shared / name)
    assert result.collection == "cin" and result.files == [Path(name).name]
    assert result.data["children"].height >= 1
    assert result.data["referrals"].height >= result.data["children"].height  # one CINdetails at least each
    for issue in result.issues:
        assert issue.message and issue.file == Path(name).name


def test_liia_tools_2022_sample_is_clean(shared: Path) -> None:
    """Well-formed and valid against the XSD; its 1970s dates are outside the 2021-22 census year and its UPN has
    no real LA number, as DfE's rules (checked by careflow) say."""
    result = read_cin_census(shared / "data/synthetic/liia-tools/cin-2022.xml")
    assert sorted(i.code for i in result.issues) == [
        "dfe-1530", "dfe-4013", "dfe-8620", "dfe-8696", "dfe-8715", "dfe-8930"], [str(i) for i in result.issues]
    assert result.year == 2022
    assert result.data.counts() == {
        "children": 1, "referrals": 1, "assessments": 1, "child_in_need_plans": 1,
        "section47_enquiries": 1, "child_protection_plans": 1, "pre_proceedings": 0,
    }


def test_fake_cin_data(shared: Path) -> None:
    result = read_cin_census(shared / VALIDATOR / "fake_CIN_data.xml")
    assert result.year == 2022  # Year 2022; its ReferenceDate (21 July 2022) is not 31 March
    assert result.data["children"].height == 332
    assert result.data["referrals"].height == 402
    assert result.data["children"]["child_id"].n_unique() == 332
    codes = _codes(result.issues)
    assert codes["header-reference-date"] == 1
    assert codes["xsd"] == 0 and codes["invalid-code"] == 0
    # Many referrals and births fall after 31 March 2022, the end of the 2021-22 year.
    assert codes["after-reference-date"] == 122
    # and DfE's rules: closures outside 2021-22 (8620), UPNs with no real LA number (1530), activity on cases
    # closed after assessment (2990)
    assert codes["dfe-2990"] == 28
    assert set(codes) == {"header-reference-date", "after-reference-date", "dfe-8620", "dfe-1530", "dfe-2990"}


@pytest.mark.parametrize(
    ("name", "year", "mismatch"),
    [
        ("CIN2rows.xml", 2024, True),
        ("CIN_Census_2021.xml", 2023, False),
        ("CIN_Census_2021_copy.xml", 2024, True),
        ("CIN_Census_2021_no_assessment_factors.xml", 2024, True),
        ("CIN_la_issues_2887Q.xml", 2023, False),
    ],
)
def test_small_validator_files(shared: Path, name: str, year: int, mismatch: bool) -> None:
    """One child each, with the word PersonBirthDate typed outside an element."""
    result = read_cin_census(shared / VALIDATOR / name)
    assert result.year == year
    assert result.data["children"].height == 1 and result.data["referrals"].height == 1
    stray = _one(result.issues, "xsd", f"{CHILD1}/ChildIdentifiers")
    assert STRAY_TEXT in stray.message and stray.value == "PersonBirthDate" and "line 19" in stray.message
    if mismatch:  # Year 2023 with ReferenceDate 2024-03-31: the reference date decides
        warning = _one(result.issues, "header-year-mismatch")
        assert warning.severity is Severity.WARNING and "Read as 2023-24" in warning.message


def test_two_child_protection_plans_are_numbered(shared: Path) -> None:
    plans = read_cin_census(shared / VALIDATOR / "CIN2rows.xml").data["child_protection_plans"]
    assert plans["plan_id"].to_list() == [1, 2]
    assert plans["referral_id"].to_list() == [1, 1]


def test_header_reference_date_not_31_march(shared: Path) -> None:
    result = read_cin_census(shared / VALIDATOR / "CIN_header_issues_100.xml")
    issue = _one(result.issues, "header-reference-date")
    assert issue.value == "2023-03-28" and "expected 2023-03-31" in issue.message
    assert result.year == 2023


@pytest.mark.parametrize("name", ["CIN_Census_2024.xml", "CIN_Census_2026.xml"])
def test_census_2024_and_2026_files_as_their_header_says(shared: Path, name: str) -> None:
    """Both headers say ReferenceDate 2024-03-31, so both are read as 2023-24."""
    result = read_cin_census(shared / VALIDATOR / name)
    assert result.year == 2024
    assert result.data["children"].height == 2 and result.data["referrals"].height == 2
    issues = result.issues
    # Sex (from 2024-25) where 2023-24 has GenderCurrent, in both children; M is not a 2023-24 code, 1 is.
    for child in (CHILD1, CHILD2):
        sex = _one(issues, "xsd", f"{child}/ChildIdentifiers", "Sex")
        assert "Sex is not part of ChildIdentifiers in the 2023-24 layout" in sex.message
        assert "expected GenderCurrent" in sex.message
    bad_sex = _one(issues, "invalid-code", field="Sex")
    assert bad_sex.element == f"{CHILD2}/ChildIdentifiers/Sex" and bad_sex.value == "M"
    assert "introduced in 2024-25" in bad_sex.message
    assert result.data["children"]["sex"].to_list() == ["1", "M"]  # read all the same
    # An unknown assessment factor, and an empty list of factors.
    factor = _one(issues, "invalid-code", field="AssessmentFactors")
    assert factor.value == "RB"
    assert factor.element == f"{CHILD1}/CINdetails[1]/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[2]"
    empty = _one(issues, "xsd", field="AssessmentFactors")
    assert "AssessmentFactors is missing" in empty.message
    assert result.data["assessments"]["factors"].to_list() == [["1C", "RB", "6B"], []]
    # The assessment that starts in 2028 and was authorised in 2020.
    start = _one(issues, "after-reference-date", f"{CHILD1}/CINdetails[1]/Assessments[1]",
                 "AssessmentActualStartDate")
    assert start.value == "2028-04-28"
    backwards = _one(issues, "end-before-start", field="AssessmentAuthorisationDate")
    assert "19/09/2020 is before AssessmentActualStartDate 28/04/2028" in backwards.message
    assert [i.value for i in issues if i.code == "xsd" and STRAY_TEXT in i.message] == ["PersonBirthDate"]
    _one(issues, "header-year-mismatch")
    if name == "CIN_Census_2026.xml":
        block = _one(issues, "xsd", f"{CHILD1}/CINdetails[1]", "PreProceedingsandFGDM")
        assert "not part of CINdetails in the 2023-24 layout" in block.message
        pre = result.data["pre_proceedings"]
        assert pre.height == 1 and pre["outcome"].to_list() == ["A"]  # read, not dropped
    else:
        assert result.data["pre_proceedings"].height == 0


def test_census_2026_file_read_as_2025_26(shared: Path) -> None:
    result = read_cin_census(shared / VALIDATOR / "CIN_Census_2026.xml", year=2026)
    assert result.year == 2026
    issues = result.issues
    _one(issues, "header-year-overridden")
    # The pre-proceedings block belongs to 2025-26, and so does Sex; now 1 is the wrong code, not M.
    assert not [i for i in issues if i.field in ("PreProceedingsandFGDM", "Sex") and i.code == "xsd"]
    one = _one(issues, "invalid-code", field="Sex")
    assert one.value == "1" and "replaced by M" in one.message
    pre = result.data["pre_proceedings"].row(0, named=True)
    assert pre["is_family_group_meeting_offered"] is True and pre["review_meetings_count"] == 3
    late = [i for i in issues if i.code == "after-reference-date"]
    assert {i.field for i in late} == {"AssessmentActualStartDate", "PPStartDate", "LBPSentDate",
                                       "InitialPPMeetingDate", "StepDecisionDate", "CourtAppDate",
                                       "LetterInitCPDate"}
