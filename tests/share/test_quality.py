"""Precision, recall and F1 against the truth, overall, by agency and by threshold."""

from __future__ import annotations

import polars as pl
import pytest

from careflow.share.quality import scores, scores_by_threshold

TRUTH = pl.DataFrame({"agency": ["police", "police", "police", "health", "health"],
                      "source_record_id": ["a", "b", "c", "d", "e"],
                      "person_id": ["P1", "P2", None, "P3", "P4"]})
PEOPLE = pl.Series(["P1", "P2", "P3", "P4"])


def test_scores_count_right_wrong_and_missed_links() -> None:
    links = pl.DataFrame({"agency": ["police", "police", "health"], "source_record_id": ["a", "c", "d"],
                          "person_id": ["P1", "P2", "P3"]})  # c is an outsider linked wrongly; b and e are missed
    s = scores(links, TRUTH, PEOPLE)
    assert (s["linked"], s["correct"], s["n"]) == (3, 2, 4)
    assert s["precision"] == pytest.approx(2 / 3, abs=1e-5) and s["recall"] == 0.5
    assert s["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), abs=1e-5)
    assert s["by_agency"]["police"]["precision"] == 0.5 and s["by_agency"]["health"]["recall"] == 0.5


def test_the_threshold_curve_agrees_with_scoring_the_cut_links() -> None:
    best = pl.DataFrame({"agency": ["police", "police", "police", "health", "health"],
                         "source_record_id": ["a", "b", "c", "d", "e"], "person_id": ["P1", "P1", "P2", "P3", "P4"],
                         "match_weight": [float("inf"), 9.0, 2.0, 7.0, -1.0]})
    for point in scores_by_threshold(best, TRUTH, PEOPLE, [-2.0, 0.0, 5.0, 8.0, 20.0]):
        cut = scores(best.filter(pl.col("match_weight") >= point["threshold"]), TRUTH, PEOPLE)
        assert (point["precision"], point["recall"], point["f1"]) == (cut["precision"], cut["recall"], cut["f1"])
