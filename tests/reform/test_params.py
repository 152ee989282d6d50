"""Parameters as data: the strict loader, and code health of every shipped parameter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from careflow.reform.errors import ParameterError
from careflow.reform.levers import load_lever, load_levers, load_system_parameters, parameters_dir
from careflow.reform.params import UNITS, Uncertainty, parse_parameter

GOOD = {
    "description": "A cost.",
    "unit": "gbp_million",
    "reference": "001_8bebe4ae25a58006.txt:4027",
    "values": {dt.date(2024, 4, 1): 10},
}


def _problems(raw: object) -> list[str]:
    problems: list[str] = []
    parse_parameter("x", raw, "file.yaml:x", problems)
    return problems


def test_a_good_parameter_has_no_problems() -> None:
    assert _problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": None}, "unit: missing"),
        ({"reference": None}, "reference: missing"),
        ({"description": ""}, "description: missing"),
        ({"unit": "gbp_milion"}, "Did you mean 'gbp_million'"),
        ({"values": {dt.date(2024, 4, 1): -5}}, "is negative"),
        ({"unit": "fraction", "values": {dt.date(2024, 4, 1): 1.5}}, "above 1"),
        ({"unit": "hazard_per_year", "values": {dt.date(2024, 4, 1): 2}}, "above 1"),
        ({"values": {dt.date(2040, 4, 1): 1}}, "outside the model's years"),
        ({"values": {"2024-13-01": 1}}, "is not a date"),
        ({"values": {dt.date(2024, 4, 1): "ten"}}, "is not a number"),
        ({"reference": "the review, somewhere"}, "is not a citation"),
        ({"reference": "009_8bebe4ae25a58006.txt:12"}, "not one of the five source reports"),
        ({"calibrated": True}, "must name the published figure"),
        ({"uncertainty": {"distribution": "gaussian", "sd": 0.1}}, "is not one of"),
        ({"uncertainty": {"distribution": "triangular", "low": 1.2, "high": 0.8}}, "low (1.2) is above high"),
    ],
)
def test_bad_parameters_are_reported_with_the_fix(change: dict[str, object], message: str) -> None:
    raw = {**GOOD, **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    problems = _problems(raw)
    assert any(message in p for p in problems), problems
    assert all(p.startswith("file.yaml:x") for p in problems)


def test_unknown_keys_are_rejected_with_a_suggestion() -> None:
    problems = _problems({**GOOD, "refrence": "x"})
    assert any("unknown key 'refrence'" in p and "reference" in p for p in problems)


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "lever.yaml"
    path.write_text(yaml.safe_dump({
        "title": "Bad", "group": "Workforse", "reference": "001_8bebe4ae25a58006.txt:1",
        "parameters": {"cost": {"description": "c", "unit": "gbp_million", "values": {"2024-04-01": -1}}},
        "costs": [{"name": "c", "product": "cots"}],
    }))
    with pytest.raises(ParameterError) as info:
        load_lever(path)
    text = str(info.value)
    assert "Workforse" in text and "Did you mean 'Workforce'" in text
    assert "reference: missing" in text
    assert "is negative" in text
    assert "'cots'" in text and "Did you mean 'cost'" in text
    assert len(info.value.problems) >= 4


def test_step_values_and_financial_years() -> None:
    problems: list[str] = []
    p = parse_parameter("x", {**GOOD, "values": {dt.date(2024, 4, 1): 10, dt.date(2026, 4, 1): 20}}, "w", problems)
    assert p is not None and not problems
    assert p.by_financial_year(2023, 5).tolist() == [0, 10, 10, 20, 20]
    assert p.shifted(1).by_financial_year(2023, 5).tolist() == [0, 0, 10, 10, 20]
    assert p.scaled(0.5).at(dt.date(2030, 1, 1)) == 10


def test_uncertainty_draws_use_the_rng_and_stay_non_negative() -> None:
    u = Uncertainty("normal", sd=2.0)
    a = u.sample(np.random.default_rng(1), 1000)
    b = u.sample(np.random.default_rng(1), 1000)
    assert np.array_equal(a, b) and (a >= 0).all()
    lo, hi = Uncertainty("triangular", low=0.5, mode=1.0, high=1.5).quantiles()
    assert 0.5 < lo < 1.0 < hi < 1.5


# ------------------------------------------------------------------------------------------- code health
def _all_parameters() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = list(load_system_parameters().items())
    for lever in load_levers().values():
        out += [(f"{lever.name}.{n}", p) for n, p in lever.parameters.items()]
    return out


def test_every_shipped_parameter_has_unit_reference_and_description() -> None:
    params = _all_parameters()
    assert len(params) > 60
    for name, p in params:
        assert p.unit in UNITS, name  # type: ignore[attr-defined]
        assert p.reference and all(r.strip() for r in p.reference), name  # type: ignore[attr-defined]
        assert p.description, name  # type: ignore[attr-defined]
        if p.calibrated:  # type: ignore[attr-defined]
            assert p.calibrated_to, name  # type: ignore[attr-defined]


def test_every_lever_file_is_strictly_valid_and_cited() -> None:
    levers = load_levers()
    assert len(levers) == 22
    for lever in levers.values():
        assert any("001_8bebe4ae25a58006.txt:40" in r for r in lever.reference), lever.name


def test_code_health_fails_on_a_parameter_without_unit_or_reference(tmp_path: Path) -> None:
    root = tmp_path / "parameters"
    (root / "unit_costs").mkdir(parents=True)
    (root / "levers").mkdir()
    (root / "unit_costs" / "x.yaml").write_text("description: x\nvalues: {2024-04-01: 1}\n")
    with pytest.raises(ParameterError) as info:
        load_system_parameters(root)
    assert "unit: missing" in str(info.value) and "reference: missing" in str(info.value)


_SEED_REF = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)(?:[-–](\d+))?")


def test_every_seed_citation_points_at_a_line_that_exists(shared: Path) -> None:
    lengths: dict[str, int] = {}
    for f in (shared / "seeds").glob("*.txt"):
        lengths[f.name] = sum(1 for _ in f.open(encoding="utf-8"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in parameters_dir().rglob("*.yaml"))
    refs = _SEED_REF.findall(text)
    assert len(refs) > 100
    for name, start, end in refs:
        assert name in lengths, name
        assert 1 <= int(start) <= lengths[name], (name, start)
        if end:
            assert int(start) <= int(end) <= lengths[name], (name, start, end)


def test_the_tables_lines_cited_hold_the_rows(shared: Path) -> None:
    from careflow.reform.published import REVIEW_TABLE, REVIEW_TOTALS

    lines = (shared / "seeds" / "001_8bebe4ae25a58006.txt").read_text(encoding="utf-8").splitlines()
    for line, row in REVIEW_TABLE.values():
        cells = lines[line - 1].split("\t")[1:]
        assert [int(c) for c in cells] == list(row), line
    assert [int(c) for c in lines[4053].split("\t")[1:]] == list(REVIEW_TOTALS)
