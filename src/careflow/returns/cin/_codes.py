"""The CIN code lists careflow.codes holds, read defensively while that package is young."""

from __future__ import annotations

from functools import cache

__all__ = ["cin_codes", "explain"]


@cache
def cin_codes(name: str, year: int) -> dict[str, str] | None:
    """The codes of CIN list ``name`` in collection year ``year``, code → label, or None if careflow.codes
    does not hold that list for that year (or is not installed).

    Example:
        >>> codes = cin_codes("primary_need", 2024)
        >>> codes is None or "N1" in codes
        True
    """
    try:
        from careflow import codes
        from careflow.errors import CareflowError
    except ImportError:
        return None
    try:
        found = codes.code_list(name, year, collection="cin")
    except (CareflowError, KeyError, LookupError):
        return None
    return {code: entry.label for code, entry in found.codes.items()}


def explain(name: str, value: str, year: int) -> str | None:
    """None if ``value`` is valid in CIN list ``name`` in ``year``, else why not (None too if unknowable)."""
    if cin_codes(name, year) is None:
        return None
    from careflow import codes

    return codes.explain(name, value, year, collection="cin")
