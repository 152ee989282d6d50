"""The committed workforce table is exactly what scripts/derive_workforce_tables.py makes from ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "careflow" / "supply" / "data" / "workforce"


@pytest.mark.shared
def test_derive_script_reproduces_the_committed_table(shared: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "derive_workforce_tables.py"), "--shared", str(shared),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / "la_workforce.csv").read_bytes() == (DATA / "la_workforce.csv").read_bytes()


def test_committed_table_names_its_source() -> None:
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "Open Government Licence" in sources and "csww_indicators_2017_to_2025.csv" in sources
    assert (DATA / "la_workforce.csv").stat().st_size < 200_000  # compact: counts only, no copy of the releases
