"""The linkage decisions (NHS number, threshold, review band, twins) and their independence from record order."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from careflow.share.link import DEFAULT_THRESHOLD, decide, link, nhs_number_links, prepare
from careflow.synth.partners import make_partner_data, make_people

CANDIDATE_SCHEMA = {"record_key": pl.String, "person_id": pl.String, "match_weight": pl.Float64,
                    "match_probability": pl.Float64, "weight_without_identifiers": pl.Float64}


def _candidates(rows: list[tuple[str, str, float, float]]) -> pl.DataFrame:
    return pl.DataFrame([(r, p, w, 1 / (1 + 2 ** -w), wi) for r, p, w, wi in rows], schema=CANDIDATE_SCHEMA,
                        orient="row")


def test_decisions() -> None:
    candidates = _candidates([
        ("twin", "P1", 14.0, 14.0), ("twin", "P2", 11.0, 11.0),  # two people nearly as likely: review
        ("relative", "P3", 3.0, -11.0),  # same NHS number, everything else against it: review
        ("nhs", "P5", 30.0, 15.0),  # same NHS number, corroborated: link
        ("uncertain", "P6", 5.0, 5.0), ("weak", "P7", -1.0, -1.0), ("strong", "P8", 8.0, 8.0),
        ("strong", "P9", 1.0, 1.0),
    ])
    deterministic = pl.DataFrame({"record_key": ["relative", "nhs", "below_floor"],
                                  "person_id": ["P3", "P5", "P4"]})
    links, review = decide(deterministic, candidates, DEFAULT_THRESHOLD)
    assert sorted(links.select("record_key", "person_id", "method").rows()) == [
        ("nhs", "P5", "nhs_number"), ("strong", "P8", "probabilistic")]
    reasons = dict(review.select("record_key", "reason").rows())
    assert reasons == {"twin": "another person scores nearly as high",
                       "relative": "NHS numbers agree but the other fields disagree",
                       "below_floor": "NHS numbers agree but the other fields disagree",
                       "uncertain": "match weight in the uncertain band"}


def test_a_higher_threshold_moves_links_to_review() -> None:
    candidates = _candidates([("a", "P1", 8.0, 8.0)])
    none = pl.DataFrame(schema={"record_key": pl.String, "person_id": pl.String})
    assert decide(none, candidates, 6.63)[0].height == 1
    links, review = decide(none, candidates, 9.0)
    assert links.height == 0 and review.height == 1


def test_nhs_number_links_use_only_valid_numbers() -> None:
    people = prepare(pl.DataFrame({"person_id": ["P1", "P2"], "first_name": ["Amy", "Bo"], "last_name": ["X", "Y"],
                                   "dob": [dt.date(2015, 1, 1)] * 2, "sex": ["F", "M"], "postcode": ["TW9 1AB"] * 2,
                                   "nhs_number": ["9434765919", None], "upn": [None, None]}), "person_id")
    records = people.with_columns(pl.Series("unique_id", ["r1", "r2"]))
    assert nhs_number_links(records, people).rows() == [("r1", "P1")]


@pytest.mark.slow
def test_linkage_does_not_depend_on_the_order_of_the_records(tmp_path: Path) -> None:
    people = make_people(150, seed=21)
    partners = make_partner_data(people, seed=21, out_dir=tmp_path / "partners", start=dt.date(2025, 4, 1),
                                 end=dt.date(2026, 3, 31))
    first = link(people, partners, tmp_path / "first", progress=False)
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    rng = random.Random(4)
    for path in partners.rglob("*.csv"):
        target = shuffled / path.relative_to(partners)
        target.parent.mkdir(parents=True, exist_ok=True)
        encoding = "cp1252" if path.name == "exclusions.csv" else "utf-8"
        lines = path.read_text(encoding=encoding).splitlines(keepends=True)
        body = lines[1:]
        rng.shuffle(body)
        target.write_text("".join([lines[0], *body]), encoding=encoding)
    second = link(people.sample(fraction=1.0, shuffle=True, seed=3), shuffled, tmp_path / "second", progress=False)
    key = ["agency", "source_record_id", "person_id", "method"]
    assert first.links.select(key).sort(key).equals(second.links.select(key).sort(key))
    assert first.review.height == second.review.height
