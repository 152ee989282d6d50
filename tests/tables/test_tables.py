from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from careflow.errors import TableSchemaError
from careflow.issues import Severity
from careflow.tables import SCHEMAS, CareData, Source, schema, validate


def test_every_schema_has_typed_described_columns_and_a_key_from_its_columns() -> None:
    for table in SCHEMAS.values():
        assert table.description
        names = table.names
        assert len(names) == len(set(names)), table.name
        for column in table:
            assert column.description, f"{table.name}.{column.name}"
        assert set(table.key) <= set(names), table.name


def test_unknown_table_suggests_nearest() -> None:
    with pytest.raises(KeyError, match="looked_after_episodes"):
        schema("looked_after_episode")


def test_conform_orders_casts_and_rejects_unknown_columns() -> None:
    frame = pl.DataFrame({"placement_type": ["U1"], "child_id": ["A"], "start_date": [date(2024, 1, 2)]})
    out = schema("looked_after_episodes").conform(frame)
    assert out.columns[:3] == ["child_id", "start_date", "reason_new_episode"]
    assert out["placement_type"].to_list() == ["U1"]
    assert out["end_date"].dtype == pl.Date
    with pytest.raises(TableSchemaError, match="PLACE"):
        schema("looked_after_episodes").conform(frame.with_columns(PLACE=pl.lit("x")))


def test_missing_table_reads_empty_and_equality_ignores_empty_tables() -> None:
    a = CareData({"children": pl.DataFrame({"child_id": ["1"]})})
    b = CareData(
        {
            "children": pl.DataFrame({"child_id": ["1"]}),
            "uasc": pl.DataFrame({"child_id": []}, schema={"child_id": pl.String}),
        }
    )
    assert a["looked_after_episodes"].height == 0
    assert a.equals(b)
    c = CareData({"children": pl.DataFrame({"child_id": ["2"]})})
    assert not a.equals(c)
    assert a.differences(c) == ["children.child_id: first difference at row 0: '1' vs '2'"]


