"""Every SSDA903 file under ../shared/data/synthetic is read without a crash, every row kept, sensible issues.

These tests need ../shared (or $CAREFLOW_SHARED): they skip with a reason when it is absent, and fail under CI
(CI=true), where it must be present (see tests/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from careflow.issues import Severity
from careflow.returns.detect import read_return
from careflow.returns.ssda903 import read_ssda903

pytestmark = pytest.mark.shared

# Each SSDA903 file and the canonical table it fills.
CSV_FILES = {
    "csc-validator-be-903/header.csv": "children",
    "csc-validator-be-903/episodes.csv": "looked_after_episodes",
    "csc-validator-be-903/uasc.csv": "uasc",
    "csc-validator-be-903/reviews.csv": "looked_after_reviews",
    "csc-validator-be-903/oc2.csv": "looked_after_outcomes",
    "csc-validator-be-903/oc3.csv": "care_leavers",
    "csc-validator-be-903/ad1.csv": "adoptions",
    "csc-validator-be-903/placed_for_adoption.csv": "placed_for_adoption",
    "csc-validator-be-903/placed_for_adoption_errors.csv": "placed_for_adoption",
    "csc-validator-be-903/previous_permanence.csv": "previous_permanence",
    "csc-validator-be-903/missing.csv": "missing_episodes",
    "csc-validator-be-903/sw_episodes.csv": "social_worker_episodes",
    "csc-validator-be-903/DoLo.csv": "deprivation_of_liberty",
    "cs-demand-model-regional/header.csv": "children",
    "cs-demand-model-regional/episodes.csv": "looked_after_episodes",
    "cs-demand-model-regional/uasc.csv": "uasc",
    "liia-tools/SSDA903_2020_episodes.csv": "looked_after_episodes",
}
XML_FILE = "csc-validator-be-903/fake_903.xml"
# Elements of the XML and the table each row goes to.
XML_ROWS = {
    "CHILD": "children",
    "EPISODE": "looked_after_episodes",
    "AREVIEW": "looked_after_reviews",
    "OC2": "looked_after_outcomes",
    "PERMANENCE": "previous_permanence",
    "AMISSING": "missing_episodes",
    "AD_PLACED": "placed_for_adoption",
}
# Issues that mean the reader could not read something: none of these files should give any.
UNREADABLE = {
    "unreadable-file",
    "unknown-table",
    "unknown-file",
    "truncated",
    "field-count",
    "missing-column",
    "malformed-xml",
    "encoding",
    "date-format",
    "not-validated",
}


@pytest.fixture(scope="module")
def synthetic(shared: Path) -> Path:
    return shared / "data" / "synthetic"


def _data_lines(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines()[1:] if line.strip())


def test_every_ssda903_file_is_listed(synthetic: Path) -> None:
    found = {
        str(p.relative_to(synthetic))
        for folder in ("csc-validator-be-903", "cs-demand-model-regional")
        for p in (synthetic / folder).iterdir()
    } | {str(p.relative_to(synthetic)) for p in (synthetic / "liia-tools").glob("SSDA903*")}
    assert found == set(CSV_FILES) | {XML_FILE}


@pytest.mark.parametrize("name", sorted(CSV_FILES))
def test_csv_file_reads_every_row(synthetic: Path, name: str) -> None:
    path = synthetic / name
    result = read_ssda903(path)
    table = CSV_FILES[name]
    assert result.data.names() == [table]
    assert result.data[table].height == _data_lines(path)
    assert not [i for i in result.issues if i.code in UNREADABLE], result.issues[:5]
    assert result.files == [str(path)]


def test_xml_file_reads_every_element(synthetic: Path) -> None:
    path = synthetic / XML_FILE
    result = read_ssda903(path)
    tree = etree.parse(str(path))
    for tag, table in XML_ROWS.items():
        assert result.data[table].height == len(tree.findall(f".//{tag}")), tag
    assert result.data["uasc"].height == len([e for e in tree.iter("UASC") if (e.text or "").strip()])
    assert result.data["care_leavers"].height == len(tree.findall(".//IN_TOUCH"))
    assert result.data["adoptions"].height == len(tree.findall(".//DATE_INT"))
    assert not [i for i in result.issues if i.code in UNREADABLE], result.issues[:5]
    first = result.data["looked_after_episodes"].row(0, named=True)
    assert (first["child_id"], str(first["start_date"]), first["placement_type"]) == ("907440", "2017-01-06", "R5")


def test_xml_and_csv_issues_name_their_place(synthetic: Path) -> None:
    xml = read_ssda903(synthetic / XML_FILE)
    placed = [i for i in xml.issues if i.code == "invalid-code" and i.field == "REASON_PLACED_CEASED"]
    assert placed and placed[0].element is not None and placed[0].element.endswith("/HEADER/AD_PLACED[1]")
    assert "'XXX' is not a reason_placed_for_adoption_ceased code" in placed[0].message
    episodes = read_ssda903(synthetic / "csc-validator-be-903/episodes.csv")
    overlap = [i for i in episodes.issues if i.code == "overlapping-episodes" and i.row == 790]
    assert overlap and overlap[0].field == "DECOM" and "child 104558" in overlap[0].message


def test_the_validator_folder(synthetic: Path) -> None:
    result = read_ssda903(synthetic / "csc-validator-be-903")
    codes = Counter(i.code for i in result.issues)
    # The folder holds the same return as CSV and XML: the CSVs are read and the XML skipped, with a warning.
    assert codes["mixed-formats"] == 1 and "fake_903.xml skipped" in result.issues[0].message
    # Two files hold placed_for_adoption; both are read, and the errors file repeats a child's placement.
    assert codes["several-files"] == 1
    assert result.data["placed_for_adoption"].height == 29 + 30
    duplicate = [i for i in result.issues if i.code == "duplicate-key" and i.file == "placed_for_adoption_errors.csv"]
    assert duplicate and duplicate[0].row == 3 and duplicate[0].field == "DATE_PLACED"
    # Deliberate errors in the fake data are found.
    swlazy = [i for i in result.issues if i.code == "invalid-code" and i.value == "SWLAZY"]
    assert swlazy and (swlazy[0].file, swlazy[0].row, swlazy[0].field) == ("sw_episodes.csv", 2, "SW_REASON")
    assert codes["overlapping-episodes"] == 72
    assert len(result.data.names()) == 12


def test_pooled_regional_files_keep_la_and_year(synthetic: Path) -> None:
    result = read_ssda903(synthetic / "cs-demand-model-regional")
    episodes = result.data["looked_after_episodes"]
    assert episodes["local_authority"].null_count() == 0
    assert sorted(episodes["collection_year"].unique().to_list()) == [2017, 2018, 2019, 2020, 2021]
    assert result.year is None  # several years
    # ISO dates, as the demand model writes them, are read without comment.
    assert not [i for i in result.issues if i.code == "date-format"]
    # A child listed twice in the same LA and year is a duplicate; once a year is not.
    duplicate = [i for i in result.issues if i.code == "duplicate-child" and i.file == "header.csv"]
    assert duplicate[0].row == 577 and "first at line 9" in duplicate[0].message
    assert all(i.severity is Severity.ERROR for i in duplicate)


def test_liia_sample_episodes(synthetic: Path) -> None:
    result = read_ssda903(synthetic / "liia-tools/SSDA903_2020_episodes.csv")
    assert result.data["looked_after_episodes"].height == 5
    assert {(i.code, i.row) for i in result.issues} >= {("overlapping-episodes", 2)}


def test_read_return_picks_the_reader(synthetic: Path) -> None:
    ssda903 = read_return(synthetic / XML_FILE)
    assert ssda903.collection == "ssda903" and ssda903.data["children"].height == 253
    liia = read_return(synthetic / "liia-tools")
    assert liia.collection == "ssda903+cin"
    assert liia.data["looked_after_episodes"].height == 5
    workforce = [i for i in liia.issues if i.code == "unknown-file"]
    assert workforce and workforce[0].file == "social_work_workforce_2022.xml"
    assert workforce[0].severity is Severity.WARNING and "workforce" in workforce[0].message
