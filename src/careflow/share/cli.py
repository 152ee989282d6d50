"""``careflow link``: link partner agencies' records to children and adults, and say how well it went."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["BACKENDS", "cli_main", "local_spark"]

Progress = Callable[[str, float], None]
#: The splink backends ``careflow link --backend`` runs: DuckDB on one machine, or a local Spark session.
BACKENDS = ("duckdb", "spark")
SPARK_INSTALL = ("splink's Spark backend needs pyspark and Java 11 or later (17 tested): pip install -e '.[spark]' "
                 "and a JDK on the PATH or in JAVA_HOME. On a cluster, call careflow.share.link.link(..., "
                 "backend='spark', spark=session) with your own session (README: linkage at national scale).")


def local_spark(checkpoints: Path) -> tuple[Any, str]:
    """A local SparkSession with splink's similarity functions (its jar), checkpointing to ``checkpoints``; or
    None and why not (pyspark or Java missing, or the session would not start)."""
    import importlib.util
    import os
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return None, f"pyspark is not installed. {SPARK_INSTALL}"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        return None, f"Java is not installed (no java on the PATH, no JAVA_HOME). {SPARK_INSTALL}"
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    try:
        session = (SparkSession.builder.master("local[*]").appName("careflow-link")
                   .config("spark.jars", similarity_jar_location())
                   .config("spark.sql.shuffle.partitions", "8").config("spark.ui.enabled", "false")
                   .getOrCreate())
    except Exception as exc:  # the JVM did not start: say so rather than print a Java stack
        return None, f"Spark did not start ({' '.join(str(exc).split())[:300]}). {SPARK_INSTALL}"
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(checkpoints))
    return session, ""


def cli_main(out: Path, *, synthetic: int, seed: int, people: Path | None, partners: Path | None,
             mapping: Path | None, threshold: float | None, backend: str, start: dt.date, end: dt.date,
             progress: Progress, console: Console, err_console: Console, show: int = 20) -> int:
    """Run the command; returns the exit code (0 done, problems in the input reported; 2 could not run)."""
    from careflow.errors import CareflowError
    from careflow.share.partners_io import read_people

    out = Path(out)
    people_problems: list[dict[str, Any]] = []
    if (people is None) != (partners is None):
        err_console.print("[red]--people and --partners go together (your files), or leave both out for synthetic "
                          "partner data (--synthetic N children).")
        return 2
    if backend not in BACKENDS:
        err_console.print(f"[red]--backend {escape(backend)}: not a splink backend careflow runs; use one of "
                          f"{', '.join(BACKENDS)}.")
        return 2
    spark: Any = None
    checkpoints: Any = None
    if backend == "spark":
        import tempfile

        checkpoints = tempfile.TemporaryDirectory(prefix="careflow-spark-")
        spark, why = local_spark(Path(checkpoints.name))
        if spark is None:
            checkpoints.cleanup()
            err_console.print(f"[red]--backend spark: {escape(why)}")
            return 2
    try:
        if people is None or partners is None:
            from careflow.synth.partners import make_partner_data, make_people

            progress(f"making {synthetic:,} synthetic children, their families and partner records", 0.0)
            people_frame = make_people(synthetic, seed=seed)
            partners = out / "partner_data"
            make_partner_data(people_frame, seed=seed, out_dir=partners, start=start, end=end,
                              progress=lambda f: progress("writing synthetic partner files", 0.1 * f))
            out.mkdir(parents=True, exist_ok=True)
            people_frame.write_csv(out / "people.csv")
        else:
            people_frame, people_problems = read_people(people)
        from careflow.share.link import link

        result = link(people_frame, partners, out, mapping=mapping, threshold=threshold, seed=seed,
                      people_problems=people_problems, backend=backend, spark=spark,
                      progress=lambda step, f: progress(step, 0.1 + 0.9 * f))
    except (CareflowError, OSError) as exc:
        err_console.print(f"[red]{escape(str(exc))}")
        return 2
    finally:
        if spark is not None:
            spark.stop()
            checkpoints.cleanup()
    _print_summary(result, console, show)
    return 0


def _print_summary(result: Any, console: Console, show: int) -> None:
    links = result.links
    by_method = dict(links.group_by("method").len().iter_rows()) if links.height else {}
    console.print(f"{result.n_records:,} partner records read; {links.height:,} linked "
                  f"({by_method.get('nhs_number', 0):,} by NHS number, {by_method.get('probabilistic', 0):,} "
                  f"probabilistic); {result.review.height:,} for clerical review; {result.n_kept_out:,} kept out as "
                  f"bad input. Threshold: match weight {result.threshold:g}.")
    if result.problems.height:
        table = Table(title=f"Problems in the input ({result.problems.height:,}; all in problems.csv)")
        for col in ("file", "row", "field", "problem"):
            table.add_column(col, overflow="fold")
        for file, row, fld, problem, _ in result.problems.head(show).iter_rows():
            table.add_row(str(file), str(row), str(fld), str(problem))
        console.print(table)
    q = result.quality
    if q:
        table = Table(title="Linkage against the synthetic truth (NHS-number-only matching beside it)")
        for col in ("agency", "records", "precision", "recall", "F1", "NHS only: precision", "recall", "F1"):
            table.add_column(col, justify="left" if col == "agency" else "right")
        nhs = q["nhs_number_only"]
        rows = [("all agencies", q, nhs)] + [(a, v, nhs["by_agency"].get(a, {})) for a, v in q["by_agency"].items()]
        for name, v, b in rows:
            table.add_row(name, f"{v['n']:,}", f"{v['precision']:.4f}", f"{v['recall']:.4f}", f"{v['f1']:.4f}",
                          f"{b.get('precision', 0):.4f}", f"{b.get('recall', 0):.4f}", f"{b.get('f1', 0):.4f}")
        console.print(table)
    for name, path in result.files.items():
        console.print(f"  {name}: {path}")
