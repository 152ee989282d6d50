"""Checks of the identifiers a child's record carries: NHS number and unique pupil number (UPN).

Example:
    >>> nhs_number_problem("9434765919") is None
    True
    >>> nhs_number_problem("9434765918")
    'NHS number 9434765918 fails its modulus-11 check digit (expected final digit 9); check it was copied correctly'
    >>> upn_problem("Q823456789012") is None
    True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_nhs_number", "nhs_number_problem", "upn_check_letter", "upn_problem"]

_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE's 23 check letters (no I, O, S)
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_UPN_UNKNOWN = re.compile(r"^UN[1-5]$")


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script (Arabic-Indic, fullwidth ...) as its ASCII digit, and
    fullwidth letters as ASCII letters (NFKC), so one number is stored and compared one way only."""
    out = []
    for char in unicodedata.normalize("NFKC", text):
        value = unicodedata.decimal(char, None)
        out.append(str(value) if value is not None else char)
    return "".join(out)


def clean_nhs_number(text: str) -> str:
    """ASCII digits only: any script's digits become ASCII, and the spaces and dashes people write
    (``943 476 5919``, ``943-476-5919``) are dropped."""
    return "".join(c for c in ascii_digits(text)
                   if not (c.isspace() or unicodedata.category(c) == "Pd"))


def nhs_number_problem(text: str) -> str | None:
    """None if ``text`` is a valid NHS number; otherwise what is wrong with it.

    The check digit: weights 10 to 2 on the first nine digits; 11 minus the sum modulo 11 is the tenth digit
    (11 counts as 0, and 10 means the number is not valid).
    """
    digits = clean_nhs_number(text)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return f"NHS number {text!r} is not 10 digits (e.g. 943 476 5919)"
    if len(set(digits)) == 1:
        return f"NHS number {digits} is a placeholder (one digit repeated), not a number the NHS issues"
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return f"NHS number {digits} cannot be valid: its first nine digits give no check digit"
    if check != int(digits[9]):
        return (
            f"NHS number {digits} fails its modulus-11 check digit (expected final digit {check}); "
            "check it was copied correctly"
        )
    return None


def upn_check_letter(upn: str) -> str:
    """The check letter of a UPN: characters 2-13 weighted 2 to 13, the sum modulo 23 picks the letter."""
    total = 0
    for weight, char in zip(range(2, 14), upn[1:13], strict=True):
        value = int(char) if char.isdigit() else _UPN_LETTERS.index(char)
        total += value * weight
    return _UPN_LETTERS[total % 23]


def upn_problem(text: str) -> str | None:
    """None if ``text`` is a well-formed UPN with the right check letter, or the SSDA903 code saying why the UPN is
    not known (UN1-UN5, as the SSDA903's UPN field carries it); otherwise what is wrong."""
    upn = ascii_digits(text).strip().upper()
    if _UPN_UNKNOWN.match(upn):
        return None
    if not _UPN.match(upn):
        return f"UPN {text!r} is not a letter, 11 digits and a digit or letter (13 characters, e.g. Q823456789012)"
    if upn[12].isalpha() and upn[12] not in _UPN_LETTERS:
        return f"UPN {upn}: a temporary UPN ends with one of {_UPN_LETTERS}"
    expected = upn_check_letter(upn)
    if upn[0] != expected:
        return f"UPN {upn} fails its check letter (expected {expected}); check it was copied correctly"
    return None
