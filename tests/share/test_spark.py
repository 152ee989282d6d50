"""The same linkage on splink's Spark backend (national scale), on a small sample.

Runs when Java and pyspark are installed (``pip install -e '.[spark]'``; Java 11+ on the PATH); skipped with the
reason otherwise. pyspark is not in the test extra: it is a 490 MB install (about two minutes), more than CI should
pay for one test.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from careflow.share.link import link
from careflow.synth.partners import make_partner_data, make_people


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: splink's Spark backend needs a JVM (install a JDK 17 to run this test)")
    pyspark_sql = pytest.importorskip(
        "pyspark.sql", reason="pyspark is not installed: pip install -e '.[spark]' to run the Spark backend test")
    from splink.backends.spark import similarity_jar_location

    session = (pyspark_sql.SparkSession.builder.master("local[1]").appName("careflow-link-test")
               .config("spark.jars", similarity_jar_location())
               .config("spark.sql.shuffle.partitions", "2").config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false").config("spark.driver.memory", "1g").getOrCreate())
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_backend_links_like_duckdb(spark: Any, tmp_path: Path) -> None:
    spark.sparkContext.setCheckpointDir(str(tmp_path / "checkpoints"))
    people = make_people(120, seed=11)
    partners = make_partner_data(people, seed=11, out_dir=tmp_path / "partners", start=dt.date(2025, 10, 1),
                                 end=dt.date(2026, 3, 31))
    on_spark = link(people, partners, tmp_path / "spark", backend="spark", spark=spark, progress=False)
    on_duckdb = link(people, partners, tmp_path / "duckdb", progress=False)
    assert on_spark.quality is not None and on_duckdb.quality is not None
    assert on_spark.model["trained_on"]["backend"] == "spark"
    assert on_spark.quality["precision"] >= 0.98 and on_spark.quality["recall"] >= 0.9
    # the NHS-number step is the same on both; the probabilistic links agree for nearly every record
    nhs = pl.col("method") == "nhs_number"
    assert on_spark.links.filter(nhs).height == on_duckdb.links.filter(nhs).height
    both = on_spark.links.join(on_duckdb.links, on=["agency", "source_record_id"], how="inner")
    agree = both.filter(pl.col("person_id") == pl.col("person_id_right")).height
    assert agree / max(on_duckdb.links.height, 1) >= 0.95
