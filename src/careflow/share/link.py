"""Linking partner agencies' records to the children and adults of the record: NHS number first, then splink.

Steps (each a named function):

1. :func:`read_partner_files` reads the agencies' files through the column mapping; bad input goes to
   ``problems.csv`` and rows that cannot be linked are kept out (never dropped silently).
2. :func:`prepare` normalises what is compared: names folded to lower-case letters, postcodes upper case without
   spaces, NHS numbers validated (modulus 11) and normalised.
3. :func:`nhs_number_links` joins on the NHS number: the deterministic step, and the baseline the quality report
   compares against (``nhs_number_only``).
4. :func:`probabilistic_candidates` scores record pairs with splink (Fellegi-Sunter) over first name, last name,
   date of birth, sex, postcode, NHS number and UPN: u estimated by random sampling, m by expectation-maximisation
   on blocked pairs, the prior from deterministic rules; splink's DuckDB backend on one machine, Spark for
   national scale (``backend="spark"``).
5. :func:`decide` keeps each partner record's best candidate: a link when its match weight reaches the threshold
   and no other person comes close (twins), the review queue when it falls in the uncertain band; an NHS-number
   match the other fields contradict goes to review too.

``link`` writes ``links.csv``, ``contacts.csv``, ``review_queue.csv``, ``problems.csv``, ``quality.json`` (when
the partner folder holds ``truth.csv``), ``model.json`` (the splink model) and ``report.html``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from careflow.share import _splink
from careflow.share.layout import COMPARED, CONTACT_COLUMNS, LINK_COLUMNS
from careflow.share.partners_io import PartnerRead, read_partner_files

__all__ = ["DEFAULT_THRESHOLD", "LINK_COLUMNS", "REVIEW_FROM", "LinkResult", "decide", "link", "nhs_number_links",
           "prepare", "probabilistic_candidates"]

#: Match weight from which a probabilistic match is linked: log2(99), a match probability of 0.99 (posterior odds
#: of 99 to 1 that the record is the person, the prior being estimated from the data). Chosen before scoring, not
#: fitted to the synthetic truth; the report shows precision and recall at every threshold so a partnership can
#: choose its own (``--threshold``).
DEFAULT_THRESHOLD = 6.63
#: Matches from this weight (a match probability of 0.5) up to the threshold go to the clerical review queue.
REVIEW_FROM = 0.0
#: A best candidate is only linked when the next-best person is at least this much weaker (twins, siblings).
MARGIN = 5.0
#: An NHS-number match whose other fields alone give a weight below this goes to review, not to the links.
CONTRADICTED = 0.0

Progress = Callable[[str, float], None]


@dataclass
class LinkResult:
    """What :func:`link` made and wrote."""

    out_dir: Path
    links: pl.DataFrame
    review: pl.DataFrame
    problems: pl.DataFrame
    n_records: int
    n_kept_out: int
    threshold: float
    quality: dict[str, Any] | None = None
    model: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


def _fold(col: str) -> pl.Expr:
    """Lower case letters only (accents folded, apostrophes and hyphens dropped): "O’Brien-Smith" -> "obriensmith"."""
    return (pl.col(col).str.normalize("NFKD").str.replace_all(r"[^A-Za-z]", "").str.to_lowercase()
            .replace("", None))


def prepare(frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """The compared fields, normalised, with ``unique_id`` (what splink calls a record's key)."""
    return frame.select(
        pl.col(id_column).cast(pl.String).alias("unique_id"),
        _fold("first_name").alias("first_name"),
        _fold("last_name").alias("last_name"),
        pl.col("dob").cast(pl.Date).cast(pl.String).alias("dob"),
        pl.col("sex").cast(pl.String).alias("sex"),
        pl.col("postcode").cast(pl.String).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "").replace("", None)
        .alias("postcode"),
        pl.col("nhs_number").cast(pl.String).alias("nhs_number"),
        pl.col("upn").cast(pl.String).alias("upn"),
    )


