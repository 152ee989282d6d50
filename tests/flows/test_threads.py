"""The flow-model commands choose their thread pools before numpy and polars start: one BLAS thread always, one
polars thread for small inputs only, and never over a value the user set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, os, sys
from pathlib import Path
from careflow.cli import _threads_for
_threads_for([Path(p) for p in sys.argv[1:]])
print(json.dumps({k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "POLARS_MAX_THREADS")}))
"""


def _chosen(paths: list[Path], **env: str) -> dict[str, str | None]:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "POLARS_MAX_THREADS")}
    done = subprocess.run([sys.executable, "-c", PROBE, *map(str, paths)], capture_output=True, text=True,
                          check=True, timeout=120, env={**clean, **env})
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "2021").mkdir()
    (tmp_path / "2021" / "episodes.csv").write_text("CHILD,DECOM\n1,01/04/2020\n")
    return tmp_path


def test_small_input_runs_polars_on_one_thread(small: Path) -> None:
    assert _chosen([small]) == {"OPENBLAS_NUM_THREADS": "1", "POLARS_MAX_THREADS": "1"}
    assert _chosen([small / "2021" / "episodes.csv"])["POLARS_MAX_THREADS"] == "1"


def test_large_input_keeps_polars_pool(tmp_path: Path) -> None:
    from careflow.cli import SMALL_INPUT_BYTES

    big = tmp_path / "episodes.csv"
    with big.open("wb") as fh:  # a sparse file: its size counts, no disk is written
        fh.truncate(SMALL_INPUT_BYTES + 1)
    assert _chosen([tmp_path]) == {"OPENBLAS_NUM_THREADS": "1", "POLARS_MAX_THREADS": None}


def test_the_users_values_are_kept(small: Path) -> None:
    assert _chosen([small], OPENBLAS_NUM_THREADS="4", POLARS_MAX_THREADS="3") == {
        "OPENBLAS_NUM_THREADS": "4", "POLARS_MAX_THREADS": "3"}
