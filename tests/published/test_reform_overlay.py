"""The reform model's series read the newest data held (careflow.published.reform_tables)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from careflow.cli import app
from careflow.reform import series
from tests.published.test_bad_input import CLA, STARTS, rate_file

runner = CliRunner()


@pytest.fixture
def fresh_series(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CAREFLOW_DATA", str(tmp_path / "data"))
    caches = (series.load_series, series.all_areas, series.la_matrix)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_an_imported_year_extends_england_regions_and_las(tmp_path: Path, fresh_series: None) -> None:
    before = series.load_series("Hertfordshire")
    assert before.last_year == 2022
    folder = tmp_path / "release"
    rate_file(folder, 2024, {CLA: "1234", STARTS: "456"})
    result = runner.invoke(app, ["data", "import", str(folder)])
    assert result.exit_code == 0, result.output
    for cached in (series.load_series, series.all_areas, series.la_matrix):
        cached.cache_clear()
    herts = series.load_series("Hertfordshire")
    assert herts.last_year == 2024
    assert herts.value("cla", 2024) == 1234 and herts.value("starts", 2024) == 456
    assert herts.value("cla", 2022) == before.value("cla", 2022)  # earlier years as shipped
    east = series.load_series("East of England")
    assert east.value("cla", 2024) == 1000
    assert series.load_series(None).value("cla", 2024) == 1000
    assert herts.area.name == "Hertfordshire" and herts.area.code == "E10000015"