def _episodes(rows: list[tuple[str, date, date | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"child_id": [r[0] for r in rows], "start_date": [r[1] for r in rows], "end_date": [r[2] for r in rows]},
        schema={"child_id": pl.String, "start_date": pl.Date, "end_date": pl.Date},
    )


def test_overlapping_episodes_before_birth_and_duplicates_are_reported_with_file_rows() -> None:
    data = CareData(
        {
            "children": pl.DataFrame(
                {"child_id": ["A", "B", "A"], "date_of_birth": [date(2010, 1, 1), date(2020, 6, 1), None]}
            ),
            "looked_after_episodes": _episodes(
                [
                    ("A", date(2020, 1, 1), date(2020, 6, 1)),
                    ("A", date(2020, 5, 1), None),  # overlaps the first
                    ("B", date(2020, 1, 1), date(2019, 1, 1)),  # before birth, ends before it starts
                ]
            ),
        }
    )
    sources = {
        "looked_after_episodes": Source(
            "episodes.csv", rows=[2, 3, 4], fields={"start_date": "DECOM", "end_date": "DEC"}
        ),
        "children": Source("header.csv", rows=[2, 3, 4], fields={"child_id": "CHILD"}),
    }
    issues = validate(data, sources=sources, check_codes=False)
    by_code = {i.code: i for i in issues}
    assert set(by_code) == {"duplicate-child", "overlapping-episodes", "before-birth", "end-before-start"}
    dup = by_code["duplicate-child"]
    assert (dup.file, dup.row, dup.field) == ("header.csv", 4, "CHILD")
    assert "first at line 2" in dup.message
    overlap = by_code["overlapping-episodes"]
    assert (overlap.file, overlap.row, overlap.field, overlap.value) == ("episodes.csv", 3, "DECOM", "01/05/2020")
    assert "ends 01/06/2020" in overlap.message
    birth = by_code["before-birth"]
    assert birth.row == 4 and "01/06/2020" in birth.message
    assert all(i.severity is Severity.ERROR for i in issues)
    assert str(overlap).startswith("episodes.csv row 3, DECOM: child A")


def test_required_values_missing_are_errors() -> None:
    data = CareData(
        {
            "looked_after_episodes": _episodes([("A", date(2020, 1, 1), None)]).with_columns(
                child_id=pl.lit(None, dtype=pl.String)
            )
        }
    )
    issues = validate(data, check_codes=False)
    assert [i.code for i in issues] == ["missing-value"]
    assert issues[0].field == "child_id" and issues[0].element == "row index 0"


def test_pooled_returns_may_repeat_a_child_once_per_year() -> None:
    frame = pl.DataFrame({"child_id": ["A", "A"], "collection_year": [2020, 2021], "local_authority": ["X", "X"]})
    assert validate(CareData({"children": frame}), check_codes=False) == []
    same_year = frame.with_columns(collection_year=pl.lit(2020))
    assert [i.code for i in validate(CareData({"children": same_year}), check_codes=False)] == ["duplicate-child"]


def test_codes_are_checked_by_year_and_unknown_lists_are_noted_not_crashed() -> None:
    episodes = _episodes([("A", date(2024, 5, 1), None), ("B", date(2024, 5, 1), None)]).with_columns(
        placement_type=pl.Series(["H5", "QQ"]), collection_year=pl.lit(2026, dtype=pl.Int16)
    )
    issues = validate(CareData({"looked_after_episodes": episodes}))
    assert [(i.code, i.value) for i in issues] == [("invalid-code", "H5"), ("invalid-code", "QQ")]
    assert "2025-26" in issues[0].message and "K3" in issues[0].message
    assert (
        validate(CareData({"looked_after_episodes": episodes.with_columns(collection_year=pl.lit(2024))}))[0].value
        == "QQ"
    )
    plans = pl.DataFrame(
        {
            "child_id": ["A"],
            "referral_id": [1],
            "pre_proceedings_id": [1],
            "start_date": [date(2025, 6, 1)],
            "outcome": ["A"],
        }
    )
    noted = validate(CareData({"pre_proceedings": plans}), year=2026)
    assert all(i.severity is not Severity.ERROR for i in noted)


def test_many_alike_issues_are_listed_up_to_a_cap_then_counted() -> None:
    from careflow.tables.validate import MAX_PER_KIND

    n = MAX_PER_KIND + 17
    frame = pl.DataFrame({"child_id": ["A"] * (n + 1)})
    issues = validate(CareData({"children": frame}), check_codes=False)
    assert len(issues) == MAX_PER_KIND + 1
    assert issues[-1].message == f"… and {n - MAX_PER_KIND} more rows with the same problem"


def test_recode_for_year_replaces_retired_codes_and_reports_each_change() -> None:
    from careflow.tables import recode_for_year

    data = CareData(
        {
            "children": pl.DataFrame({"child_id": ["A", "B"], "sex": ["1", "2"]}),
            "looked_after_episodes": _episodes(
                [("A", date(2025, 5, 1), None), ("B", date(2025, 5, 1), None)]
            ).with_columns(placement_type=pl.Series(["H5", "Z1"])),
        }
    )
    out, notes = recode_for_year(data, 2026)
    assert out["children"]["sex"].to_list() == ["M", "F"]
    assert out["looked_after_episodes"]["placement_type"].to_list() == ["K3", "Z1"]
    assert sorted((i.code, i.value) for i in notes) == [
        ("not-recoded", "Z1"),
        ("recoded", "1"),
        ("recoded", "2"),
        ("recoded", "H5"),
    ]
    assert validate(out, year=2026) != []  # Z1 kept: several replacements, left for a person to choose
    first, _ = recode_for_year(data, 2026, ambiguous="first")
    assert first["looked_after_episodes"]["placement_type"].to_list() == ["K3", "Z11"]
    assert validate(first, year=2026) == []
    unchanged, none = recode_for_year(data, 2024)
    assert unchanged.equals(data) and none == []
    before_lists, nothing = recode_for_year(data, 2015)  # careflow holds no 2014-15 lists: unchanged
    assert before_lists.equals(data) and nothing == []
