"""Code health of the synthetic LA's parameters and of the national targets table."""

from __future__ import annotations

import numbers
import re
from pathlib import Path

import polars as pl
import pytest

from careflow.synth import ParameterError, load_parameters, national_target, national_targets
from careflow.synth._common import Mix
from careflow.synth._params import parse_parameters

SEED_LINE = re.compile(r"00[0-4]_[0-9a-f]{16}\.txt:\d+")
UNITS = {"share", "per_child_year", "per_10k_per_year", "days", "working_days", "months", "years", "per_year",
         "count", "gbp_per_week", "log_days", "score", "calendar_year", "flag"}


def test_every_parameter_has_a_known_unit_and_a_source() -> None:
    params = load_parameters()
    assert len(params) > 80
    for name, p in params.items():
        assert p.unit in UNITS, f"{name}: unit {p.unit!r} is not one of {sorted(UNITS)}"
        src = p.source
        assert ("national_targets.csv" in src or SEED_LINE.search(src) or src.startswith("assumption")
                or "cla_2022_release/" in src or "Regulations" in src or "Working Together" in src), (
            f"{name}: source {src!r} names neither the national targets table, a seed report line, "
            "legislation or guidance, nor says 'assumption'"
        )


def test_calibrated_parameters_say_what_they_were_tuned_to() -> None:
    calibrated = {n: p.calibrated for n, p in load_parameters().items() if p.calibrated}
    assert "outcomes.care" in calibrated and "care.plan" in calibrated
    assert all(len(text) > 20 for text in calibrated.values())


def test_mixes_have_text_categories_and_sensible_weights() -> None:
    for name, p in load_parameters().items():
        if p.unit != "share" or not isinstance(p.value, dict):
            continue
        groups = p.value.values() if all(isinstance(v, dict) for v in p.value.values()) else [p.value]
        for group in groups:
            assert all(isinstance(k, str) for k in group), f"{name}: a category is not text (YAML YES/NO?)"
            assert all(isinstance(v, numbers.Real) and 0 <= v <= 1 for v in group.values()), name
            Mix(group)  # draws without error


def test_loader_rejects_unknown_keys_and_missing_provenance() -> None:
    with pytest.raises(ParameterError, match="unknown key"):
        parse_parameters("a:\n  value: 1\n  unit: share\n  reference: assumption\n  colour: red\n")
    with pytest.raises(ParameterError, match=r"parameters\.yaml:a\.unit: missing"):
        parse_parameters("a:\n  value: 1\n  reference: assumption\n")
    with pytest.raises(ParameterError, match=r"parameters\.yaml:a\.reference: missing"):
        parse_parameters("a:\n  value: 1\n  unit: share\n  reference: ''\n")
    with pytest.raises(ParameterError, match=r"parameters\.yaml:b\.c\.value\.x: 1\.5 is above 1"):
        parse_parameters("b:\n  c:\n    value: {x: 1.5}\n    unit: share\n    reference: assumption\n")
    with pytest.raises(ParameterError, match="did you mean"):
        load_parameters()["care.plans"]


def test_overrides_keep_provenance() -> None:
    params = load_parameters().with_values({"care.uasc_arrivals": 1.0})
    assert params.value("care.uasc_arrivals") == 1.0
    assert params["care.uasc_arrivals"].source == load_parameters()["care.uasc_arrivals"].source
    assert load_parameters().value("care.uasc_arrivals") != 1.0


def test_national_targets_table_is_compact_and_sourced() -> None:
    table = national_targets()
    assert table.columns == ["year", "measure", "category", "value", "unit", "source"]
    assert table.height <= 400
    assert sorted(table["year"].unique().to_list()) == [2018, 2019, 2020, 2021, 2022]
    assert table["source"].null_count() == 0
    assert table.filter(pl.col("source").str.len_chars() == 0).height == 0
    assert national_target("cla_at_31_march", unit="per_10k", year=2022) == 70
    assert national_target("cla_starts", unit="per_10k", year=2019) == 27
    # years outside the table take the nearest one
    assert national_target("cla_at_31_march", unit="per_10k", year=2030) == 70


@pytest.mark.shared
def test_derived_table_matches_the_shared_data(shared: Path, tmp_path: Path) -> None:
    """scripts/derive_national_targets.py reproduces the committed table from ../shared/data/dfe."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "derive_national_targets.py"
    spec = importlib.util.spec_from_file_location("derive_national_targets", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "targets.csv"
    assert module.main(["--dfe", str(shared / "data" / "dfe"), "--out", str(out)]) == 0
    committed = Path(__file__).resolve().parents[2] / "src" / "careflow" / "synth" / "data" / "national_targets.csv"
    assert out.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
