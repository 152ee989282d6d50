"""The reader of a folder of returns: which layout it finds, which years, rows tagged, repeats reconciled."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from careflow.errors import ReturnsFolderError
from careflow.issues import Severity
from careflow.returns import read_folder
from careflow.returns.folders import find_returns

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def _return(folder: Path, episodes: list[str], children: tuple[str, ...] = ("1001", "1002")) -> Path:
    """One SSDA903 return as CSV: header.csv and episodes.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_text(HEADER + "".join(f"{c},1,12/03/2012,WBRI,,,\n" for c in children))
    (folder / "episodes.csv").write_text(EPISODES + "".join(row + "\n" for row in episodes))
    return folder


# child 1001 comes into care in 2020-21 and goes home in 2021-22; 1002 is in care throughout
OPEN_2021 = ["1001,01/06/2020,S,C2,N1,U4,PR1,,,,,,", "1002,01/05/2020,S,C2,N1,U4,PR1,,,,,,"]
LATER_2022 = ["1001,01/06/2020,S,C2,N1,U4,PR1,01/09/2021,E4A,,,,", "1002,01/05/2020,S,C2,N1,U4,PR1,,,,,,"]


def test_dfe_year_folders_are_years_and_rows_carry_them(tmp_path: Path) -> None:
    _return(tmp_path / "2021", OPEN_2021)
    _return(tmp_path / "2022", LATER_2022)
    read = read_folder(tmp_path, reconcile=False)
    assert (read.layout, read.years) == ("dfe", [2021, 2022])
    assert read.describe() == f"DfE per-year folders in {tmp_path}: 2 collection years, 2020-21 to 2021-22"
    episodes = read.data["looked_after_episodes"]
    assert sorted(episodes["collection_year"].to_list()) == [2021, 2021, 2022, 2022]
    assert read.children() == 2 and read.episodes() == 2


def test_the_later_return_wins_and_a_value_filled_in_is_no_revision(tmp_path: Path) -> None:
    _return(tmp_path / "2021", OPEN_2021)
    _return(tmp_path / "2022", LATER_2022)
    read = read_folder(tmp_path)
    episodes = read.data["looked_after_episodes"].sort("child_id")
    assert episodes["collection_year"].to_list() == [2022, 2022]
    assert episodes["reason_episode_ceased"].to_list() == ["E4A", None]
    assert read.repeated["looked_after_episodes"] == 2 and read.revised == 0
    assert not [i for i in read.issues if i.code == "episode-revised"]
    assert any(i.code == "repeated-across-years" for i in read.issues)


def test_returns_that_disagree_say_so(tmp_path: Path) -> None:
    _return(tmp_path / "2021", ["1001,01/06/2020,S,C2,N1,U4,PR1,01/01/2021,E4A,,,,"])
    _return(tmp_path / "2022", ["1001,01/06/2020,S,C2,N1,U5,PR1,01/02/2021,E4A,,,,"])
    read = read_folder(tmp_path)
    revised = [i for i in read.issues if i.code == "episode-revised"]
    assert len(revised) == 1 and read.revised == 1
    assert revised[0].severity is Severity.WARNING
    message = revised[0].message
    assert "child 1001" in message and "2020-21 and 2021-22 returns" in message
    assert "placement_type U4 → U5" in message and "end_date 2021-01-01 → 2021-02-01" in message
    assert read.data["looked_after_episodes"]["placement_type"].to_list() == ["U5"]  # the later return's


def test_a_code_the_lists_replaced_is_no_revision(tmp_path: Path) -> None:
    # H5 (semi-independent living) was replaced by K3 in 2025-26: the same placement, named by that year's list
    _return(tmp_path / "2025", ["1001,01/06/2024,S,C2,N1,H5,PR1,,,,,,"], ("1001",))
    _return(tmp_path / "2026", ["1001,01/06/2024,S,C2,N1,K3,PR1,,,,,,"], ("1001",))
    read = read_folder(tmp_path)
    assert read.repeated["looked_after_episodes"] == 1 and read.revised == 0


