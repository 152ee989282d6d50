"""The careflow command as a user runs it: exit codes and what it prints."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from careflow.cli import app

FIXTURES = Path(__file__).parent / "returns" / "fixtures" / "ssda903"
runner = CliRunner()


def test_synth_then_check_round_trip_is_clean(tmp_path: Path) -> None:
    made = runner.invoke(
        app, ["synth", "--population", "5000", "--end-year", "2024", "--years", "2", "--out", str(tmp_path / "la")]
    )
    assert made.exit_code == 0, made.output
    assert "Wrote" in made.output and "2 collection years" in made.output
    for part in ("2023-24/ssda903", "2023-24/cin_census.xml"):
        checked = runner.invoke(app, ["check", str(tmp_path / "la" / part)])
        assert checked.exit_code == 0, checked.output
        assert "0 error(s)" in checked.output


def test_check_exits_1_on_errors_and_names_file_row_and_field() -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "bad_dates.csv"), "--show", "50"])
    assert result.exit_code == 1
    assert "bad_dates.csv row" in result.output and "is not a date" in result.output


def test_check_writes_every_issue_to_csv(tmp_path: Path) -> None:
    out = tmp_path / "issues.csv"
    result = runner.invoke(app, ["check", str(FIXTURES / "overlapping_episodes.csv"), "--issues-csv", str(out)])
    assert result.exit_code == 1
    assert "overlapping-episodes" in out.read_text(encoding="utf-8")


def test_check_of_a_missing_file_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "no/such/file.csv"])
    assert result.exit_code == 2
    assert "No such file" in result.output


def test_codes_lists_labels_and_replacements_and_suggests_names() -> None:
    shown = runner.invoke(app, ["codes", "placement_type", "--year", "2025-26"])
    assert shown.exit_code == 0 and "K3" in shown.output and "replaced by K3" in shown.output
    wrong = runner.invoke(app, ["codes", "placement_typ"])
    assert wrong.exit_code == 2 and "placement_type" in wrong.output


def test_synth_refuses_a_tiny_population() -> None:
    result = runner.invoke(app, ["synth", "--population", "10"])
    assert result.exit_code == 2 and "too small" in result.output
