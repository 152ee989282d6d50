"""careflow sufficiency through the real CLI: the README commands, the mechanism of recruiting carers, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from careflow.cli import app
from careflow.supply.placements import PLANNED_TYPES, parameters

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, ["sufficiency", *args])


def _json(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "sufficiency.json").read_text(encoding="utf-8"))["areas"][0]
    return data


def _row(area: dict[str, Any], year: int, kind: str) -> dict[str, Any]:
    return next(r for r in area["rows"] if r["year"] == year and r["placement_type"] == kind)


@pytest.fixture(scope="module")
def north_west(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nw")
    result = _run("--area", "North West", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_north_west_runs_and_writes_every_output(north_west: Path) -> None:
    with (north_west / "sufficiency.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:7] == ["area", "year", "placement_type", "demand", "supply", "gap", "cost"]
    years = sorted({int(r["year"]) for r in rows})
    assert years == list(range(2022, 2028))
    assert {r["placement_type"] for r in rows} >= set(PLANNED_TYPES)
    for r in rows:  # gap is demand less supply, every row
        assert float(r["gap"]) == pytest.approx(float(r["demand"]) - float(r["supply"]), abs=0.02)
    html = (north_west / "north_west.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 6 and "Workforce" in html and "Price path" in html
    area = _json(north_west)
    assert "outlook" in area["demand_source"]
    # The base year has a place for every child; demand then outgrows the places held.
    assert _row(area, 2022, "childrens_home")["gap"] == 0
    assert _row(area, 2027, "childrens_home")["gap"] > 0
    assert {"needs_met_share", "within_20_miles_share", "in_home_la_share"} <= set(area["measures"][0])
    assert {c["placement_type"] for c in area["capacity"]} == set(PLANNED_TYPES)
    for c in area["capacity"]:
        assert c["places"] == pytest.approx(c["occupied"] + c["vacant"], abs=0.2)


def test_the_report_carries_the_workforce_model_section_and_figures(north_west: Path) -> None:
    from careflow.supply import workforce as wf

    own = wf.picture_for("North West")  # what `careflow workforce --area "North West"` draws
    latest = own.year
    html = (north_west / "north_west.html").read_text(encoding="utf-8")
    assert "<section class='workforce'><h2>Workforce: North West</h2>" in html
    assert "not installed" not in html and "cannot be drawn" not in html
    section = html[html.index("<section class='workforce'>"):html.index("</section>")]
    assert section.count("<svg") == 3 and "What is cited and what is assumed" in section
    assert f"{own.value('social_worker_fte'):,.1f} FTE" in section
    assert "Cumbria: in the workforce census but not in the DfE placement tables" in section  # said, not hidden
    records = _json(north_west)["workforce"]
    by_key = {(r["year"], r["measure"]): r for r in records}
    assert by_key[(latest, "social_worker_fte")]["value"] == pytest.approx(own.value("social_worker_fte"), abs=1e-3)
    assert by_key[(latest, "agency_premium_cost_gbp")]["value"] == pytest.approx(own.agency.cost_gbp, abs=1)
    assert by_key[(latest, "ecpp_fte_needed")]["value"] == pytest.approx(own.ecpp.fte_needed, abs=1e-3)
    assert {r["area"] for r in records} == {"North West"}
    with (north_west / "north_west_workforce.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(records)
    assert {(int(r["year"]), r["measure"]) for r in rows} == set(by_key)
    row = next(r for r in rows if r["measure"] == "agency_fte" and int(r["year"]) == latest)
    assert float(row["value"]) == pytest.approx(own.value("agency_fte"), abs=1e-3) and row["unit"] == "fte"


def test_a_user_footprint_runs_from_yaml_and_csv(tmp_path: Path) -> None:
    yaml_fp = tmp_path / "lancashire_rcc.yaml"
    yaml_fp.write_text("name: Lancashire RCC\nlas: [Blackpool, Blackburn with Darwen, Lancashire]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run("--footprint", str(yaml_fp), "--out", str(out), "--years", "3")
    assert result.exit_code == 0, result.output
    area = _json(out)
    assert area["area"] == "Lancashire RCC" and area["las"] == ["Blackpool", "Blackburn with Darwen", "Lancashire"]
    assert (out / "lancashire_rcc.html").is_file()
    assert "<h2>Workforce: Lancashire RCC</h2>" in (out / "lancashire_rcc.html").read_text(encoding="utf-8")
    with (out / "lancashire_rcc_workforce.csv").open(encoding="utf-8") as f:
        assert {r["area"] for r in csv.DictReader(f)} == {"Lancashire RCC"}
    csv_fp = tmp_path / "fp.csv"
    csv_fp.write_text("la\nBlackpool\nLancashire\n", encoding="utf-8")
    assert _run("--footprint", str(csv_fp)).exit_code == 0
    # A footprint's base is the sum of its LAs: Blackpool + Lancashire children at 31 March 2022.
    base = next(m for m in area["measures"] if m["year"] == 2022)["children"]
    single = tmp_path / "bp"
    assert _run("--area", "Blackpool", "--out", str(single), "--years", "1").exit_code == 0
    assert base > next(m for m in _json(single)["measures"] if m["year"] == 2022)["children"]


def test_recruiting_carers_reduces_the_residential_gap_through_the_mechanism(tmp_path: Path) -> None:
    base_dir, more_dir = tmp_path / "base", tmp_path / "more"
    assert _run("--area", "North West", "--out", str(base_dir)).exit_code == 0
    result = _run("--area", "North West", "--recruit-carers", "150", "--out", str(more_dir))
    assert result.exit_code == 0, result.output
    base, more = _json(base_dir), _json(more_dir)
    p = parameters()
    places = float(p["fostering.places_per_household"].value) * float(p["fostering.occupancy"].value)
    carers = {c["year"]: c for c in more["carers"]}
    for year in range(2023, 2028):
        # 1. Recruits still fostering are fewer than those recruited: carers leave (the exit hazards act).
        in_post = carers[year]["extra_recruits_in_post"]
        assert 0 < in_post <= 150 * (year - 2022)
        if year > 2023:  # recruits join at the year's end, then leave at the carers' hazards
            assert in_post < 150 * (year - 2022)
        # 2. The funnel: each recruit needs 1 / 1.35% enquiries.
        assert carers[year]["extra_enquiries_needed"] == pytest.approx(150 / (2165 / 160635), rel=1e-3)
        # 3. In-house places rise by exactly the recruits in post x places per household x occupancy.
        gained = _row(more, year, "foster_in_house")["supply"] - _row(base, year, "foster_in_house")["supply"]
        assert gained == pytest.approx(in_post * places, abs=0.1)
        # 4. Fewer children who need a family go to a children's home; the home places are unchanged, so the
        #    residential gap falls by exactly that many children.
        m_base = next(m for m in base["measures"] if m["year"] == year)
        m_more = next(m for m in more["measures"] if m["year"] == year)
        fewer = m_base["foster_to_childrens_home"] - m_more["foster_to_childrens_home"]
        assert _row(more, year, "childrens_home")["supply"] == _row(base, year, "childrens_home")["supply"]
        gap_cut = _row(base, year, "childrens_home")["gap"] - _row(more, year, "childrens_home")["gap"]
        assert gap_cut == pytest.approx(fewer, abs=0.2)
        assert m_more["needs_met_share"] >= m_base["needs_met_share"]
    assert _row(more, 2027, "childrens_home")["gap"] < _row(base, 2027, "childrens_home")["gap"]
    assert "Against the baseline" in result.output


def test_open_homes_block_purchasing_and_margin_caps_act_on_gap_and_price(tmp_path: Path) -> None:
    out = {}
    for name, args in {"base": [], "homes": ["--open-homes", "10"], "block": ["--purchasing", "block"],
                       "cap": ["--margin-cap", "0.1"]}.items():
        out[name] = tmp_path / name
        assert _run("--area", "North West", "--years", "3", "--out", str(out[name]), *args).exit_code == 0
    base, homes, block, cap = (_json(out[k]) for k in ("base", "homes", "block", "cap"))
    per_home = 9699 / 2462  # 001_8bebe4ae25a58006.txt:3382
    assert _row(homes, 2025, "childrens_home")["supply"] == pytest.approx(
        _row(base, 2025, "childrens_home")["supply"] + 10 * per_home, abs=0.05)
    assert block["prices"][-1]["gap_childrens_home"] < base["prices"][-1]["gap_childrens_home"]
    # A 10% cap on a 19.4% agency margin: 820 x (1 - 0.194) / (1 - 0.1).
    assert cap["prices"][-1]["foster_independent"] == pytest.approx(820 * (1 - 0.194) / 0.9, abs=0.01)
    assert cap["measures"][-1]["total_cost_gbp"] < base["measures"][-1]["total_cost_gbp"]


def test_an_unknown_area_names_the_nearest(tmp_path: Path) -> None:
    result = _run("--area", "Nort West")
    assert result.exit_code == 2
    assert "'Nort West' is not an LA" in result.output and "North West" in result.output
    fp = tmp_path / "rcc.csv"
    fp.write_text("la\nBlackpool\nBlakburn with Darwen\n", encoding="utf-8")
    result = _run("--footprint", str(fp))
    assert result.exit_code == 2
    assert "row 3" in result.output and "Blackburn with Darwen" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--open-homes", "-2"], "negative capacity"),
    (["--recruit-carers", "-5"], "recruit carers: -5 is negative"),
    (["--margin-cap", "1.5"], "margin cap"),
    (["--purchasing", "auction"], "'auction' is not 'spot' or 'block'"),
    (["--years", "8"], "forecasts 1 to 5 years, not 8"),
])
def test_a_scenario_asking_for_negative_capacity_is_a_clear_error(args: list[str], message: str) -> None:
    result = _run("--area", "Blackpool", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_suppressed_cells_take_a_stated_fallback_never_a_zero(tmp_path: Path) -> None:
    assert _run("--area", "Blackpool", "--years", "1", "--out", str(tmp_path)).exit_code == 0
    area = _json(tmp_path)
    notes = " ".join(area["notes"])
    # Blackpool's children placed over 20 miles away are suppressed in 2021 and 2022: the national share is used.
    assert "over_20_miles suppressed in 2022 and 2021; the national share" in notes
    assert "fostering split with England's shares" in notes
    assert 0 < area["measures"][0]["within_20_miles_share"] < 1


def test_an_ofsted_file_replaces_places_and_reports_its_own_problems(tmp_path: Path) -> None:
    good = tmp_path / "ofsted.csv"
    good.write_text("la,provision,places\nBlackpool,childrens_home,90\nBlackpool,supported_accommodation,c\n",
                    encoding="utf-8")
    assert _run("--area", "Blackpool", "--years", "1", "--ofsted", str(good), "--out", str(tmp_path / "o")
                ).exit_code == 0
    area = _json(tmp_path / "o")
    assert _row(area, 2022, "childrens_home")["supply"] == 90
    assert any("supported_accommodation places suppressed (c)" in n for n in area["notes"])
    bad = tmp_path / "bad.csv"
    bad.write_text("la,provision,places\nBlackpool,childrens_home,-3\n", encoding="utf-8")
    result = _run("--area", "Blackpool", "--ofsted", str(bad))
    assert result.exit_code == 2 and "row 2, places: -3 is negative" in result.output


def test_an_las_returns_give_demand_from_the_flows_model(tmp_path: Path) -> None:
    from careflow import synth

    la = synth.generate(15000, end_year=2022, years=3, seed=3)
    synth.write_returns(la, tmp_path / "returns")
    result = _run("--area", "Blackpool", "--returns", str(tmp_path / "returns"), "--years", "2", "--out",
                  str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    area = _json(tmp_path / "o")
    assert area["demand_source"].startswith("flows model")
    assert area["years"] == [2022, 2023, 2024]
    base_children = next(m for m in area["measures"] if m["year"] == 2022)["children"]
    assert base_children == pytest.approx(sum(a["demand"] for a in area["demand_by_age"] if a["year"] == 2022))


def test_the_readme_sufficiency_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    repo = Path(__file__).resolve().parents[2]
    lines = [line.split("#")[0].strip() for line in (repo / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("careflow sufficiency")]
    assert any("--area" in cmd for cmd in lines) and any("--footprint" in cmd for cmd in lines)
    monkeypatch.chdir(repo)
    for i, cmd in enumerate(lines):
        args = shlex.split(cmd)[1:]
        if "--out" in args:
            args[args.index("--out") + 1] = str(tmp_path / f"run{i}")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"{cmd}\n{result.output}"
    assert (tmp_path / "run0" / "north_west.html").is_file()
