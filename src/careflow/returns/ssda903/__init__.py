"""SSDA903 (children looked after) returns: read CSV tables or XML into canonical tables, and write them back.

The SSDA903 field names (``DECOM``, ``RNE``, ``PL``…) are mapped to canonical columns here and nowhere else.

Example:
    >>> from careflow.returns.ssda903 import read_ssda903, write_ssda903
    >>> result = read_ssda903("returns/2024-25/", year=2025)  # doctest: +SKIP
    >>> for issue in result.issues[:3]:  # doctest: +SKIP
    ...     print(issue)
    episodes.csv row 214, DECOM: '31/13/2024' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024).
    >>> write_ssda903(result.data, "out/")  # doctest: +SKIP
    [PosixPath('out/header.csv'), PosixPath('out/episodes.csv'), ...]
"""

from careflow.returns.ssda903._layout import LAYOUTS, Field, Layout
from careflow.returns.ssda903._read import read_ssda903, recognise
from careflow.returns.ssda903._write import write_ssda903

__all__ = ["LAYOUTS", "Field", "Layout", "read_ssda903", "recognise", "write_ssda903"]
