"""``careflow link --backend``: DuckDB by default; Spark in a local session when pyspark and Java are installed,
and a clear error naming what to install when they are not (or when the backend is not one careflow runs)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from careflow.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_an_unknown_backend_is_refused_by_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["link", "--out", str(tmp_path / "out"), "--backend", "postgres"])
    assert result.exit_code == 2
    assert "--backend postgres: not a splink backend careflow runs; use one of duckdb, spark" in _said(result)
    assert not (tmp_path / "out").exists()


def test_spark_without_pyspark_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "pyspark", None)  # as if not installed
    result = runner.invoke(app, ["link", "--out", str(tmp_path / "out"), "--backend", "spark"])
    assert result.exit_code == 2
    said = _said(result)
    assert "--backend spark: pyspark is not installed" in said
    assert "pip install -e '.[spark]'" in said and "Java 11 or later" in said
    assert not (tmp_path / "out" / "links.csv").exists()


def test_spark_without_java_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name == "pyspark" else real_find_spec(name, *a))
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = runner.invoke(app, ["link", "--out", str(tmp_path / "out"), "--backend", "spark"])
    assert result.exit_code == 2
    said = _said(result)
    assert "--backend spark: Java is not installed (no java on the PATH, no JAVA_HOME)" in said
    assert "pip install -e '.[spark]'" in said
    assert not (tmp_path / "out" / "links.csv").exists()


@pytest.mark.slow
def test_spark_backend_through_the_cli(tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: splink's Spark backend needs a JVM (install a JDK 17 to run this test)")
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed: pip install -e '.[spark]' to run the Spark backend test")
    out = tmp_path / "out"
    result = runner.invoke(app, ["link", "--out", str(out), "--backend", "spark", "--synthetic", "150",
                                 "--start", "2025-10-01"])
    assert result.exit_code == 0, result.output
    model = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert model["trained_on"]["backend"] == "spark"
    quality = json.loads((out / "quality.json").read_text(encoding="utf-8"))
    assert quality["precision"] >= 0.98 and quality["recall"] >= 0.9
    assert not list(out.glob("spark-checkpoints*"))
