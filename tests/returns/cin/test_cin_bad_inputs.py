"""Each broken CIN census file is paired with the issue it must produce: code, place and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from careflow.errors import ReturnFormatError
from careflow.issues import Severity
from careflow.returns.cin import read_cin_census

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cin"

CHILD1 = "/Message/Children/Child[1]"
CHILD2 = "/Message/Children/Child[2]"

# fixture, issue code, severity, element, field, words the message must hold, children read, referrals read
CASES = [
    ("truncated.xml", "xml-malformed", Severity.ERROR, None, None,
     ["Premature end of data", "line 73"], 2, 2),
    ("wrong_encoding.xml", "encoding", Severity.WARNING, None, None,
     ["not UTF-8", "Windows-1252"], 2, 2),
    ("bad_date.xml", "date-format", Severity.ERROR, f"{CHILD1}/ChildIdentifiers/PersonBirthDate",
     "PersonBirthDate", ["'27/03/2015' is not a date in the form YYYY-MM-DD", "line 23"], 2, 2),
    ("impossible_date.xml", "date-format", Severity.ERROR, f"{CHILD2}/CINdetails[1]/CINreferralDate",
     "CINreferralDate", ["'2023-02-30' is not a real date", "line 73"], 2, 2),
    ("unknown_code.xml", "invalid-code", Severity.ERROR, f"{CHILD2}/CINdetails[1]/ReferralSource",
     "ReferralSource", ["'99' is not a referral_source code in any year", "line 74"], 2, 2),
    ("code_not_valid_in_year.xml", "invalid-code", Severity.ERROR, f"{CHILD2}/CINdetails[1]/ReasonForClosure",
     "ReasonForClosure", ["'RC9' is not a valid reason_for_closure in 2021-22", "introduced in 2022-23"], 2, 2),
    ("missing_required.xml", "xsd", Severity.ERROR, f"{CHILD2}/CINdetails[1]", "ReferralSource",
     ["ReferralSource is missing", "before PrimaryNeedCode", "line 74"], 2, 2),
    ("out_of_order.xml", "xsd", Severity.ERROR, f"{CHILD1}/CINdetails[1]", "Assessments",
     ["Assessments is out of order", "in order: CINreferralDate, ReferralSource", "line 37"], 2, 2),
    ("duplicate_child.xml", "duplicate-child", Severity.ERROR, CHILD2, "LAchildID",
     ["LAchildID=C0001 appears more than once", f"first at {CHILD1}"], 2, 2),
    ("bad_boolean.xml", "boolean-format", Severity.ERROR, f"{CHILD2}/CINdetails[1]/ReferralNFA", "ReferralNFA",
     ["'no' is not true or false"], 2, 2),
    ("bad_upn.xml", "xsd", Severity.ERROR, f"{CHILD1}/ChildIdentifiers/UPN", "UPN",
     ["'12345' is not valid here", "doesn't match any pattern", r"[A-Za-z]\d{11}[A-Za-z0-9]", "line 22"], 2, 2),
    ("unmapped_element.xml", "unmapped-element", Severity.WARNING, f"{CHILD2}/ChildIdentifiers/PreferredName",
     "PreferredName", ["its content ('Sam') was not read"], 2, 2),
]


@pytest.mark.parametrize(
    ("fixture", "code", "severity", "element", "field", "words", "children", "referrals"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_bad_input_gives_its_issue(
    fixture: str, code: str, severity: Severity, element: str | None, field: str | None, words: list[str],
    children: int, referrals: int,
) -> None:
    result = read_cin_census(FIXTURES / fixture)
    found = [i for i in result.issues if i.code == code]
    assert found, f"no {code} issue; got {[str(i) for i in result.issues]}"
    issue = found[0]
    assert issue.severity is severity
    assert issue.file == fixture
    assert issue.element == element
    assert issue.field == field
    for word in words:
        assert word in issue.message, issue.message
    # What could be read was read.
    assert result.data["children"].height == children
    assert result.data["referrals"].height == referrals


def test_one_problem_is_one_issue() -> None:
    """A bad value is reported once, by its specific issue, not again by the XSD or as a missing value."""
    for fixture in ("impossible_date.xml", "unknown_code.xml", "bad_boolean.xml", "missing_required.xml"):
        issues = read_cin_census(FIXTURES / fixture).issues
        assert len([i for i in issues if i.severity is Severity.ERROR]) == 1, [str(i) for i in issues]


def test_valid_fixture_has_no_issue() -> None:
    result = read_cin_census(FIXTURES / "valid_2023-24.xml")
    assert result.issues == []
    assert result.year == 2024
    assert result.data.counts() == {
        "children": 2, "referrals": 2, "assessments": 1, "child_in_need_plans": 1,
        "section47_enquiries": 1, "child_protection_plans": 1, "pre_proceedings": 0,
    }
    plan = result.data["child_protection_plans"].row(0, named=True)
    assert plan["number_of_previous_plans"] == 0 and len(plan["review_dates"]) == 1
    assert result.data["assessments"]["factors"].to_list() == [["3A", "4B"]]
    assert result.data["referrals"]["is_no_further_action"].to_list() == [False, False]


def test_bad_values_are_read_as_missing_and_the_rest_is_kept() -> None:
    result = read_cin_census(FIXTURES / "impossible_date.xml")
    referral = result.data["referrals"].row(1, named=True)
    assert referral["referral_date"] is None
    assert referral["referral_source"] == "3B"
    coded = read_cin_census(FIXTURES / "unknown_code.xml").data["referrals"]
    assert coded["referral_source"].to_list() == ["1A", "99"]  # kept as returned, and reported


def test_strict_raises_with_every_error() -> None:
    with pytest.raises(ReturnFormatError) as caught:
        read_cin_census(FIXTURES / "bad_date.xml", strict=True)
    assert [i.code for i in caught.value.issues] == ["date-format"]
    assert "PersonBirthDate" in str(caught.value)
    assert read_cin_census(FIXTURES / "valid_2023-24.xml", strict=True).issues == []
    # Warnings alone do not make strict mode raise.
    assert read_cin_census(FIXTURES / "wrong_encoding.xml", strict=True).counts()[Severity.WARNING] == 1


def test_not_xml_at_all(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"this is not xml")
    result = read_cin_census(path)
    assert [i.code for i in result.issues] == ["xml-malformed"]
    assert result.data["children"].height == 0


def test_year_outside_careflow_layouts(tmp_path: Path) -> None:
    text = (FIXTURES / "valid_2023-24.xml").read_text(encoding="utf-8")
    path = tmp_path / "future.xml"
    path.write_text(text.replace("<Year>2024</Year>", "<Year>2030</Year>")
                    .replace("2024-03-31", "2030-03-31"), encoding="utf-8")
    result = read_cin_census(path)
    assert result.year == 2030
    assert "unsupported-year" in [i.code for i in result.issues]
    assert result.data["children"].height == 2


def test_header_without_year_is_guessed_and_reported(tmp_path: Path) -> None:
    text = (FIXTURES / "valid_2023-24.xml").read_text(encoding="utf-8")
    path = tmp_path / "no_year.xml"
    path.write_text(text.replace("<Year>2024</Year>", "").replace("<ReferenceDate>2024-03-31</ReferenceDate>", ""),
                    encoding="utf-8")
    result = read_cin_census(path)
    assert result.year == 2024  # GenderCurrent and no pre-proceedings: read with the 2023-24 layout
    assert "header-year" in [i.code for i in result.issues]
    assert read_cin_census(path, year=2023).year == 2023


def test_declared_latin1_is_read_without_warning(tmp_path: Path) -> None:
    text = (FIXTURES / "valid_2023-24.xml").read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("careflow tests", "Société")
    path = tmp_path / "latin1.xml"
    path.write_bytes(text.encode("latin-1"))
    assert read_cin_census(path).issues == []


def test_provenance_fills_authority_and_year() -> None:
    result = read_cin_census(FIXTURES / "bad_date.xml", provenance=True)
    assert result.files == ["bad_date.xml"] and result.issues[0].file == "bad_date.xml"
    for name in ("children", "referrals", "assessments", "child_protection_plans"):
        frame = result.data[name]
        assert frame["local_authority"].to_list() == ["201"] * frame.height
        assert frame["collection_year"].to_list() == [2024] * frame.height
    plain = read_cin_census(FIXTURES / "valid_2023-24.xml")
    assert plain.data["children"]["local_authority"].null_count() == 2
