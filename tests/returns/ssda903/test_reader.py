"""The SSDA903 reader's choices: which table a file is, several files of one table, quoting, whitespace, and
dispatching between SSDA903 and CIN census files (careflow.returns.detect)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from careflow.errors import ReturnFormatError
from careflow.issues import Severity
from careflow.returns import ReadResult, read_return
from careflow.returns.ssda903 import read_ssda903, recognise
from careflow.returns.ssda903._parse import date_message
from careflow.tables import CareData

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
ONE_CHILD_XML = "<EXPSSDA903><CHILD><HEADER><CHILDID>{}</CHILDID></HEADER></CHILD></EXPSSDA903>"
CIN_XML = (
    "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year></CollectionDetails>"
    "</Header><Children/></Message>"
)


@pytest.mark.parametrize(
    ("columns", "stem", "table"),
    [
        (["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], "anything", "header"),
        (["CHILD", "SEX", "DOB", "DUC"], "", "uasc"),
        (["CHILD", "SEX", "DOB", "DUC", "LA", "YEAR"], "", "uasc"),
        (["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"], "sw_episodes", "sw_episodes"),
        (["CHILD", "DOB", "DOLO_START", "DOLO_END"], "DoLo", "DoLo"),
        # A file missing columns is still recognised by the rest, and by its name when columns alone tie.
        (["CHILD", "DECOM", "RNE", "LS"], "", "episodes"),
        (["CHILD", "DOB"], "reviews_2024", "reviews"),
        # Columns outweigh a misleading name.
        (["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], "episodes", "header"),
    ],
)
def test_recognise(columns: list[str], stem: str, table: str) -> None:
    layout, why = recognise(columns, stem)
    assert layout is not None and layout.key == table, why


def test_recognise_says_why_not() -> None:
    layout, why = recognise(["CHILD", "DOB"], "data")
    assert layout is None and "equally well" in why and "name the file after its table" in why
    assert recognise(["ID", "NAME"])[0] is None


def test_date_message_examples() -> None:
    assert date_message("31/13/2024") == "'31/13/2024' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024)."
    assert "there is no 29 February 2023" in date_message("29/02/2023")
    assert date_message("yesterday") == "'yesterday' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024)."


def test_several_files_of_one_table_keep_their_own_places(tmp_path: Path) -> None:
    rest = ",S,C2,N1,U4,PR1,,,,,,\n"
    (tmp_path / "episodes_2024.csv").write_text(EPISODES + f"1,01/04/2023{rest}2,31/02/2024{rest}")
    (tmp_path / "episodes_2025.csv").write_text(EPISODES + f"3,01/04/2024{rest}1,01/05/2023{rest}")
    result = read_ssda903(tmp_path, year=2025)
    assert result.data["looked_after_episodes"]["child_id"].to_list() == ["1", "2", "3", "1"]
    where = {i.code: (i.file, i.row, i.element, i.field) for i in result.issues}
    assert where["date-format"] == ("episodes_2024.csv", 3, None, "DECOM")
    assert where["overlapping-episodes"] == ("episodes_2025.csv", 3, None, "DECOM")
    assert where["several-files"] == (None, None, None, None)


def test_files_with_the_same_name_are_told_apart(tmp_path: Path) -> None:
    for year in ("2024", "2025"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "header.csv").write_text(HEADER + f"{year},M,31/02/2012,WBRI,,,\n")
    result = read_ssda903([tmp_path / "2024", tmp_path / "2025"])
    assert sorted(i.file for i in result.issues if i.code == "date-format") == ["2024/header.csv", "2025/header.csv"]


def test_quoted_values_whitespace_and_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "episodes.csv"
    path.write_text(
        EPISODES
        + '1 , 01/04/2024 ,S,C2,N1,U4,PR1,,,,"AB1 2CD, flat 3",EF3 4GH,\n'
        + ",,,,,,,,,,,,\n"
        + "\n"
        + "2,02/04/2024,S,C2,N1,U4,PR1,,,,,,\n"
    )
    result = read_ssda903(path, year=2025)
    episodes = result.data["looked_after_episodes"]
    assert episodes["child_id"].to_list() == ["1", "2"]
    assert episodes["home_postcode"][0] == "AB1 2CD, flat 3"
    assert str(episodes["start_date"][0]) == "2024-04-01"
    assert [(i.code, i.severity, i.row) for i in result.issues] == [("empty-rows", Severity.INFO, 3)]


def test_plain_file_with_padded_values_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(HEADER + " 1 ,M , 04/03/2012,WBRI,,1 ,\n")
    children = read_ssda903(path).data["children"]
    assert children.row(0)[:3] == ("1", "M", children["date_of_birth"][0])
    assert str(children["date_of_birth"][0]) == "2012-03-04" and children["is_mother"][0] is True


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careflow.returns.ssda903 import _read

    (tmp_path / "header.csv").write_text(HEADER + "1,M,04/03/2012,WBRI,,,\n")
    (tmp_path / "fake_903.xml").write_text(ONE_CHILD_XML.format(2))

    def broken(raw: bytes, file: str) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(_read, "read_xml", broken)
    result = read_ssda903([tmp_path / "header.csv", tmp_path / "fake_903.xml"])
    assert result.data["children"]["child_id"].to_list() == ["1"]
    (issue,) = result.issues
    assert issue.code == "unreadable-file" and issue.file == "fake_903.xml" and "RuntimeError: boom" in issue.message


def test_read_return_sends_each_file_to_its_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import careflow.returns.cin as cin

    calls: list[tuple[Path, Any]] = []

    def fake_cin(path: Path, *, year: int | None = None, strict: bool = False) -> ReadResult:
        calls.append((path, year))
        return ReadResult(CareData(), [], [str(path)], "cin", 2025)

    monkeypatch.setattr(cin, "read_cin_census", fake_cin)
    (tmp_path / "cin.xml").write_text(CIN_XML)
    (tmp_path / "header.csv").write_text(HEADER + "1,M,04/03/2012,WBRI,,,\n")
    (tmp_path / "other.xml").write_text("<Returns/>")
    result = read_return(tmp_path, year=2025)
    assert calls == [(tmp_path / "cin.xml", 2025)]
    assert result.collection == "ssda903+cin"
    assert result.data["children"]["child_id"].to_list() == ["1"]
    assert [(i.code, i.severity, i.file) for i in result.issues] == [("unknown-file", Severity.WARNING, "other.xml")]
    only_cin = read_return(tmp_path / "cin.xml")
    assert only_cin.collection == "cin" and only_cin.year == 2025


def test_read_return_keeps_csv_when_a_folder_holds_ssda903_twice(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text(HEADER + "1,M,04/03/2012,WBRI,,,\n")
    (tmp_path / "return.xml").write_text(ONE_CHILD_XML.format(1))
    result = read_return(tmp_path)
    assert result.collection == "ssda903" and result.data["children"].height == 1
    assert [i.code for i in result.issues] == ["mixed-formats"]
    both = read_return([tmp_path / "header.csv", tmp_path / "return.xml"])
    assert both.data["children"].height == 2


def test_read_return_strict_and_named_unknown_files(tmp_path: Path) -> None:
    path = tmp_path / "notes.xml"
    path.write_text("<Returns/>")
    result = read_return(path)
    assert [(i.code, i.severity) for i in result.issues] == [("unknown-file", Severity.ERROR)]
    with pytest.raises(ReturnFormatError, match="root <Returns>"):
        read_return(path, strict=True)
    assert [i.code for i in read_return(tmp_path / "missing.csv").issues] == ["file-not-found"]


def test_xml_issues_point_at_elements_not_row_indexes(tmp_path: Path) -> None:
    path = tmp_path / "return.xml"
    path.write_text("<EXPSSDA903>" + ONE_CHILD_XML.format(1)[12:-13] * 2 + "</EXPSSDA903>")
    (issue,) = read_ssda903(path).issues
    assert (issue.code, issue.element, issue.field) == ("duplicate-child", "/EXPSSDA903/CHILD[2]/HEADER", "CHILDID")
    assert "first at /EXPSSDA903/CHILD[1]/HEADER" in issue.message


def test_a_file_separated_by_semicolons_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("CHILD;SEX;DOB\n1;M;01/01/2010\n")
    (issue,) = read_ssda903(path).issues
    assert issue.code == "unknown-table" and "separated by semicolons" in issue.message
