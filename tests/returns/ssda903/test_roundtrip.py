"""read(write(x)) == x, for CSV and for XML, over generated valid tables (Hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careflow.errors import ReturnFormatError
from careflow.returns.ssda903 import LAYOUTS, Field, Layout, read_ssda903, write_ssda903
from careflow.tables import CareData, schema

YEAR = 2025
ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Free text as it appears in postcodes, URNs, UPNs and LA names, with the characters that make CSV quoting and
# encodings matter (a comma, a double quote, an apostrophe, a non-ASCII letter). No whitespace at either end:
# readers strip it, as every SSDA903 tool does.
TEXT = st.text(
    alphabet=st.sampled_from(list("ABCDEFGHKLMNPRSTUWXYZabcdez0123456789 ,\"'é-/")), min_size=1, max_size=12
).filter(lambda s: s == s.strip())
CHILD_IDS = st.text(alphabet=st.sampled_from(list("0123456789ABCX")), min_size=1, max_size=8)
DATES = st.dates(date(1995, 1, 1), date(2030, 12, 31))
REQUIRED = {"child_id", "start_date", "review_date", "date_placed", "social_worker_id"}


def _codes(column: str, table: str) -> st.SearchStrategy[str]:
    """Valid 2024-25 codes of a coded column (free text where careflow holds no list)."""
    from careflow import codes

    code_list = schema(table)[column].code_list
    try:
        valid = sorted(codes.code_list(code_list or "", YEAR).codes)
    except (KeyError, ValueError):
        return TEXT
    return st.sampled_from(valid) if valid else TEXT


def _value(field: Field, table: str) -> st.SearchStrategy[Any]:
    if field.kind == "date":
        return DATES
    if field.kind == "flag":
        return st.booleans()
    if field.kind == "int":
        return st.integers(0, 40) if field.name == "SDQ_SCORE" else st.integers(1, 2)
    if field.column == "child_id":
        return CHILD_IDS
    if schema(table)[field.column].code_list is not None:
        return _codes(field.column, table)
    return TEXT


def _row(layout: Layout, fixed: dict[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    fixed = fixed or {}
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for field in layout.fields:
        if field.column in fixed:
            parts[field.column] = st.just(fixed[field.column])
        elif field.column in REQUIRED:
            parts[field.column] = _value(field, layout.table)
        else:
            parts[field.column] = st.none() | _value(field, layout.table)
    return st.fixed_dictionaries(parts)


def _frame(layout: Layout, rows: list[dict[str, Any]]) -> pl.DataFrame:
    table = schema(layout.table)
    columns = [f.column for f in layout.fields]
    return pl.DataFrame(rows, schema={c: table[c].dtype for c in columns}, orient="row")


@st.composite
def csv_data(draw: st.DrawFn) -> CareData:
    """Every SSDA903 table, independently; some with LA and YEAR on all, some, or none of their rows."""
    tables = {}
    for layout in LAYOUTS:
        rows = draw(st.lists(_row(layout), max_size=6))
        frame = _frame(layout, rows)
        provenance = draw(st.sampled_from(["none", "all", "some"]))
        if provenance != "none" and frame.height:
            las = draw(st.lists(TEXT, min_size=frame.height, max_size=frame.height))
            years = draw(st.lists(st.integers(2000, 2030), min_size=frame.height, max_size=frame.height))
            if provenance == "some":
                keep = draw(st.lists(st.booleans(), min_size=frame.height, max_size=frame.height))
                las = [v if k else None for v, k in zip(las, keep, strict=True)]
                years = [v if k else None for v, k in zip(years, keep, strict=True)]
            frame = frame.with_columns(
                local_authority=pl.Series(las, dtype=pl.String), collection_year=pl.Series(years, dtype=pl.Int16)
            )
        tables[layout.table] = frame
    return CareData(tables)


@st.composite
def xml_data(draw: st.DrawFn) -> CareData:
    """What the XML layout carries: children, and under each child its rows of the other tables, in order."""
    by_key = {layout.key: layout for layout in LAYOUTS}
    ids = draw(st.lists(CHILD_IDS, unique=True, max_size=6))
    rows: dict[str, list[dict[str, Any]]] = {layout.key: [] for layout in LAYOUTS if layout.in_xml}
    for child_id in ids:
        child = draw(_row(by_key["header"], {"child_id": child_id}))
        rows["header"].append(child)
        same = {"child_id": child_id, "date_of_birth": child["date_of_birth"]}
        for key, most in (
            ("episodes", 3),
            ("reviews", 3),
            ("missing", 2),
            ("placed_for_adoption", 2),
            ("uasc", 1),
            ("oc2", 1),
            ("oc3", 1),
            ("ad1", 1),
            ("previous_permanence", 1),
        ):
            fixed = {"child_id": child_id} if key == "episodes" else dict(same)
            if key == "uasc":
                fixed["sex"] = child["sex"]
            rows[key].extend(draw(st.lists(_row(by_key[key], fixed), max_size=most)))
    return CareData({by_key[key].table: _frame(by_key[key], found) for key, found in rows.items()})


def _round_trip(data: CareData, fmt: str) -> CareData:
    with tempfile.TemporaryDirectory() as folder:
        written = write_ssda903(data, folder, format=fmt)  # type: ignore[arg-type]
        result = read_ssda903(written if fmt == "csv" else written[0], year=YEAR)
        unreadable = [
            i
            for i in result.issues
            if i.code in ("date-format", "not-a-number", "not-a-flag", "field-count", "truncated", "unknown-table")
        ]
        assert not unreadable, unreadable
        return result.data


@ROUND_TRIP
@given(csv_data())
def test_csv_round_trip(data: CareData) -> None:
    back = _round_trip(data, "csv")
    assert back.equals(data), back.differences(data)


@ROUND_TRIP
@given(xml_data())
def test_xml_round_trip(data: CareData) -> None:
    back = _round_trip(data, "xml")
    assert back.equals(data), back.differences(data)


def test_csv_files_columns_and_dates_are_the_dfe_layout(tmp_path: Path) -> None:
    data = CareData(
        {
            "children": pl.DataFrame({"child_id": ["1"], "date_of_birth": [date(2012, 3, 4)], "is_mother": [False]}),
            "uasc": pl.DataFrame({"child_id": ["1"], "date_uasc_ceased": [date(2030, 3, 4)]}),
        }
    )
    written = write_ssda903(data, tmp_path)
    assert [p.name for p in written] == ["header.csv", "episodes.csv", "uasc.csv"]
    assert (tmp_path / "header.csv").read_text() == "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,,04/03/2012,,,0,\n"
    assert (tmp_path / "episodes.csv").read_text() == (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    )


def test_la_and_year_are_written_only_when_set(tmp_path: Path) -> None:
    data = CareData({"children": pl.DataFrame({"child_id": ["1", "2"], "collection_year": [2024, None]})})
    write_ssda903(data, tmp_path)
    assert (tmp_path / "header.csv").read_text().splitlines() == [
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,YEAR",
        "1,,,,,,,2024",
        "2,,,,,,,",
    ]


def test_year_writes_one_year_of_pooled_data(tmp_path: Path) -> None:
    data = CareData({"children": pl.DataFrame({"child_id": ["1", "2", "3"], "collection_year": [2024, 2025, None]})})
    write_ssda903(data, tmp_path, year=2025)
    assert read_ssda903(tmp_path).data["children"]["child_id"].to_list() == ["2", "3"]


def test_xml_refuses_what_its_layout_cannot_hold(tmp_path: Path) -> None:
    data = CareData(
        {
            "children": pl.DataFrame({"child_id": ["1"], "local_authority": ["Leeds"]}),
            "looked_after_episodes": pl.DataFrame({"child_id": ["2"], "start_date": [date(2024, 4, 1)]}),
            "social_worker_episodes": pl.DataFrame(
                {"child_id": ["1"], "social_worker_id": ["SW1"], "start_date": [date(2024, 4, 1)]}
            ),
        }
    )
    with pytest.raises(ReturnFormatError) as raised:
        write_ssda903(data, tmp_path, format="xml")
    message = str(raised.value)
    assert "social_worker_episodes has 1 rows" in message
    assert "children.local_authority is set" in message
    assert "looked_after_episodes has 1 rows for children not in children" in message
    assert len(raised.value.issues) == 3


def test_xml_file_is_the_expssda903_layout(tmp_path: Path) -> None:
    data = CareData(
        {
            "children": pl.DataFrame({"child_id": ["1"], "sex": ["F"], "date_of_birth": [date(2012, 3, 4)]}),
            "looked_after_episodes": pl.DataFrame(
                {"child_id": ["1"], "start_date": [date(2024, 4, 1)], "placement_type": ["U4"]}
            ),
            "uasc": pl.DataFrame({"child_id": ["1"], "sex": ["F"], "date_of_birth": [date(2012, 3, 4)]}),
        }
    )
    (path,) = write_ssda903(data, tmp_path / "return.xml", format="xml")
    text = path.read_text()
    assert path.name == "return.xml"
    assert "<EXPSSDA903>" in text and "<CHILDID>1</CHILDID>" in text and "<UASC>1</UASC>" in text
    assert "<PL>U4</PL>" in text and "<DECOM>01/04/2024</DECOM>" in text
    assert read_ssda903(path).data.equals(data)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format must be 'csv' or 'xml'"):
        write_ssda903(CareData(), tmp_path, format="json")  # type: ignore[arg-type]
