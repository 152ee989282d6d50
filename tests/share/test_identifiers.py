"""NHS numbers and UPNs as linkage compares them: validated (modulus 11, check letter) and normalised."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from careflow.share.identifiers import nhs_number_expr, nhs_number_problem, normalise_nhs_number, normalise_upn
from careflow.synth.partners import nhs_check_digit


def test_normalise_nhs_number() -> None:
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"
    assert normalise_nhs_number("٩٤٣٤٧٦٥٩١٩") == "9434765919"  # Arabic-Indic digits
    assert normalise_nhs_number("9434765918") is None
    assert normalise_nhs_number("") is None and normalise_nhs_number(None) is None
    assert normalise_nhs_number("0000000000") is None


def test_normalise_upn() -> None:
    assert normalise_upn(" q823456789012 ") == "Q823456789012"
    assert normalise_upn("A823456789012") is None
    assert normalise_upn("UN1") is None


@given(st.text(alphabet="0123456789 -", min_size=0, max_size=14))
def test_the_column_rule_agrees_with_the_record_rule(text: str) -> None:
    """The vectorised check (millions of rows) says what careflow.record's check says, value by value."""
    column = pl.DataFrame({"n": [text]}).select(nhs_number_expr("n")).item()
    expected = None if nhs_number_problem(text) else "".join(c for c in text if c.isdigit())
    assert column == expected


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_generated_check_digits_pass_the_check(first_nine: str) -> None:
    check = nhs_check_digit(first_nine)
    if check is None:
        assert all(nhs_number_problem(first_nine + str(d)) for d in range(10))
    elif len(set(first_nine + str(check))) > 1:
        assert nhs_number_problem(first_nine + str(check)) is None
