from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from careflow.returns import read_ssda903, write_ssda903
from careflow.tables import CareData


def _return(sex: str, start: date) -> CareData:
    return CareData(
        {
            # UN2 (never at a state school in England): a looked-after child has a UPN or why not (DfE rule 442)
            "children": pl.DataFrame({"child_id": ["A"], "sex": [sex], "date_of_birth": [date(2015, 1, 1)],
                                      "upn": ["UN2"]}),
            "looked_after_episodes": pl.DataFrame(
                {
                    "child_id": ["A"],
                    "start_date": [start],
                    "reason_new_episode": ["S"],
                    "legal_status": ["C2"],
                    "category_of_need": ["N1"],
                    "placement_type": ["U1"],
                    "placement_provider": ["PR1"],
                }
            ),
        }
    )


def test_a_single_year_return_is_checked_against_the_year_of_its_latest_date(tmp_path: Path) -> None:
    write_ssda903(_return("1", date(2025, 6, 1)), tmp_path)  # sex 1 is retired from 2024-25 (M/F/U)
    result = read_ssda903(tmp_path)
    assert result.year == 2026
    inferred = [i for i in result.issues if i.code == "year-inferred"]
    assert len(inferred) == 1 and "2025-26" in inferred[0].message and "01/06/2025" in inferred[0].message
    errors = [i for i in result.issues if i.code == "invalid-code"]
    assert [(i.file, i.row, i.field, i.value) for i in errors] == [("header.csv", 2, "SEX", "1")]
    assert "replaced by M" in errors[0].message


def test_an_explicit_year_wins_and_an_old_return_is_judged_against_any_year(tmp_path: Path) -> None:
    write_ssda903(_return("1", date(2023, 6, 1)), tmp_path / "a")
    assert not read_ssda903(tmp_path / "a").has_errors  # 2023-24: sex 1 valid
    assert read_ssda903(tmp_path / "a", year=2026).has_errors
    write_ssda903(_return("1", date(2017, 6, 1)), tmp_path / "b")  # no lists for 2017-18: any year's codes
    old = read_ssda903(tmp_path / "b")
    assert old.year is None and not old.has_errors
    assert not [i for i in old.issues if i.code == "year-inferred"]
