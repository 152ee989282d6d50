"""Code health of the statutory timescales: every parameter has a unit, a reference and dated values."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from careflow.record.clocks import CLOCKS, due_date
from careflow.record.parameters import PARAMETERS_DIR, UNITS, ParameterError, load_parameters, parameter

SEED_CITATION = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)")


def test_every_parameter_has_description_unit_reference_and_values() -> None:
    params = load_parameters()
    assert len(params) >= 15
    for p in params.values():
        assert p.description and p.reference and p.unit in UNITS, p.name
        assert p.path.stem == UNITS[p.unit], p.name
        assert list(p.values) == sorted(p.values), p.name


def test_every_clock_uses_a_parameter_in_force_today() -> None:
    for clock in CLOCKS.values():
        assert parameter(clock.parameter).at(dt.date(2025, 6, 1)) > 0
        assert due_date(clock.parameter, dt.date(2025, 6, 2)) > dt.date(2025, 6, 2)


def test_seed_citations_point_at_real_lines(shared: Path) -> None:
    seeds = shared / "seeds"
    for p in load_parameters().values():
        for name, line in SEED_CITATION.findall(p.references + " " + p.description):
            lines = (seeds / name).read_text(encoding="utf-8").splitlines()
            assert 1 <= int(line) <= len(lines), f"{p.name}: {name}:{line} is past the end of the file"


def test_values_are_dated() -> None:
    staying = parameter("care_leaver/staying_arrangement_until_age/years")
    assert staying.at(dt.date(2020, 1, 1)) == 21 and staying.at(dt.date(2024, 1, 1)) == 23
    with pytest.raises(ParameterError, match="has no value on 2000-01-01"):
        parameter("child_protection/initial_conference/working_days").at(dt.date(2000, 1, 1))


@pytest.mark.parametrize(("text", "message"), [
    ("description: d\nunit: working_day\nreference: r\nvalues:\n  2020-01-01: 5\ncolour: red\n", "unknown key"),
    ("description: d\nunit: working_day\nvalues:\n  2020-01-01: 5\n", "reference: missing"),
    ("description: d\nreference: r\nvalues:\n  2020-01-01: 5\n", "unit: missing"),
    ("description: d\nunit: fortnight\nreference: r\nvalues:\n  2020-01-01: 5\n", "not a known unit"),
    ("description: d\nunit: working_day\nreference: r\nvalues:\n  soon: 5\n", "not a date"),
    ("description: d\nunit: working_day\nreference: r\nvalues:\n  2020-01-01: many\n", "is not a number"),
    ("description: d\nunit: day\nreference: r\nvalues:\n  2020-01-01: 5\n", "must be in a file named days.yaml"),
    ("description: d\nunit: weeks\nreference: r\nvalues:\n  2020-01-01: 5\n", "is not one of working_day"),
    ("description: d\nunit: working_day\nreference: 001_8bebe4ae25a58006.txt:99999\nvalues:\n  2020-01-01: 5\n",
     "has 5209 lines"),
])
def test_strict_loader_names_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    folder = tmp_path / "parameters" / "some" / "clock"
    folder.mkdir(parents=True)
    (folder / "working_days.yaml").write_text(text)
    with pytest.raises(ParameterError, match=message) as info:
        load_parameters(tmp_path / "parameters")
    assert "some/clock/working_days.yaml" in str(info.value)


def test_shipped_folder_is_the_package_folder() -> None:
    assert (PARAMETERS_DIR / "child_protection" / "initial_conference" / "working_days.yaml").is_file()
