"""Each broken file in tests/returns/fixtures/ssda903 paired with the issue it must produce.

Every case reads its fixture, checks the reader did not crash and kept what could be read, and finds one issue
with the expected code, severity, place (file, CSV line or XML element, field) and message text.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careflow.errors import ReturnFormatError
from careflow.issues import Issue, Severity
from careflow.returns.ssda903 import read_ssda903

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ssda903"


@dataclass(frozen=True)
class Case:
    """A fixture and the issue it must produce."""

    fixture: str
    code: str
    file: str | None
    row: int | None
    field: str | None
    message: str
    severity: Severity = Severity.ERROR
    element: str | None = None
    year: int | None = 2025
    table: str | None = None  # the table read, and
    rows: int | None = None  # how many rows it must hold


# fmt: off
CASES = [
    Case(
        "truncated_episodes.csv", "truncated", "truncated_episodes.csv", 4, None,
        "the last line has 6 of the 13 fields in the header and no line end: the file looks cut short",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "unterminated_quote.csv", "truncated", "unterminated_quote.csv", 3, None,
        "a quoted value opened on line 3 is never closed (lines 3–4)",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "ragged_row.csv", "field-count", "ragged_row.csv", 3, None,
        "has 15 fields, expected 13 as in the header (line 1); the extra values ('extra', 'values') were not read",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "cp1252_episodes.csv", "encoding", "cp1252_episodes.csv", None, None,
        "not UTF-8 (first non-UTF-8 byte at offset 156); read as Windows-1252", Severity.WARNING,
        table="looked_after_episodes", rows=1,
    ),
    Case(
        "undecodable_episodes.csv", "encoding", "undecodable_episodes.csv", None, None,
        "neither UTF-8 nor Windows-1252", table="looked_after_episodes", rows=1,
    ),
    Case(
        "bad_dates.csv", "date-format", "bad_dates.csv", 3, "DECOM",
        "'31/13/2024' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024).",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "bad_dates.csv", "date-format", "bad_dates.csv", 2, "DECOM",
        "'2024/04/01' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024).",
    ),
    Case(
        "bad_dates.csv", "date-format", "bad_dates.csv", 4, "DECOM",
        "'3/5/2024' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024).",
    ),
    Case(
        "impossible_dates.csv", "date-format", "impossible_dates.csv", 3, "DECOM",
        "'31/02/2024' is not a date: there is no 31 February 2024 (expected DD/MM/YYYY, e.g. 01/04/2024).",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "impossible_dates.csv", "date-format", "impossible_dates.csv", 4, "DEC",
        "'2023-02-29' is not a date: there is no 29 February 2023",
    ),
    Case(
        "unknown_code.csv", "invalid-code", "unknown_code.csv", 3, "PLACE",
        "'ZZ' is not a placement_type code in any year",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "code_not_valid_in_year.csv", "invalid-code", "code_not_valid_in_year.csv", 3, "PLACE",
        "'H5' is not a valid placement_type in 2025-26 (valid 2021-22 to 2024-25; replaced by K3)",
        year=2026, table="looked_after_episodes", rows=3,
    ),
    Case(
        "missing_column.csv", "missing-column", "missing_column.csv", 1, "DEC, REC",
        "missing columns DEC, REC (the SSDA903 episodes columns are CHILD, DECOM,",
        table="looked_after_episodes", rows=1,
    ),
    Case(
        "extra_column.csv", "extra-column", "extra_column.csv", 1, "NOTES",
        "column NOTES is not part of the SSDA903 episodes table; its 1 value, e.g. 'moved after allegation' on "
        "line 3 was not read",
        Severity.WARNING, table="looked_after_episodes", rows=2,
    ),
    Case(
        "duplicate_child.csv", "duplicate-child", "duplicate_child.csv", 4, "CHILD",
        "CHILD=1001 appears more than once (first at line 2); each must be unique",
        table="children", rows=3,
    ),
    Case(
        "overlapping_episodes.csv", "overlapping-episodes", "overlapping_episodes.csv", 3, "DECOM",
        "child 1001: episode starting 01/06/2024 overlaps the one starting 01/04/2024",
        table="looked_after_episodes", rows=3,
    ),
    Case(
        "before_birth", "before-birth", "episodes.csv", 2, "DECOM",
        "child 1001: episode starts 01/04/2024, before the child's date of birth 12/05/2024",
        table="looked_after_episodes", rows=1,
    ),
    Case(
        "not_a_flag.csv", "not-a-flag", "not_a_flag.csv", 2, "MOTHER",
        "'Y' is not a flag (expected 1 for yes or 0 for no).", table="children", rows=2,
    ),
    Case(
        "oc2_sdq.csv", "not-a-number", "oc2_sdq.csv", 2, "SDQ_SCORE",
        "'high' is not a whole number (expected digits, e.g. 21).", table="looked_after_outcomes", rows=3,
    ),
    Case(
        "oc2_sdq.csv", "out-of-range", "oc2_sdq.csv", 3, "SDQ_SCORE",
        "'45' is out of range (expected a whole number from 0 to 40).",
    ),
    Case(
        "unknown_table.csv", "unknown-table", "unknown_table.csv", 1, None,
        "is not an SSDA903 table that careflow knows: its columns match no SSDA903 table. Its columns are ID, "
        "NAME, TEAM",
    ),
    Case(
        "malformed.xml", "malformed-xml", "malformed.xml", None, None,
        "line 5, column 67: the XML is not well-formed (Opening and ending tag mismatch: EPISODE line 5 and "
        "EPISOD)",
        table="children", rows=2,
    ),
    Case(
        "truncated.xml", "malformed-xml", "truncated.xml", None, None,
        "line 9, column 25: the XML is not well-formed (Premature end of data in tag DECOM line 9); the file "
        "looks cut short",
        table="looked_after_episodes", rows=2,
    ),
    Case(
        "truncated.xml", "date-format", "truncated.xml", None, "DECOM",
        "'03/05/20' is not a date", element="/EXPSSDA903/CHILD[2]/EPISODE[1]",
    ),
    Case(
        "bad_values.xml", "date-format", "bad_values.xml", None, "REVIEW",
        "'30/02/2024' is not a date: there is no 30 February 2024", element="/EXPSSDA903/CHILD[1]/HEADER/AREVIEW[1]",
        table="looked_after_reviews", rows=1,
    ),
    Case(
        "bad_values.xml", "not-a-number", "bad_values.xml", None, "SDQ_SCORE",
        "'n/a' is not a whole number", element="/EXPSSDA903/CHILD[1]/HEADER/OC2[1]",
    ),
    Case(
        "bad_values.xml", "invalid-code", "bad_values.xml", None, "PL",
        "'ZZ' is not a placement_type code in any year", element="/EXPSSDA903/CHILD[1]/EPISODE[1]",
    ),
    Case(
        "bad_values.xml", "extra-field", "bad_values.xml", None, None,
        "unexpected element <NICKNAME> holding 'Al'", Severity.WARNING,
        element="/EXPSSDA903/CHILD[1]/HEADER/NICKNAME",
    ),
    Case(
        "wrong_root.xml", "unknown-file", "wrong_root.xml", None, None,
        "is XML with root <Returns>, not an SSDA903 return (<EXPSSDA903>); it was not read.",
    ),
]
# fmt: on


def _matches(issue: Issue, case: Case) -> bool:
    return (
        issue.code == case.code
        and issue.severity is case.severity
        and issue.file == case.file
        and issue.row == case.row
        and issue.element == case.element
        and issue.field == case.field
        and case.message in issue.message
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{c.fixture}:{c.code}:{c.row or c.element}" for c in CASES])
def test_bad_input_gives_the_expected_issue(case: Case) -> None:
    result = read_ssda903(FIXTURES / case.fixture, year=case.year)
    found = [i for i in result.issues if _matches(i, case)]
    assert found, f"no issue like {case}; got:\n" + "\n".join(f"  {i.code}: {i}" for i in result.issues)
    if case.table is not None:
        assert result.data[case.table].height == case.rows


def test_messages_read_as_the_style_guide_asks() -> None:
    result = read_ssda903(FIXTURES / "bad_dates.csv", year=2025)
    assert "bad_dates.csv row 3, DECOM: '31/13/2024' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024)." in [
        str(i) for i in result.issues
    ]


def test_unreadable_values_are_null_not_guessed_and_other_values_are_kept() -> None:
    result = read_ssda903(FIXTURES / "impossible_dates.csv", year=2025)
    episodes = result.data["looked_after_episodes"]
    assert episodes["start_date"].null_count() == 1
    assert episodes["placement_type"].to_list() == ["U4", "K2", "U6"]
    # A value that only echoes an unreadable one (DECOM then missing) is not reported twice.
    assert not [i for i in result.issues if i.code in ("missing-value", "duplicate-key")]


def test_a_file_cut_short_keeps_the_fields_it_has() -> None:
    episodes = read_ssda903(FIXTURES / "truncated_episodes.csv").data["looked_after_episodes"]
    last = episodes.row(-1, named=True)
    assert (last["child_id"], last["legal_status"], last["placement_type"], last["placement_provider"]) == (
        "1002",
        "V2",
        "U6",
        None,
    )


def test_an_unclosed_quote_loses_no_later_row() -> None:
    episodes = read_ssda903(FIXTURES / "unterminated_quote.csv").data["looked_after_episodes"]
    assert episodes["child_id"].to_list() == ["1001", "1002", "1001"]
    assert episodes["home_postcode"][1] == "JK5 6LM,NP7 8QR,SC111111"


def test_windows_1252_text_is_read_as_meant() -> None:
    episodes = read_ssda903(FIXTURES / "cp1252_episodes.csv").data["looked_after_episodes"]
    assert episodes["placement_postcode"].to_list() == ["Café 4GH"]


def test_excel_byte_order_mark_and_crlf_are_read_quietly() -> None:
    result = read_ssda903(FIXTURES / "excel_header.csv", year=2025)
    assert result.issues == []
    assert result.data["children"]["child_id"].to_list() == ["1001"]


def test_iso_dates_are_read_quietly() -> None:
    result = read_ssda903(FIXTURES / "iso_dates.csv", year=2025)
    assert result.issues == []
    assert str(result.data["looked_after_episodes"]["start_date"][0]) == "2024-04-01"


def test_the_same_code_is_valid_in_the_year_it_belongs_to() -> None:
    assert read_ssda903(FIXTURES / "code_not_valid_in_year.csv", year=2025).issues == []


def test_extra_column_values_are_kept_out_of_the_table() -> None:
    result = read_ssda903(FIXTURES / "extra_column.csv", year=2025)
    assert "NOTES" not in result.data["looked_after_episodes"].columns
    assert [i.code for i in result.issues] == ["extra-column"]


def test_an_unknown_table_in_a_listed_folder_is_a_warning_but_named_it_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("ID,NAME\n1,x\n")
    (tmp_path / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M,01/01/2015,WBRI,,,\n")
    listed = read_ssda903(tmp_path, year=2025)
    assert [(i.code, i.severity) for i in listed.issues] == [("unknown-table", Severity.WARNING)]
    named = read_ssda903([tmp_path / "notes.csv"], year=2025)
    assert [(i.code, i.severity) for i in named.issues] == [("unknown-table", Severity.ERROR)]


def test_missing_files_are_reported_not_raised(tmp_path: Path) -> None:
    result = read_ssda903(tmp_path / "nowhere.csv")
    assert [i.code for i in result.issues] == ["file-not-found"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert [i.code for i in read_ssda903(empty).issues] == ["empty-file"]


def test_strict_mode_raises_with_every_error() -> None:
    lenient = read_ssda903(FIXTURES / "bad_dates.csv", year=2025)
    errors = [i for i in lenient.issues if i.severity is Severity.ERROR]
    assert len(errors) == 3
    with pytest.raises(ReturnFormatError) as raised:
        read_ssda903(FIXTURES / "bad_dates.csv", year=2025, strict=True)
    assert raised.value.issues == errors
    assert "3 error(s)" in str(raised.value) and "'31/13/2024' is not a date" in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_strict_mode_returns_the_result_when_there_are_only_warnings() -> None:
    result = read_ssda903(FIXTURES / "extra_column.csv", year=2025, strict=True)
    assert result.data["looked_after_episodes"].height == 2


def test_every_fixture_is_used() -> None:
    used = {c.fixture for c in CASES} | {"excel_header.csv", "iso_dates.csv"}
    present = {p.name for p in FIXTURES.iterdir()}
    assert present == used


# --- the reader never crashes: whatever the bytes, it returns issues, never raises or fails inside ----------

_CSV_PIECES = st.sampled_from([*'1,"\n\r /-0aéX\t;', "01/04/2024", "2024-04-01", ",,,", '""', "\ufeff"])
_TAGS = [
    "CHILD",
    "HEADER",
    "EPISODE",
    "CHILDID",
    "DOB",
    "DECOM",
    "PL",
    "AREVIEW",
    "REVIEW",
    "OC2",
    "SDQ_SCORE",
    "UASC",
    "DUC",
    "IN_TOUCH",
    "DATE_INT",
    "AD_PLACED",
    "AMISSING",
    "PERMANENCE",
    "X",
]
_XML_PIECES = st.one_of(
    st.sampled_from(_TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(["1", "01/04/2024", "2024-02-30", "x", "&amp;", "&bogus;", "<!-- c -->", "é", "\n"]),
)
_PREFIXES = [
    "",
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n",
    "CHILD,SEX,DOB\n",
    "<?xml version='1.0'?><EXPSSDA903>",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_PREFIXES),
    st.lists(st.one_of(_CSV_PIECES, _XML_PIECES), max_size=50).map("".join),
    st.sampled_from([".csv", ".xml"]),
    st.binary(max_size=4),
)
def test_reader_never_fails_on_any_input(prefix: str, body: str, suffix: str, junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"episodes{suffix}"
        path.write_bytes((prefix + body).encode() + junk)
        result = read_ssda903(path)
    assert not [i for i in result.issues if i.code in ("unreadable-file", "not-validated")], result.issues
