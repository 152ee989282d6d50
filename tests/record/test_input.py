"""Input the record refuses or normalises on every database: control characters (422, nothing in the log), NHS
numbers in any script's digits, placeholder numbers, invisible characters in names, validation errors that never
repeat what was sent, and bodies over the limit however they arrive.

Before: a NUL was a 500 on PostgreSQL with the child's details in the server's log; Arabic-Indic and fullwidth
NHS numbers were stored as given and got past the duplicate check; 0000000000 was accepted; a right-to-left
override or zero-width space was accepted in a name; a 422 echoed the request, password included; a chunked body
over the limit was a 400.
"""

from __future__ import annotations

import logging
import random

import pytest

from careflow.record.identifiers import clean_nhs_number, nhs_number_problem

from .conftest import World


def _fresh_nhs_number() -> str:
    """A valid NHS number no other test uses (the databases are shared by the session's tests)."""
    rng = random.Random()
    while True:
        first = "9" + "".join(rng.choice("0123456789") for _ in range(8))
        check = 11 - sum(int(d) * w for d, w in zip(first, range(10, 1, -1), strict=True)) % 11
        if check != 10:
            return first + str(0 if check == 11 else check)


@pytest.mark.parametrize("field, value", [("family_name", "Smith\x00"), ("given_name", "Amy\x1b[31m"),
                                          ("note", "seen at home\x00"), ("given_name", "Amy\x85")])
def test_control_characters_are_refused_without_echo(world: World, field: str, value: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    body = {"given_name": "Amy", "family_name": "Secretname", "date_of_birth": "2016-03-04", "sex": "F",
            "referral_source": "2A", "occurred_on": "2025-04-01", field: value}
    with caplog.at_level(logging.DEBUG):
        answer = world.client("fhw").post("/api/children", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field and "control character" in answer.json()["detail"]
    assert "Secretname" not in answer.text and "Secretname" not in caplog.text


def test_control_characters_in_query_and_form_are_refused(world: World) -> None:
    assert world.client("fhw").get("/api/caseload", params={"user_id": "1\x00"}).status_code == 422
    answer = world.client("fhw").post("/login", data={"username": "a\x00", "password": "x"})
    assert answer.status_code == 422


@pytest.mark.parametrize("name", ["Amy\u202eevil", "A\u200bmy", "\ufeffAmy", "Amy\u2066x\u2069"])
def test_invisible_characters_in_names_are_refused(world: World, name: str) -> None:
    body = {"given_name": name, "family_name": "Jones", "date_of_birth": "2016-03-04", "sex": "F",
            "referral_source": "2A", "occurred_on": "2025-04-01"}
    answer = world.client("fhw").post("/api/children", json=body)
    assert answer.status_code == 422 and answer.json()["field"] == "given_name", answer.text


def test_joiners_stay_where_scripts_need_them(world: World) -> None:
    child = world.new_child(given_name="می\u200cخواهم")  # Persian: the zero-width non-joiner is part of the word
    assert child["id"] > 0


def test_nhs_numbers_in_any_digits_are_one_number(world: World) -> None:
    VALID = _fresh_nhs_number()
    ARABIC_INDIC = VALID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    FULLWIDTH = VALID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert clean_nhs_number(ARABIC_INDIC) == clean_nhs_number(FULLWIDTH) == VALID
    assert nhs_number_problem("０００ ０００ ００００") is not None and nhs_number_problem("0000000000") is not None
    first = world.new_child(nhs_number=FULLWIDTH)
    assert first["nhs_number"] == VALID
    spaced = f"{VALID[:3]} {VALID[3:6]} {VALID[6:]}"
    for variant in (ARABIC_INDIC, VALID, spaced, spaced.replace(" ", "\u2013")):
        body = {"given_name": "Amy", "family_name": "Dup", "date_of_birth": "2016-03-04", "sex": "F",
                "referral_source": "2A", "occurred_on": "2025-04-01", "nhs_number": variant}
        answer = world.client("fhw").post("/api/children", json=body)
        assert answer.status_code == 409 and "already has a record" in answer.text, variant
    body["nhs_number"] = "0000000000"
    answer = world.client("fhw").post("/api/children", json=body)
    assert answer.status_code == 422 and "placeholder" in answer.text


def test_validation_errors_do_not_echo_what_was_sent(world: World) -> None:
    client = world.client("fhw")
    answer = client.post("/api/session", json=["hunter2-my-real-password"])
    assert answer.status_code == 422 and "hunter2" not in answer.text
    answer = client.post("/api/session", json={"username": "", "password": "hunter2-my-real-password"})
    assert answer.status_code == 422 and "hunter2" not in answer.text
    answer = world.client("admin").post("/api/users", json={"username": "BAD NAME", "display_name": "x",
                                                            "role": "analyst", "password": "hunter2-my-real-pw"})
    assert answer.status_code == 422 and "hunter2" not in answer.text


def test_every_body_over_the_limit_is_413(world: World) -> None:
    client = world.client("fhw")
    limit = world.app.state.record.settings.max_body_bytes
    big = b'{"note": "' + b"x" * (limit + 10) + b'"}'

    def chunks() -> object:
        for start in range(0, len(big), 8192):
            yield big[start:start + 8192]

    chunked = client.post("/api/children", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.status_code == 413, chunked.text
    announced = client.post("/api/children", content=big, headers={"content-type": "application/json"})
    assert announced.status_code == 413


def test_deeply_nested_json_is_refused_not_a_500(world: World) -> None:
    body = "[" * 30_000 + "]" * 30_000
    answer = world.client("fhw").post("/api/children", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
