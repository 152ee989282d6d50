"""``careflow link`` as a user runs it: synthetic partner data linked, every file of the interface written, the
quality targets met, bad input reported by file, row and field and kept out of the links."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from careflow.cli import app
from careflow.share.partners_io import SYNTHETIC_MAPPING

runner = CliRunner(env={"COLUMNS": "200"})
LINK_COLUMNS = ["agency", "source_record_id", "person_id", "match_probability", "match_weight", "method"]
CONTACT_COLUMNS = ["agency", "source_record_id", "event_date", "event_type", "summary", "agency_contact_name",
                   "agency_contact_role", "agency_contact_phone"]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("link")
    result = runner.invoke(app, ["link", "--out", str(out), "--synthetic", "800", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_the_files_of_the_interface_are_written_with_their_columns(linked: tuple[Path, str]) -> None:
    out, _ = linked
    assert pl.read_csv(out / "links.csv", infer_schema=False).columns == LINK_COLUMNS
    assert pl.read_csv(out / "contacts.csv", infer_schema=False).columns == CONTACT_COLUMNS
    assert pl.read_csv(out / "problems.csv", infer_schema=False).columns == ["file", "row", "field", "problem",
                                                                            "value_shown"]
    review = pl.read_csv(out / "review_queue.csv", infer_schema=False)
    assert review.columns[:6] == LINK_COLUMNS and "dob_record" in review.columns and "dob_person" in review.columns
    assert set(review["method"]) <= {"clerical"}
    links = pl.read_csv(out / "links.csv", infer_schema=False)
    assert set(links["method"]) == {"nhs_number", "probabilistic"}
    assert links.select("agency", "source_record_id").is_unique().all(), "one person at most per partner record"
    assert links.join(review, on=["agency", "source_record_id"], how="inner").height == 0


def test_quality_meets_the_targets_and_beats_nhs_number_only_matching(linked: tuple[Path, str]) -> None:
    out, output = linked
    quality = json.loads((out / "quality.json").read_text(encoding="utf-8"))
    assert quality["threshold"] == 6.63
    assert quality["precision"] >= 0.99 and quality["recall"] >= 0.95
    assert set(quality["by_agency"]) == {"police", "health", "school", "housing", "adult_social_care"}
    for figures in (quality, *quality["by_agency"].values(), quality["nhs_number_only"]):
        assert {"precision", "recall", "f1", "n"} <= set(figures)
    assert quality["nhs_number_only"]["recall"] < 0.7 < quality["recall"]
    assert quality["nhs_number_only"]["by_agency"]["school"]["recall"] == 0.0  # schools hold no NHS numbers
    assert "Linkage against the synthetic truth" in output and "all agencies" in output


def test_bad_input_is_reported_on_screen_and_in_problems_and_kept_out_of_links(linked: tuple[Path, str]) -> None:
    out, output = linked
    problems = pl.read_csv(out / "problems.csv", infer_schema=False)
    bad_dob = problems.filter((pl.col("file") == "police/incidents.csv") & (pl.col("field") == "DOB"))
    assert bad_dob.height == 1 and bad_dob["value_shown"][0] == "31/02/2013"
    assert problems.filter(pl.col("file") == "school/exclusions.csv")["problem"].str.contains("not UTF-8").any()
    assert problems.filter(pl.col("field") == "Notes (internal)").height == 1
    # the row with the impossible date of birth is in no link and no contact
    incidents = pl.read_csv(out / "partner_data/police/incidents.csv", infer_schema=False)
    ref = incidents.row(int(bad_dob["row"][0]) - 2, named=True)["IncidentRef"]
    assert ref not in pl.read_csv(out / "links.csv", infer_schema=False)["source_record_id"].to_list()
    assert ref not in pl.read_csv(out / "contacts.csv", infer_schema=False)["source_record_id"].to_list()
    assert "Problems in the input" in output and "police/incidents.csv" in output and "is not a date" in output


def test_nothing_is_dropped_silently(linked: tuple[Path, str]) -> None:
    """Every partner record is a contact, or a row named in problems.csv as kept out."""
    out, _ = linked
    truth = pl.read_csv(out / "partner_data/truth.csv", infer_schema=False)
    contacts = pl.read_csv(out / "contacts.csv", infer_schema=False)
    kept_out = pl.read_csv(out / "problems.csv", infer_schema=False).filter(
        pl.col("problem").str.contains("kept out"))
    assert contacts.height + kept_out.height == truth.height


def test_the_report_has_the_charts_and_the_threshold(linked: tuple[Path, str]) -> None:
    out, _ = linked
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2
    assert "threshold 6.63" in html and "Precision and recall" in html and "precision" in html
    assert "m (match)" in html  # the trained model's parameters


def test_user_files_with_a_column_mapping(linked: tuple[Path, str], tmp_path: Path) -> None:
    """Files the user names: people as CSV, partner folder and a mapping (here the synthetic files with a column
    renamed, and a person with an invalid NHS number)."""
    out, _ = linked
    partners = tmp_path / "partners"
    shutil.copytree(out / "partner_data", partners)
    incidents = partners / "police/incidents.csv"
    incidents.write_text(incidents.read_text(encoding="utf-8").replace("IncidentRef", "Incident Reference", 1),
                         encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(SYNTHETIC_MAPPING.read_text(encoding="utf-8").replace(
        "source_record_id: IncidentRef", "source_record_id: Incident Reference"), encoding="utf-8")
    people = pl.read_csv(out / "people.csv", infer_schema=False)
    people = people.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("1234567890"))
                                 .otherwise(pl.col("nhs_number")).alias("nhs_number"))
    people.write_csv(tmp_path / "people.csv")
    result = runner.invoke(app, ["link", "--out", str(tmp_path / "out"), "--people", str(tmp_path / "people.csv"),
                                 "--partners", str(partners), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    problems = pl.read_csv(tmp_path / "out/problems.csv", infer_schema=False)
    row = problems.filter(pl.col("file") == "people.csv").row(0, named=True)
    assert (row["row"], row["field"]) == ("6", "nhs_number") and "not a valid NHS number" in row["problem"]
    quality = json.loads((tmp_path / "out/quality.json").read_text(encoding="utf-8"))
    assert quality["by_agency"]["police"]["recall"] > 0.9


def test_people_without_partners_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["link", "--out", str(tmp_path), "--people", str(tmp_path / "p.csv")])
    assert result.exit_code == 2
    assert "--people and --partners go together" in result.output


def test_a_people_file_without_its_columns_is_an_error_naming_them(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("id,name\n1,Amy\n", encoding="utf-8")
    (tmp_path / "partners").mkdir()
    result = runner.invoke(app, ["link", "--out", str(tmp_path / "o"), "--people", str(tmp_path / "p.csv"),
                                 "--partners", str(tmp_path / "partners")])
    assert result.exit_code == 2
    assert "lacks column(s) person_id" in result.output


def test_splink_training_warnings_go_to_the_report_not_the_terminal(linked: tuple[Path, str]) -> None:
    out, output = linked
    model = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert model["splink_warnings"], "expected splink to note a level it could not train on this sample"
    assert "not observed in dataset" not in output and "unable to train" not in output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Notes from training the model" in report
    assert all(message in report for message in model["splink_warnings"])
