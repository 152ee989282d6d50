"""The CSJ's costed journey ('Josh', 000_dab62616b6dfd7b9.txt:574-600) and any other journey."""

from __future__ import annotations

import pytest

from careflow.reform import ParameterError, UnknownNameError, price_journey

# Table 1 (000_dab62616b6dfd7b9.txt:590-600): ages 8-17.
TABLE_1_CUMULATIVE = [457, 457, 457, 981, 981, 11605, 76567, 203390, 524082, 848986]
TABLE_1_ROWS = {
    "assessment": [457, 0, 0, 524, 0, 524, 524, 0, 0, 0],
    "child_in_need": [0, 0, 0, 0, 0, 10100, 0, 0, 0, 0],
    "public_law_outline": [0, 0, 0, 0, 0, 0, 2238, 0, 0, 0],
    "looked_after": [0, 0, 0, 0, 0, 0, 44600, 44600, 44600, 44600],
    "pupil_referral_unit": [0, 0, 0, 0, 0, 0, 17600, 17600, 17600, 0],
    "residential": [0, 0, 0, 0, 0, 0, 0, 64623, 258492, 258492],
    "leaving_care": [0, 0, 0, 0, 0, 0, 0, 0, 0, 21812],
}


def test_josh_table_1_exactly() -> None:
    cost = price_journey("josh")
    assert cost.ages == list(range(8, 18))
    assert cost.cumulative == TABLE_1_CUMULATIVE
    assert cost.by_service == TABLE_1_ROWS


def test_any_journey() -> None:
    journey = {"name": "Early help instead", "ages": [8, 12],
               "events": [{"service": "assessment", "age": 8}, {"service": "child_in_need", "age": 8, "years": 3}]}
    cost = price_journey(journey)
    assert cost.cumulative == [10557, 20657, 30757, 30757, 30757]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"service": "asessment", "age": 8}, "Did you mean 'assessment'?"),
        ({"service": "assessment", "age": 30}, "outside the journey's ages"),
        ({"service": "residential", "age": 9}, "give 'weeks'"),
        ({"service": "looked_after", "age": 9, "years": 5}, "runs past the last age"),
        ({"service": "looked_after", "age": 9, "years": -1}, "must be a number >= 0"),
    ],
)
def test_bad_journeys(event: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message.replace("?", r"\?").replace("(", r"\(")):
        price_journey({"name": "x", "ages": [8, 10], "events": [event]})


def test_unknown_journey() -> None:
    with pytest.raises(UnknownNameError, match="josh"):
        price_journey("jsoh")
