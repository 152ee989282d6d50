"""Synthetic partner data: plausible families, each agency's own layout, the errors real feeds carry, the truth."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from careflow.record.identifiers import nhs_number_problem, upn_problem
from careflow.synth.partners import AGENCIES, LAYOUTS, make_partner_data, make_people

START, END = dt.date(2025, 4, 1), dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return make_people(600, seed=5)


@pytest.fixture(scope="module")
def partner_dir(people: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_partner_data(people, seed=5, out_dir=tmp_path_factory.mktemp("partners"), start=START, end=END)


def test_people_have_the_interface_columns_and_valid_unique_identifiers(people: pl.DataFrame) -> None:
    assert people.columns == ["person_id", "family_id", "role", "first_name", "last_name", "dob", "sex", "postcode",
                              "nhs_number", "upn"]
    assert people.filter(pl.col("role") == "child").height == 600
    assert people["person_id"].is_unique().all() and people["nhs_number"].is_unique().all()
    assert all(nhs_number_problem(n) is None for n in people["nhs_number"])
    upns = people.filter(pl.col("upn").is_not_null())
    assert upns.height > 300 and all(upn_problem(u) is None for u in upns["upn"])
    adults = people.filter(pl.col("role") == "adult")
    assert adults["upn"].null_count() == adults.height
    children = people.filter(pl.col("role") == "child")
    ages = children.select((dt.date(2026, 3, 31) - pl.col("dob")).dt.total_days() / 365.25)
    assert ages.min().item() >= 0 and ages.max().item() < 18


def test_twins_share_date_of_birth_family_and_address(people: pl.DataFrame) -> None:
    twins = people.filter(pl.col("role") == "child").group_by("family_id", "dob").len().filter(pl.col("len") >= 2)
    assert twins.height >= 1


def test_same_seed_same_people() -> None:
    assert make_people(50, seed=9).equals(make_people(50, seed=9))
    assert not make_people(50, seed=9).equals(make_people(50, seed=10))


def test_every_agency_writes_its_own_layout_and_the_truth(partner_dir: Path) -> None:
    written = {p.relative_to(partner_dir).as_posix() for p in partner_dir.rglob("*.csv")}
    assert {layout.file for layout in LAYOUTS} | {"truth.csv"} == written
    headers = set()
    for layout in LAYOUTS:
        with (partner_dir / layout.file).open(encoding=layout.encoding, newline="") as fh:
            header = tuple(next(csv.reader(fh)))
        headers.add(header)
    assert len(headers) == len(LAYOUTS)  # no two files share a layout
    truth = pl.read_csv(partner_dir / "truth.csv", infer_schema=False)
    assert truth.columns == ["agency", "source_record_id", "person_id"]
    assert set(truth["agency"]) == set(AGENCIES)
    assert truth["source_record_id"].is_unique().all()
    outsiders = truth.filter(pl.col("person_id").is_null()).height / truth.height
    assert 0.04 < outsiders < 0.15


def test_the_feeds_carry_the_errors_of_real_feeds(people: pl.DataFrame, partner_dir: Path) -> None:
    truth = pl.read_csv(partner_dir / "truth.csv", infer_schema=False)
    ae = pl.read_csv(partner_dir / "health/ae_attendances.csv", infer_schema=False).join(
        truth.filter(pl.col("agency") == "health"), left_on="attendance_id", right_on="source_record_id").join(
        people.with_columns(pl.col("dob").cast(pl.String)), on="person_id")
    nhs = ae["nhs_number"].fill_null("").str.replace_all(" ", "")
    assert (nhs == "").sum() > 0, "missing NHS numbers"
    assert ((nhs != "") & (nhs != ae["nhs_number_right"])).sum() > 0, "wrong NHS numbers"
    swapped = ae.filter(pl.col("date_of_birth") != pl.col("dob"))
    assert swapped.height > 0, "dates of birth that differ from the person's"
    assert ae.filter(pl.col("postcode") != pl.col("postcode_right")).height > 0, "previous or mistyped addresses"
    assert ae.filter(pl.col("patient_forename") != pl.col("first_name")).height > 0, "nicknames and typos"
    police = pl.read_csv(partner_dir / "police/incidents.csv", infer_schema=False)
    assert police["Name"].str.contains(r"^[A-Z'’ -]+, ").all(), "police write SURNAME, Forename"
    assert police["NHSNumber"].fill_null("").eq("").mean() > 0.7  # police rarely hold the NHS number


def test_a_few_rows_of_outright_bad_input(partner_dir: Path) -> None:
    raw = (partner_dir / "school/exclusions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    raw.decode("cp1252")
    housing = pl.read_csv(partner_dir / "housing/tenancy_events.csv", infer_schema=False)
    assert "Notes (internal)" in housing.columns
    police = (partner_dir / "police/incidents.csv").read_text(encoding="utf-8")
    assert "31/02/2013" in police and "not known" in police


def test_most_families_have_few_partner_contacts_and_a_minority_many(people: pl.DataFrame,
                                                                     partner_dir: Path) -> None:
    truth = pl.read_csv(partner_dir / "truth.csv", infer_schema=False).filter(pl.col("person_id").is_not_null())
    per_family = people.select("family_id").unique().join(
        truth.join(people.select("person_id", "family_id"), on="person_id").group_by("family_id").len(),
        on="family_id", how="left").with_columns(pl.col("len").fill_null(0)).sort("len", descending=True)
    counts = per_family["len"]
    assert counts.median() <= 4  # a typical family: a handful of contacts in the year
    assert (counts <= 2).mean() > 0.3
    # the tenth of families with most contacts hold about a third of them (one in ten if all were alike)
    assert counts.head(per_family.height // 10).sum() / counts.sum() > 0.25
    assert counts.max() >= 5 * counts.median()