def test_careflow_year_folders_read_ssda903_and_cin_together(tmp_path: Path) -> None:
    from careflow import synth

    la = synth.generate(2000, end_year=2023, years=2, seed=5)
    synth.write_returns(la, tmp_path / "la")
    specs, issues = find_returns(tmp_path / "la")
    assert [(s.year, s.layout) for s in specs] == [(2022, "careflow"), (2023, "careflow")]
    assert sorted(p.name for p in specs[0].paths) == ["2021-22", "ssda903"] and issues == []
    read = read_folder(tmp_path / "la", reconcile=False)
    assert [r.result.collection for r in read.returns] == ["ssda903+cin", "ssda903+cin"]
    for name in ("looked_after_episodes", "referrals"):
        assert set(read.data[name]["collection_year"].to_list()) == {2022, 2023}, name
    # a forecast needs only the SSDA903: the CIN census is left unread, and said to be
    only = read_folder(tmp_path / "la", collections={"ssda903"})
    assert "referrals" not in only.data and sum(i.code == "not-needed" for i in only.issues) == 2


def test_the_records_export_and_a_year_folder_named_alone(tmp_path: Path) -> None:
    _return(tmp_path / "export" / "ssda903_2025", OPEN_2021)
    assert [(s.year, s.layout) for s in find_returns(tmp_path / "export")[0]] == [(2025, "record")]
    one = _return(tmp_path / "la" / "2021-22" / "ssda903", LATER_2022)
    specs, _ = find_returns(one)  # the folder's parent names the year
    assert [(s.year, s.layout) for s in specs] == [(2022, "return")]
    read = read_folder([one, tmp_path / "export" / "ssda903_2025" / "episodes.csv"])
    assert read.years == [2022, 2025] and read.layout == "return"


def test_one_flat_return_and_a_list_of_files(tmp_path: Path) -> None:
    folder = _return(tmp_path / "return", LATER_2022)
    read = read_folder(folder)
    assert read.layout == "return" and len(read.returns) == 1
    assert read.data["looked_after_episodes"].height == 2
    files = read_folder([folder / "header.csv", folder / "episodes.csv"])
    assert len(files.returns) == 1 and files.data["looked_after_episodes"].height == 2


def test_what_is_not_read_is_said(tmp_path: Path) -> None:
    _return(tmp_path / "2021", OPEN_2021)
    (tmp_path / "2022").mkdir()
    (tmp_path / "old").mkdir()
    read = read_folder(tmp_path)
    codes = {i.code: i.message for i in read.issues}
    assert "no return was read for that year" in codes["empty-year-folder"]
    assert "old/ beside the year folders is not named for a collection year" in codes["not-a-year"]
    assert read.years == [2021]


def test_a_folder_without_returns_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(ReturnsFolderError, match=r"no returns found\. It holds a/, none named for a collection year"):
        read_folder(tmp_path)
    with pytest.raises(ReturnsFolderError, match="no such file or folder"):
        read_folder(tmp_path / "missing")
    with pytest.raises(ReturnsFolderError, match="2021-22/ssda903"):
        read_folder([])


def test_children_are_counted_once_across_years(tmp_path: Path) -> None:
    _return(tmp_path / "2021", OPEN_2021)
    _return(tmp_path / "2022", [*LATER_2022, "1003,01/02/2022,S,C2,N1,U4,PR1,,,,,,"], ("1001", "1002", "1003"))
    read = read_folder(tmp_path, reconcile=False)
    assert read.children() == 3
    assert read.data["children"].height == 5  # every year's header row kept when not reconciled
    assert pl.Series(read.data["children"]["collection_year"]).n_unique() == 2


def test_a_year_given_is_that_of_a_return_named_alone(tmp_path: Path) -> None:
    one = _return(tmp_path / "2023-24", LATER_2022)
    assert read_folder(one).years == [2024]
    assert read_folder(one, year=2022).years == [2022]  # the user's word over the folder's name
    _return(tmp_path / "years" / "2021", OPEN_2021)
    assert read_folder(tmp_path / "years", year=2025).years == [2021]
