"""The committed derived series are exactly what scripts/derive_reform_series.py makes from ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "careflow" / "reform" / "data"
FILES = ("national_series.csv", "area_series.csv", "population.csv", "spend_series.csv")


@pytest.mark.shared
@pytest.mark.slow
def test_derive_script_reproduces_the_committed_tables(shared: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "derive_reform_series.py"), "--shared", str(shared),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "Open Government Licence" in sources and "cla_time_series_1994_2022.csv" in sources


def test_committed_tables_name_their_source() -> None:
    for name in FILES:
        assert (DATA / name).stat().st_size > 0
    assert (DATA / "SOURCES.md").exists()


@pytest.mark.shared
def test_local_rates_table_is_what_its_script_makes(shared: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "derive_reform_local_rates.py"), "--shared", str(shared),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / "local_rates.csv").read_bytes() == (DATA / "local_rates.csv").read_bytes()


@pytest.mark.shared
def test_local_mixes_tables_are_what_their_script_makes(shared: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "derive_reform_local_mixes.py"), "--shared", str(shared),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for name in ("local_exits_by_age.csv", "local_stock.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "local_exits_by_age.csv" in sources and "derive_reform_local_mixes.py" in sources
