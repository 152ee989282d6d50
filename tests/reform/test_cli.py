"""``careflow.reform.cli_main``: the table printed beside the Review's, the HTML report, bad input."""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml

from careflow.reform import cli_main


def test_default_prints_the_reproduced_table_and_writes_the_report(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "out" / "reform.html"
    code = cli_main(None, "England", report, draws=300, out=out, err=err)
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "Total impact on public finance" in text
    assert "(−1,257)" in text and "(1,404)" in text  # the Review's figures beside ours
    assert "Cumulative break-even:" in text and "the Review: 2029-30" in text
    assert "90% band" in text
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 6
    # Self-contained: no scripts, stylesheets or images fetched from elsewhere.
    assert not re.search(r"<script|<link|src=\"http|href=\"http", page)
    assert "Fitted numbers" in page and "848986" in page and "Josh, with early help" in page
    assert "In brief" in page and "90% band" in page


def test_a_user_package_for_an_la(tmp_path: Path) -> None:
    pkg = tmp_path / "my.yaml"
    pkg.write_text(yaml.safe_dump({"name": "No pay scales", "levers": {"national_pay_scales": False}}))
    out = io.StringIO()
    assert cli_main(str(pkg), "Leeds", None, draws=0, out=out) == 0
    assert "Leeds (LA 383)" in out.getvalue()
    assert "Introducing national pay scales" not in out.getvalue()


def test_bad_input_exits_2_with_a_message() -> None:
    err = io.StringIO()
    assert cli_main(None, "Leeeds", None, draws=0, out=io.StringIO(), err=err) == 2
    assert "Did you mean 'Leeds'" in err.getvalue()
    err = io.StringIO()
    assert cli_main("nope.yaml", "England", None, draws=0, out=io.StringIO(), err=err) == 2
    assert "does not exist" in err.getvalue()


def test_the_reform_run_names_the_published_data_it_rests_on(tmp_path: Path) -> None:
    """The text and the report say which releases and years are held (never a fixed string): issue 10."""
    from careflow.measures.published import coverage

    held = coverage()
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "reform.html"
    assert cli_main(None, "Leeds", report, draws=0, out=out, err=err) == 0, err.getvalue()
    line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("Published statistics held:"))
    assert f"{held.first_year}-{held.last_year}" in line and "CLA" in line
    assert f"Published statistics held: {held.first_year}-{held.last_year}" in report.read_text(encoding="utf-8")
