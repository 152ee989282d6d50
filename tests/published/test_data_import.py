"""careflow data import / status through the real CLI: later layouts, every measure kept, the scorecard follows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from careflow import published
from careflow.cli import app
from careflow.published.mapping import header_matches, load_mapping
from tests.published.later_layouts import build_later_release, layouts

runner = CliRunner()


def flat(text: str) -> str:
    """CLI output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "careflow-data"
    monkeypatch.setenv("CAREFLOW_DATA", str(root))
    return root


@pytest.fixture(scope="module")
def later_folder(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("later") / "release"
    unlisted = build_later_release(shared, folder, shift=2)
    # the folder really is in the later layouts: every label careflow maps is one layouts.json lists
    mapping = load_mapping()
    for name, labels in unlisted.items():
        hit = mapping.source_for(name)
        assert hit is not None, name
        mapped = {w for words in hit[0].labels.values() for ws in words.values() for w in ws}
        assert not set(labels) & mapped, f"{name}: {sorted(set(labels) & mapped)} not in the later layout"
    return folder


def test_every_later_layout_file_careflow_reads_resolves_its_columns(shared: Path) -> None:
    """Each file of the 2024 and 2025 releases that the mapping claims has every column its measures need."""
    mapping = load_mapping()
    claimed = 0
    for (release, name), layout in layouts(shared).items():
        hit = mapping.source_for(f"{release}/{name}")
        if hit is None:
            assert mapping.ignored(f"{release}/{name}"), f"{release}/{name} is neither read nor declared ignored"
            continue
        source, _ = hit
        claimed += 1
        columns: list[str] = layout["columns"]  # type: ignore[assignment]
        labels: dict[str, list[str]] = layout["labels"]  # type: ignore[assignment]
        for spec in source.measures:
            for key in {*spec.values, *(c for c, _ in spec.where), *([spec.sum_column] if spec.sum_column else [])}:
                found = [h for h in columns if any(header_matches(s, h) for s in source.synonyms(key))]
                assert len(found) == 1, f"{release}/{name}: {spec.name} needs {key!r}, found {found}"
                if key in source.labels:
                    wanted = [lab for c, lab in spec.where if c == key] + (
                        list(spec.sum_labels) if spec.sum_column == key else [])
                    for lab in wanted:
                        assert set(source.labels[key][lab]) & set(labels[found[0]]), (
                            f"{release}/{name}: {spec.name}: none of {source.labels[key][lab]} in {found[0]}")
    assert claimed >= 10


def test_later_layouts_import_with_every_measure_kept_and_the_scorecard_follows(
    later_folder: Path, store: Path, tmp_path: Path
) -> None:
    before = runner.invoke(app, ["data", "status"])
    assert before.exit_code == 0, before.output
    assert "2010-2022" in flat(before.output) and "shipped" in flat(before.output)

    report_path = tmp_path / "report.json"
    result = runner.invoke(app, ["data", "import", str(later_folder), "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["saved"]
    assert not [p for p in report["problems"] if p["severity"] == "error"]
    taken = {m for f in report["files"] if f["status"] == "taken" for m in f["measures"]}
    assert taken == set(load_mapping().measures)  # every measure kept
    assert {f["release"] for f in report["files"] if f["file"].startswith("cla_202")} == {"CLA 2024"}
    # the moved-on figures overlap the shipped 2020-2022: revisions are recorded, the later release kept
    assert report["revisions"] and all(r["new_release"] == "CLA 2024" for r in report["revisions"]
                                       if r["measure"] == "cla_at_31_march")
    assert "Revised:" in flat(result.output) and "CLA 2022 → CLA 2024" in flat(result.output)

    # every figure of the re-headed files arrives under its measure, two years on
    shipped = pl.read_csv(published.store.shipped_dir() / "published_counts.csv", infer_schema=False)
    held = published.held_counts()
    cla_measures = sorted({s.measures[i].name for s in load_mapping().sources if s.layout == "ees"
                           and s.collection == "CLA" for i in range(len(s.measures))})
    old = shipped.filter(pl.col("year").cast(pl.Int32).is_between(2018, 2022)).select(
        "area_code", (pl.col("year").cast(pl.Int32) + 2).alias("year"), *cla_measures)
    new = held.filter(pl.col("year").is_between(2020, 2024)).select("area_code", "year", *cla_measures)
    joined = old.join(new, on=["area_code", "year"], how="left", suffix="_held")
    for measure in cla_measures:
        if measure == "population_0_17":
            continue  # 2020-2024 falls back to the ONS estimate where the CLA file gives none
        # (a later release's 'z' or blank does not replace a figure an earlier release gave)
        differ = joined.filter(~pl.col(measure).fill_null("").is_in(["", "z"])
                               & (pl.col(measure) != pl.col(f"{measure}_held").fill_null("")))
        assert differ.height == 0, f"{measure}: {differ.head(3)}"

    # the reform model's series read the newest data held too (England and an LA, moved on two years)
    from careflow.reform import series

    for cached in (series.load_series, series.all_areas, series.la_matrix):
        cached.cache_clear()  # earlier tests in this process may have read the shipped series
    england, herts = series.load_series(None), series.load_series("Hertfordshire")
    assert england.last_year == 2024 and herts.last_year == 2024
    ships = shipped.filter(pl.col("year") == "2022").select("area_code", "cla_at_31_march")
    by_code = dict(ships.iter_rows())
    assert england.value("cla", 2024) == float(by_code["E92000001"])
    assert herts.value("cla", 2024) == float(by_code["919"])
    for cached in (series.load_series, series.all_areas, series.la_matrix):
        cached.cache_clear()

    status = runner.invoke(app, ["data", "status"])
    assert status.exit_code == 0
    listing = flat(status.output)
    assert "CLA 2024" in listing and "imported" in listing and "2010-2024" in listing
    assert "By year" in listing and "│ 2024 │" in status.output

    out = tmp_path / "card"
    card = runner.invoke(app, ["scorecard", "--area", "Hertfordshire", "--out", str(out)])
    assert card.exit_code == 0, card.output
    figures = pl.read_csv(out / "scorecard.csv", infer_schema_length=0)
    years = set(figures.filter(pl.col("status") == "ok")["year"].cast(pl.Int32).to_list())
    assert set(range(2010, 2025)) <= years
    html = (out / "scorecard.html").read_text()
    assert "2010-2024" in html and "CLA 2024" in html
    assert "2010-2022 (the latest careflow holds)" not in html


def test_an_import_with_nothing_recognised_saves_nothing(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "school_workforce_2025.csv").write_text("time_period,geographic_level,teachers\n2025,National,5\n")
    result = runner.invoke(app, ["data", "import", str(folder)])
    assert result.exit_code == 0
    assert "Files not recognised" in flat(result.output) and "school_workforce_2025.csv" in flat(result.output)
    assert "Nothing taken" in flat(result.output)
    assert not (store / "published").exists()


def test_derive_script_makes_the_shipped_tables_through_the_mapping(shared: Path) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "derive_scorecard_tables.py"
    spec = importlib.util.spec_from_file_location("derive_scorecard_tables", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wide, _areas, releases = module.build(shared)
    shipped = pl.read_csv(published.store.shipped_dir() / "published_counts.csv", infer_schema=False)
    assert wide.with_columns(pl.col("year").cast(pl.String)).equals(shipped.select(wide.columns))
    assert set(releases["release"].to_list()) >= {"CLA 2022", "CLA 2017", "CIN 2022"}


def test_missing_folder_is_a_usage_error(store: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "import", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "is not a folder" in flat(result.output)


def test_reimporting_a_release_replaces_it(later_folder: Path, store: Path, tmp_path: Path) -> None:
    small = tmp_path / "one"
    (small / "cla").mkdir(parents=True)
    shutil.copy(later_folder / "cla_2025_release" / "cla_number_and_rate_per_10k_children.csv", small / "cla")
    for _ in range(2):
        result = runner.invoke(app, ["data", "import", str(small)])
        assert result.exit_code == 0, result.output
    log = published.imports_log()
    assert len(log) == 2
    stored = pl.read_parquet(published.store_dir() / "cells.parquet")
    assert stored.filter(pl.col("release") == "CLA 2024")["rank"].unique().to_list() == [2]
