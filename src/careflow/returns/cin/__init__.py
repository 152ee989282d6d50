"""The CIN census (children in need census) XML return: read it, write it, and its XSD per collection year.

Collection years are named by the year ending 31 March (2026 is 2025-26); careflow holds the layouts of
2021-22 to 2025-26. Each year's XSD under ``xsd/`` is careflow's rendering of the DfE specification, generated
from ``_layout.py`` and :mod:`careflow.codes` by ``python -m careflow.returns.cin.xsd_build``.

Example:
    >>> from careflow.returns.cin import YEARS, xsd_path
    >>> xsd_path(2024).name, YEARS[-1]
    ('cin_census_2023-24.xsd', 2026)
"""

from careflow.returns.cin._layout import YEARS, layout, xsd_path
from careflow.returns.cin._read import CIN_TABLES, element_path, read_cin_census
from careflow.returns.cin._write import write_cin_census
from careflow.returns.cin._year import census_year

__all__ = ["CIN_TABLES", "YEARS", "census_year", "element_path", "layout", "read_cin_census", "write_cin_census",
           "xsd_path"]
