"""NHS number (modulus 11) and UPN (check letter)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from careflow.record.identifiers import nhs_number_problem, upn_check_letter, upn_problem


def test_nhs_numbers() -> None:
    assert nhs_number_problem("943 476 5919") is None
    assert nhs_number_problem("943-476-5919") is None
    assert "check digit" in (nhs_number_problem("9434765918") or "")
    assert "not 10 digits" in (nhs_number_problem("94347659") or "")
    assert "no check digit" in (nhs_number_problem("1000000010") or "")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_final_digit_is_valid_or_none(first_nine: str) -> None:
    valid = [d for d in "0123456789" if nhs_number_problem(first_nine + d) is None]
    assert len(valid) <= 1


def test_upn() -> None:
    body = "823456789012"
    good = upn_check_letter("X" + body) + body
    assert upn_problem(good) is None
    wrong = ("A" if good[0] != "A" else "B") + body
    assert "check letter" in (upn_problem(wrong) or "")
    assert "13 characters" in (upn_problem("123") or "")
