"""Reading partner files through a column mapping: each broken file is paired with the problem it must produce."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from careflow.share.partners_io import MappingError, load_mapping, read_partner_files, read_people

MAPPING = """
files:
  police.csv:
    agency: police
    columns: {source_record_id: Ref, full_name: Name, dob: DOB, sex: Sex, postcode: Postcode, nhs_number: NHS,
              event_date: When, event_type: {value: Incident}, summary: [What, Role],
              agency_contact_name: Officer, agency_contact_role: {value: Officer in the case},
              agency_contact_phone: Phone}
    name_order: "last, first"
    dates: {dob: "%d/%m/%Y", event_date: "%d/%m/%Y"}
    sex: {Male: M, Female: F}
"""
HEADER = "Ref,Name,DOB,Sex,Postcode,NHS,When,What,Role,Officer,Phone\n"
GOOD = "R1,\"SMITH, Amy\",03/04/2015,Female,TW9 1AB,943 476 5919,01/05/2025,Assault,Victim,PC Lane,0163\n"


def _read(tmp_path: Path, body: str, header: str = HEADER, encoding: str = "utf-8") -> tuple[pl.DataFrame,
                                                                                              pl.DataFrame]:
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "partners").mkdir(exist_ok=True)
    (tmp_path / "partners" / "police.csv").write_bytes((header + body).encode(encoding))
    read = read_partner_files(tmp_path / "partners", tmp_path / "mapping.yaml")
    return read.records, read.problems_frame()


def test_a_good_row_is_read_and_normalised(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, GOOD)
    assert problems.height == 0
    row = records.row(0, named=True)
    assert (row["first_name"], row["last_name"], row["sex"], row["nhs_number"]) == ("Amy", "Smith", "F", "9434765919")
    assert str(row["dob"]) == "2015-04-03" and str(row["event_date"]) == "2025-05-01"
    assert row["summary"] == "Assault; Victim" and row["event_type"] == "Incident" and row["usable"]
    assert row["row"] == 2


@pytest.mark.parametrize(("body", "field", "message", "usable"), [
    (GOOD.replace("03/04/2015", "31/02/2015"), "DOB", "'31/02/2015' is not a date (expected %d/%m/%Y", False),
    (GOOD.replace("01/05/2025", "sometime"), "When", "'sometime' is not a date", False),
    (GOOD.replace("01/05/2025", ""), "When", "no event date", False),
    (GOOD.replace("R1", ""), "Ref", "no record reference", False),
    (GOOD.replace("943 476 5919", "943 476 5918"), "NHS", "not a valid NHS number", True),
    (GOOD.replace("Female", "Woman"), "Sex", "sex code not in the mapping", True),
])
def test_bad_values_are_reported_by_file_row_and_field(tmp_path: Path, body: str, field: str, message: str,
                                                       usable: bool) -> None:
    records, problems = _read(tmp_path, GOOD + body)
    assert problems.height == 1, problems
    problem = problems.row(0, named=True)
    assert (problem["file"], problem["row"], problem["field"]) == ("police.csv", 3, field)
    assert message in problem["problem"]
    assert records.height == 2, "nothing is dropped silently: the row is read and flagged"
    assert records["usable"].to_list() == [True, usable]


def test_an_unknown_column_is_reported_and_ignored(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, GOOD.rstrip("\n") + ",x\n", header=HEADER.rstrip("\n") + ",Extra\n")
    assert problems.select("row", "field").rows() == [(1, "Extra")]
    assert "unknown column" in problems["problem"][0] and records["usable"].all()


def test_a_missing_column_keeps_the_file_out_and_says_which(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, GOOD.replace(",943 476 5919", ""), header=HEADER.replace(",NHS", ""))
    assert records.height == 0
    assert problems.filter(pl.col("field") == "NHS")["problem"].str.contains("no such column").all()


def test_a_cp1252_file_is_read_and_reported(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, GOOD.replace("SMITH, Amy", "O’BRIEN, Zoë"), encoding="cp1252")
    assert records["first_name"][0] == "Zoë" and records["last_name"][0] == "O’Brien"
    assert problems.row(0, named=True)["row"] == 2 and "not UTF-8" in problems["problem"][0]


def test_files_the_mapping_does_not_name_are_reported(tmp_path: Path) -> None:
    _read(tmp_path, GOOD)
    (tmp_path / "partners" / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    read = read_partner_files(tmp_path / "partners", tmp_path / "mapping.yaml")
    assert "other.csv" in read.problems_frame()["file"].to_list()


def test_a_mapping_with_unknown_fields_is_an_error_naming_them(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("files:\n  a.csv:\n    agency: x\n    colums: {}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="unknown key 'colums'"):
        load_mapping(bad)


def test_the_synthetic_mapping_loads() -> None:
    assert len(load_mapping(None)) == 10


def test_people_file_problems(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("person_id,first_name,last_name,dob,sex,postcode,nhs_number\n"
                    "1,Amy,Smith,2015-04-03,F,TW9 1AB,9434765919\n"
                    "2,Bo,Smith,2015-13-03,M,TW9 1AB,9434765918\n"
                    "1,Amy,Smith,2015-04-03,F,TW9 1AB,9434765919\n", encoding="utf-8")
    people, problems = read_people(path)
    assert people["person_id"].to_list() == ["1", "2"]
    assert {(p["row"], p["field"]) for p in problems} == {(3, "dob"), (3, "nhs_number"), (4, "person_id")}
    path.write_text("person_id,first_name\n1,Amy\n", encoding="utf-8")
    with pytest.raises(MappingError, match="lacks column"):
        read_people(path)


def test_a_file_with_a_header_only_is_read_as_no_records(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, "")
    assert records.height == 0 and problems.height == 0


def test_a_pattern_reads_every_monthly_extract(tmp_path: Path) -> None:
    (tmp_path / "mapping.yaml").write_text(MAPPING.replace("  police.csv:", "  police_*.csv:"), encoding="utf-8")
    (tmp_path / "partners").mkdir()
    for month, ref in (("2025-04", "R1"), ("2025-05", "R2")):
        (tmp_path / "partners" / f"police_{month}.csv").write_text(HEADER + GOOD.replace("R1", ref),
                                                                   encoding="utf-8")
    read = read_partner_files(tmp_path / "partners", tmp_path / "mapping.yaml")
    assert read.records.select("source_file", "source_record_id").rows() == [
        ("police_2025-04.csv", "R1"), ("police_2025-05.csv", "R2")]
    assert read.problems == []
