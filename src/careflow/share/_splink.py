"""The splink model: comparisons, blocking rules, training and scoring (DuckDB on one machine, Spark at scale).

Private to :mod:`careflow.share.link`; imported only when linking runs (splink and DuckDB are heavy).

The model (Fellegi-Sunter, as splink implements it):
- comparisons: first and last name (exact, Jaro-Winkler >= 0.92, >= 0.88, >= 0.7), date of birth (exact, day and
  month swapped, one character different, within a year), sex, postcode (full, sector, district), NHS number and UPN
  (exact); a null on either side is neutral;
- the prior (probability two random records match) from deterministic rules (NHS number; names and date of birth)
  with an assumed recall of 0.8;
- u probabilities by random sampling of record pairs (mostly non-matches);
- m probabilities by expectation-maximisation, twice: on pairs blocked on date of birth (estimates names, sex,
  postcode, identifiers) and on pairs blocked on first and last name (estimates date of birth);
- candidate pairs for scoring from blocking rules: NHS number; UPN; date of birth; first name, last name and birth
  year; first name, last name and postcode.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

__all__ = ["BLOCKING_RULES", "score_pairs", "settings", "splink_logging"]

#: Blocking rules generating the pairs scored (SQL over the left ``l`` and right ``r`` record).
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("nhs_number",), ("upn",), ("dob",), ("first_name", "last_name", "birth_year"),
    ("first_name", "last_name", "postcode"),
)
#: Pairs scored below this weight are not kept (far below any review band).
FLOOR_WEIGHT = -5.0


def _with_postcode_space(expr: pl.Expr) -> pl.Expr:
    """'TW91AB' -> 'TW9 1AB' (splink's postcode comparison reads sector and district from the spaced form)."""
    return pl.when(expr.str.len_chars() >= 5).then(
        expr.str.slice(0, expr.str.len_chars() - 3) + " " + expr.str.slice(-3, 3)).otherwise(expr)


def _for_splink(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    return frame.with_columns(
        _with_postcode_space(pl.col("postcode")).alias("postcode"),
        pl.col("dob").str.slice(0, 4).alias("birth_year"),
        pl.lit(source).alias("source_dataset"),
    )


def settings() -> Any:
    """The splink settings (a SettingsCreator): comparisons and the blocking rules for prediction."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            # day and month swapped: 2014-03-07 against 2014-07-03
            cll.CustomLevel("substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                            "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)", "day and month swapped"),
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.CustomLevel("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)", "same year of birth"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            dob,
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING_RULES],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def _arrow(frame: pl.DataFrame) -> Any:
    return frame.to_arrow()


def score_pairs(records: pl.DataFrame, people: pl.DataFrame, *, backend: str = "duckdb", seed: int = 42,
                progress: Callable[[str, float], None] | None = None,
                spark: Any = None) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Train the model on ``records`` (partner records) and ``people`` and score their candidate pairs.

    Returns ``record_key, person_id, match_weight, match_probability, weight_without_identifiers`` (the weight
    the names, date of birth, sex and postcode give alone) for every pair above :data:`FLOOR_WEIGHT`, and the
    trained model (splink's settings dictionary, with the counts used).
    """
    report = progress or (lambda step, fraction: None)
    with splink_logging() as messages:
        return _score_pairs(records, people, backend, seed, report, spark, messages)


@contextmanager
def splink_logging() -> Iterator[_SplinkMessages]:
    """While linking, splink's warnings (e.g. a comparison level never seen in training) are kept for
    ``model.json`` and the match-quality report instead of reaching the terminal; its errors still go to standard
    error (and are kept too). splink's logger is put back as it was afterwards."""
    messages = _SplinkMessages()
    errors = logging.StreamHandler(sys.stderr)
    errors.setLevel(logging.ERROR)
    errors.setFormatter(logging.Formatter("splink %(levelname)s: %(message)s"))
    splink_logger = logging.getLogger("splink")
    propagate = splink_logger.propagate
    splink_logger.addHandler(messages)
    splink_logger.addHandler(errors)
    splink_logger.propagate = False
    try:
        yield messages
    finally:
        splink_logger.removeHandler(messages)
        splink_logger.removeHandler(errors)
        splink_logger.propagate = propagate


class _SplinkMessages(logging.Handler):
    """Keeps splink's warnings and errors, each once, for the model file and the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().split())
        if text and text not in self.messages:
            self.messages.append(text)


def _score_pairs(records: pl.DataFrame, people: pl.DataFrame, backend: str, seed: int,
                 report: Callable[[str, float], None], spark: Any,
                 messages: _SplinkMessages) -> tuple[pl.DataFrame, dict[str, Any]]:
    from splink import Linker, block_on

    left = _for_splink(records, "partners")
    right = _for_splink(people, "people")
    if backend == "duckdb":
        from splink import DuckDBAPI

        db_api: Any = DuckDBAPI()
        tables = [db_api.register(_arrow(left), table_name="partners"),
                  db_api.register(_arrow(right), table_name="people")]
    elif backend == "spark":
        from splink import SparkAPI

        if spark is None:
            raise ValueError("backend='spark' needs a SparkSession (spark=...)")
        db_api = SparkAPI(spark_session=spark)
        tables = [db_api.register(_spark_frame(spark, left), table_name="partners"),
                  db_api.register(_spark_frame(spark, right), table_name="people")]
    else:
        raise ValueError(f"backend must be 'duckdb' or 'spark' (got {backend!r})")
    linker = Linker(tables, settings(), log_level=None)
    report("estimating the prior from deterministic rules", 0.05)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("first_name", "last_name", "dob")], recall=0.8)
    report("estimating u by random sampling", 0.15)
    max_pairs = min(5e6, max(1e5, 20.0 * (records.height + people.height)))
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    probe = min(1.0, max(0.01, 50_000 / max(1, records.height)))  # splink's probe of the blocked-pair count
    report("estimating m by expectation-maximisation (blocked on date of birth)", 0.35)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), max_pairs=2e6, record_sample_proportion=probe)
    report("estimating m by expectation-maximisation (blocked on names)", 0.5)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name", "postcode"), max_pairs=2e6, record_sample_proportion=probe)
    report("scoring candidate pairs", 0.65)
    predictions = linker.inference.predict(threshold_match_weight=FLOOR_WEIGHT)
    report("collecting scores", 0.95)
    if backend == "duckdb":
        scored = pl.from_arrow(predictions.as_pyarrow_table())
    else:
        scored = pl.DataFrame(predictions.as_record_list())
    assert isinstance(scored, pl.DataFrame)
    model = linker.misc.save_model_to_json(out_path=None)
    model = dict(model or {})
    model["trained_on"] = {"partner_records": records.height, "people": people.height, "u_max_pairs": max_pairs,
                           "backend": backend}
    model["splink_warnings"] = messages.messages
    if scored.height == 0:
        return pl.DataFrame(schema={"record_key": pl.String, "person_id": pl.String, "match_weight": pl.Float64,
                                    "match_probability": pl.Float64,
                                    "weight_without_identifiers": pl.Float64}), model
    # splink puts the link's left table first in each pair; which side is which is named by source_dataset.
    left_is_partner = pl.col("source_dataset_l") == "partners"
    ident = pl.col("mw_nhs_number").cast(pl.Float64).fill_null(0.0) + pl.col("mw_upn").cast(pl.Float64).fill_null(0.0)
    out = scored.select(
        pl.when(left_is_partner).then(pl.col("unique_id_l")).otherwise(pl.col("unique_id_r")).alias("record_key"),
        pl.when(left_is_partner).then(pl.col("unique_id_r")).otherwise(pl.col("unique_id_l")).alias("person_id"),
        pl.col("match_weight").cast(pl.Float64),
        pl.col("match_probability").cast(pl.Float64),
        (pl.col("match_weight").cast(pl.Float64) - ident).alias("weight_without_identifiers"),
    )
    return out, model


def _spark_frame(spark: Any, frame: pl.DataFrame) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType(), True) for c in frame.columns])
    return spark.createDataFrame(frame.cast(dict.fromkeys(frame.columns, pl.String)).rows(), schema)