def nhs_number_links(records: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Partner records whose (valid, normalised) NHS number is a person's: ``record_key, person_id``."""
    people_nhs = people.select(pl.col("nhs_number").alias("_nhs"), pl.col("unique_id").alias("person_id")).filter(
        pl.col("_nhs").is_not_null()).unique("_nhs", keep="first")
    return records.filter(pl.col("nhs_number").is_not_null()).join(
        people_nhs, left_on="nhs_number", right_on="_nhs", how="inner").select(
        pl.col("unique_id").alias("record_key"), "person_id")


def probabilistic_candidates(records: pl.DataFrame, people: pl.DataFrame, *, backend: str = "duckdb",
                             seed: int = 42, progress: Progress | None = None,
                             spark: Any = None) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Scored candidate pairs ``record_key, person_id, match_weight, match_probability`` and the splink model."""
    from careflow.share._splink import score_pairs

    return score_pairs(records, people, backend=backend, seed=seed, progress=progress, spark=spark)


def decide(deterministic: pl.DataFrame, candidates: pl.DataFrame, threshold: float, review_from: float = REVIEW_FROM,
           margin: float = MARGIN) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Links (one person at most per partner record) and the review queue, keyed by ``record_key``.

    - An NHS-number match is linked (method ``nhs_number``) unless the other fields (names, date of birth, sex,
      postcode) weigh against it on their own (a relative's number copied by mistake), when it goes to review. (Every
      pair with the same NHS number is a candidate splink scores; one missing from ``candidates`` scored below the
      floor kept, so its other fields are against it too.)
    - Otherwise the record's best-scored person is linked (``probabilistic``) at or above ``threshold`` when the
      second-best person is at least ``margin`` weaker; in ``[review_from, threshold)``, or when two
      people are that close, the pair goes to review.
    """
    schema = {"record_key": pl.String, "person_id": pl.String, "match_weight": pl.Float64,
              "match_probability": pl.Float64, "method": pl.String}
    if candidates.height:
        ranked = candidates.sort(["record_key", "match_weight"], descending=[False, True]).with_columns(
            pl.col("match_weight").shift(-1).over("record_key").alias("_second"),
            pl.int_range(pl.len()).over("record_key").alias("_rank"))
        best = ranked.filter(pl.col("_rank") == 0).drop("_rank")
    else:
        best = pl.DataFrame(schema={**{k: schema[k] for k in ("record_key", "person_id", "match_weight",
                                                                 "match_probability")}, "_second": pl.Float64})
    det = deterministic.join(candidates.select("record_key", "person_id", "match_weight", "match_probability",
                                               "weight_without_identifiers"),
                             on=["record_key", "person_id"], how="left")
    contradicted = det.filter(pl.col("weight_without_identifiers").is_null()
                              | (pl.col("weight_without_identifiers") < CONTRADICTED))
    nhs_links = det.join(contradicted.select("record_key"), on="record_key", how="anti").select(
        "record_key", "person_id", "match_weight", "match_probability", pl.lit("nhs_number").alias("method"))
    rest = best.join(deterministic.select("record_key"), on="record_key", how="anti")
    close = pl.col("_second").is_not_null() & (pl.col("match_weight") - pl.col("_second") < margin)
    prob_links = rest.filter((pl.col("match_weight") >= threshold) & ~close).select(
        "record_key", "person_id", "match_weight", "match_probability", pl.lit("probabilistic").alias("method"))
    review = pl.concat([
        rest.filter((pl.col("match_weight") >= min(review_from, threshold))
                    & ~((pl.col("match_weight") >= threshold) & ~close))
        .select("record_key", "person_id", "match_weight", "match_probability",
                pl.when(close).then(pl.lit("another person scores nearly as high"))
                .otherwise(pl.lit("match weight in the uncertain band")).alias("reason")),
        contradicted.select("record_key", "person_id", pl.col("match_weight").fill_null(_splink.FLOOR_WEIGHT),
                            pl.col("match_probability").fill_null(_probability(_splink.FLOOR_WEIGHT)),
                            pl.lit("NHS numbers agree but the other fields disagree").alias("reason")),
    ])
    links = pl.concat([nhs_links.cast(schema), prob_links.cast(schema)])  # type: ignore[arg-type]
    return links, review


def _probability(weight: float) -> float:
    return 1.0 if math.isinf(weight) else 1 / (1 + 2 ** -weight)


def link(people: pl.DataFrame, partner_dir: Path, out_dir: Path, *, mapping: Path | None = None,
         backend: str = "duckdb", threshold: float | None = None, progress: bool | Progress = True,
         seed: int = 42, spark: Any = None, people_problems: list[dict[str, Any]] | None = None) -> LinkResult:
    """Link the partner files in ``partner_dir`` to ``people`` and write the results to ``out_dir``.

    Args:
        people: one row per person (``person_id, first_name, last_name, dob, sex, postcode, nhs_number, upn``;
            see :func:`careflow.synth.partners.make_people`).
        partner_dir: the agencies' files (and ``truth.csv`` when scoring synthetic data).
        out_dir: where the files are written (created).
        mapping: the column mapping (default: the synthetic partner files').
        backend: ``"duckdb"`` (one machine) or ``"spark"`` (pass a SparkSession as ``spark``).
        threshold: the match weight from which a probabilistic match is linked (default
            :data:`DEFAULT_THRESHOLD`).
        progress: True for a rich progress bar, a callback ``(step, fraction)``, or False.
        seed: the seed of splink's random sampling (u estimation), so a run can be repeated.
        spark: a SparkSession, for ``backend="spark"``.
        people_problems: problems found reading ``people`` (see :func:`read_people`), written to problems.csv first.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if progress is True:
        return _with_progress_bar(people, partner_dir, out_dir, mapping=mapping, backend=backend,
                                  threshold=threshold, seed=seed, spark=spark, people_problems=people_problems)
    report: Progress = progress if callable(progress) else (lambda step, fraction: None)

    report("reading the partner files", 0.02)
    read = read_partner_files(Path(partner_dir), mapping)
    read.problems[:0] = list(people_problems or [])
    records = read.records.with_columns(
        (pl.col("agency") + "|" + pl.col("source_record_id").fill_null("")).alias("record_key"))
    usable = records.filter(pl.col("usable"))
    people_prepared = prepare(people, "person_id")
    records_prepared = prepare(usable, "record_key")
    report("matching NHS numbers", 0.1)
    deterministic = nhs_number_links(records_prepared, people_prepared)
    report("estimating the linkage model", 0.15)
    candidates, model = probabilistic_candidates(
        records_prepared, people_prepared, backend=backend, seed=seed, spark=spark,
        progress=lambda step, f: report(step, 0.15 + 0.7 * f))
    report("choosing links", 0.88)
    links, review = decide(deterministic, candidates, threshold)
    result = _write(out_dir, people, read, records, records_prepared, deterministic, candidates, links, review,
                    threshold, model, Path(partner_dir))
    report("done", 1.0)
    return result


def _with_progress_bar(people: pl.DataFrame, partner_dir: Path, out_dir: Path, **kwargs: Any) -> LinkResult:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=False) as bar:
        task = bar.add_task("linking", total=1.0)

        def update(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=f"linking: {step}")

        return link(people, partner_dir, out_dir, progress=update, **kwargs)


def _split_key(frame: pl.DataFrame) -> pl.DataFrame:
    parts = pl.col("record_key").str.split_exact("|", 1)
    return frame.with_columns(parts.struct.field("field_0").alias("agency"),
                              parts.struct.field("field_1").alias("source_record_id"))


def _write(out_dir: Path, people: pl.DataFrame, read: PartnerRead, records: pl.DataFrame,
           records_prepared: pl.DataFrame, deterministic: pl.DataFrame, candidates: pl.DataFrame,
           links: pl.DataFrame, review: pl.DataFrame, threshold: float, model: dict[str, Any],
           partner_dir: Path) -> LinkResult:
    files: dict[str, Path] = {}
    links_out = _split_key(links).select(LINK_COLUMNS).sort("agency", "source_record_id")
    links_out.with_columns(pl.col("match_weight").round(3), pl.col("match_probability").round(6)).write_csv(
        out_dir / "links.csv")
    files["links"] = out_dir / "links.csv"
    compared_people = prepare(people, "person_id").rename({c: f"{c}_person" for c in COMPARED})
    compared_records = records_prepared.rename({c: f"{c}_record" for c in COMPARED})
    review_out = _split_key(review).join(compared_records, left_on="record_key", right_on="unique_id", how="left") \
        .join(compared_people, left_on="person_id", right_on="unique_id", how="left") \
        .with_columns(pl.lit("clerical").alias("method")) \
        .select(*LINK_COLUMNS, "reason", *[f"{c}_{side}" for c in COMPARED for side in ("record", "person")]) \
        .sort("match_weight", descending=True)
    review_out.with_columns(pl.col("match_weight").round(3), pl.col("match_probability").round(6)).write_csv(
        out_dir / "review_queue.csv")
    files["review_queue"] = out_dir / "review_queue.csv"
    contacts = records.filter(pl.col("usable")).select(
        "agency", "source_record_id", pl.col("event_date").cast(pl.String), *CONTACT_COLUMNS[3:])
    contacts.write_csv(out_dir / "contacts.csv")
    files["contacts"] = out_dir / "contacts.csv"
    problems = read.problems_frame().select("file", "row", "field", "problem", "value_shown")
    problems.write_csv(out_dir / "problems.csv")
    files["problems"] = out_dir / "problems.csv"
    (out_dir / "model.json").write_text(json.dumps(model, indent=1, default=str), encoding="utf-8")
    files["model"] = out_dir / "model.json"

    quality: dict[str, Any] | None = None
    curve: list[dict[str, float]] = []
    truth_path = partner_dir / "truth.csv"
    if truth_path.exists():
        from careflow.share.quality import scores, scores_by_threshold

        truth = pl.read_csv(truth_path, infer_schema=False).with_columns(pl.col("person_id").fill_null(""))
        person_ids = people["person_id"].cast(pl.String)
        quality = {"threshold": threshold, **scores(links_out, truth, person_ids)}
        nhs_only = _split_key(deterministic).select("agency", "source_record_id", "person_id")
        quality["nhs_number_only"] = scores(nhs_only, truth, person_ids)
        quality["review_queue"] = review_out.height
        quality["kept_out_as_bad_input"] = records.height - records.filter(pl.col("usable")).height
        best = _best_candidates(deterministic, candidates)
        weights = sorted({round(w, 1) for w in [threshold - 12 + 0.5 * i for i in range(49)]})
        curve = scores_by_threshold(_split_key(best), truth, person_ids, weights)
        (out_dir / "quality.json").write_text(json.dumps(quality, indent=1), encoding="utf-8")
        files["quality"] = out_dir / "quality.json"
    from careflow.share.report import write_report

    files["report"] = write_report(out_dir / "report.html", links=links_out, review=review_out, problems=problems,
                                   candidates=candidates, threshold=threshold, review_from=REVIEW_FROM,
                                   quality=quality, curve=curve, model=model, n_records=records.height)
    return LinkResult(out_dir, links_out, review_out, problems, records.height,
                      records.height - records.filter(pl.col("usable")).height, threshold, quality, model, files)


def _best_candidates(deterministic: pl.DataFrame, candidates: pl.DataFrame) -> pl.DataFrame:
    """Each record's best person (NHS-number matches first, at an infinite weight), for the threshold curve."""
    det = deterministic.with_columns(pl.lit(float("inf")).alias("match_weight"))
    best = candidates.sort("match_weight", descending=True).unique("record_key", keep="first").join(
        det.select("record_key"), on="record_key", how="anti").select("record_key", "person_id", "match_weight")
    return pl.concat([det.select("record_key", "person_id", "match_weight"), best])
