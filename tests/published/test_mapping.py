"""The declared mapping and where imported data live."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import polars as pl
import pytest

from careflow import published
from careflow.published.mapping import load_mapping
from careflow.published.reader import combine


def test_the_data_folder_is_versioned_and_care_flow_data_overrides_it(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    monkeypatch.delenv("CAREFLOW_DATA", raising=False)
    assert published.data_root() == Path(platformdirs.user_data_dir("careflow"))
    monkeypatch.setenv("CAREFLOW_DATA", str(tmp_path))
    assert published.store_dir() == tmp_path / "published" / "v1"


def test_every_shipped_measure_comes_from_the_mapping() -> None:
    shipped = pl.read_csv(published.store.shipped_dir() / "published_counts.csv", n_rows=1).columns
    mapping = load_mapping()
    produced = set(mapping.measures) - set(mapping.fallbacks.values())
    assert set(shipped) - {"area_code", "year"} == produced


def test_combining_cells_keeps_symbols_and_blanks() -> None:
    assert combine(["3", "4"]) == "7"
    assert combine(["3", "c"]) == "c"
    assert combine(["z", "c", "x"]) == "c"  # the worst symbol: confidential
    assert combine(["3", ""]) == ""  # a missing part: nothing, never a partial sum


def test_every_file_of_the_shared_dfe_folder_is_read_or_ignored_with_a_reason(shared: Path) -> None:
    result = published.read_folder(shared / "data" / "dfe")
    assert not result.errors
    statuses = {f.file: f.status for f in result.files}
    assert set(statuses.values()) <= {"taken", "ignored"}, [f for f, s in statuses.items() if s == "unrecognised"]
    assert all(f.reason for f in result.files if f.status == "ignored")
    # the 2010-2017 SFR files and the 2022 release both read; London's sub-regions kept under E13 codes
    years = set(result.cells["year"].to_list())
    assert set(range(2010, 2023)) <= years
    assert {"E13000001", "E13000002"} <= set(result.cells["area_code"].to_list())


def test_a_mistyped_mapping_is_refused(tmp_path: Path) -> None:
    from careflow.published.mapping import MAPPING_PATH, MappingError

    text = MAPPING_PATH.read_text(encoding="utf-8").replace("value: number}", "valeu: number}", 1)
    bad = tmp_path / "mapping.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="valeu"):
        load_mapping(bad)


def test_locate_finds_the_latest_release_of_a_declared_file(tmp_path: Path) -> None:
    from careflow.published.reader import locate

    for release in ("cla_2022_release", "cla_2025_release"):
        (tmp_path / release).mkdir()
        (tmp_path / release / "cla_number_and_rate_per_10k_children.csv").write_text("x\n")
    assert locate(tmp_path, "cla_rates").parent.name == "cla_2025_release"
    with pytest.raises(FileNotFoundError, match="cla_ceased"):
        locate(tmp_path, "cla_ceased")


def test_derive_reform_series_reproduces_the_shipped_series(shared: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, str(repo / "scripts" / "derive_reform_series.py"), "--shared", str(shared),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    shipped = repo / "src" / "careflow" / "reform" / "data"
    for name in ("national_series.csv", "area_series.csv", "population.csv"):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name
