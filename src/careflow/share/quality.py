"""How good the links are, against the truth the synthetic partner data keeps aside (``truth.csv``).

Precision: of the partner records linked, the share linked to the right person. Recall: of the partner records
that are about someone in ``people``, the share linked to the right person (records in the review queue, or kept
out as bad input, count as not linked). F1: their harmonic mean. Overall and by agency.
"""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["scores", "scores_by_threshold"]


def _prf(correct: int, linked: int, relevant: int) -> dict[str, float | int]:
    precision = correct / linked if linked else 1.0
    recall = correct / relevant if relevant else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5), "n": relevant,
            "linked": linked, "correct": correct}


def scores(links: pl.DataFrame, truth: pl.DataFrame, person_ids: pl.Series) -> dict[str, Any]:
    """``{precision, recall, f1, n, linked, correct, by_agency: {agency: {...}}}``.

    ``links`` and ``truth`` have ``agency, source_record_id, person_id``; ``truth.person_id`` is empty for a record
    about someone not in ``people``; ``person_ids`` are the people linked to.
    """
    known = set(person_ids.cast(pl.String).to_list())
    truth = truth.select("agency", "source_record_id", pl.col("person_id").cast(pl.String).fill_null("")
                         .alias("true_person_id"))
    joined = links.select("agency", "source_record_id", pl.col("person_id").cast(pl.String)).join(
        truth, on=["agency", "source_record_id"], how="left")
    relevant = truth.filter(pl.col("true_person_id").is_in(list(known)))

    def one(j: pl.DataFrame, r: pl.DataFrame) -> dict[str, float | int]:
        correct = j.filter(pl.col("person_id") == pl.col("true_person_id")).height
        return _prf(correct, j.height, r.height)

    out: dict[str, Any] = dict(one(joined, relevant))
    out["by_agency"] = {
        agency: one(joined.filter(pl.col("agency") == agency), relevant.filter(pl.col("agency") == agency))
        for agency in sorted(truth["agency"].unique().to_list())}
    return out


def scores_by_threshold(candidates: pl.DataFrame, truth: pl.DataFrame, person_ids: pl.Series,
                        thresholds: list[float]) -> list[dict[str, float]]:
    """Precision and recall were the links cut at each match weight in ``thresholds`` (overall).

    ``candidates``: each partner record's best candidate (``agency, source_record_id, person_id, match_weight``);
    deterministic links carry an infinite weight. Joined to the truth once, then counted at each threshold.
    """
    known = set(person_ids.cast(pl.String).to_list())
    truth = truth.select("agency", "source_record_id", pl.col("person_id").cast(pl.String).fill_null("")
                         .alias("true_person_id"))
    relevant = truth.filter(pl.col("true_person_id").is_in(list(known))).height
    joined = candidates.select("agency", "source_record_id", pl.col("person_id").cast(pl.String), "match_weight").join(
        truth, on=["agency", "source_record_id"], how="left").with_columns(
        (pl.col("person_id") == pl.col("true_person_id")).fill_null(False).alias("correct"))
    weights = joined["match_weight"].to_numpy()
    correct = joined["correct"].to_numpy()
    out = []
    for t in thresholds:
        kept = weights >= t
        s = _prf(int((correct & kept).sum()), int(kept.sum()), relevant)
        out.append({"threshold": t, "precision": s["precision"], "recall": s["recall"], "f1": s["f1"]})
    return out
