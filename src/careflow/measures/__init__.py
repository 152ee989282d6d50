"""The scorecard: the National Children's Social Care Framework's indicators for every local authority.

Indicators are data (``definitions/*.yaml``): each names the Framework objective it serves
(001_8bebe4ae25a58006.txt:3468-3483), its numerator and denominator in terms of canonical tables and of
published counts, its period, direction and reference. The same definition runs on

* published statistics for every LA, 2010-2022 as shipped and any later years imported with ``careflow data
  import`` (:func:`published_figures`), matching DfE's own figure where DfE publishes the measure;
* canonical tables — an LA's SSDA903 and CIN census returns, the case record's export or a synthetic LA
  (:func:`figures_from_tables`).

Figures are for populations, for learning and not for targets (001_8bebe4ae25a58006.txt:3488-3494): careflow
never ranks authorities; it compares each with its statistical neighbours, its region and England, and shows
funnel plots whose control limits keep small authorities from being over-read.
"""

from careflow.measures._definitions import (
    DefinitionError,
    Indicator,
    Objective,
    indicator,
    indicators,
    objectives,
)
from careflow.measures.canonical import compute as figures_from_tables
from careflow.measures.canonical import from_synthetic as figures_from_synthetic
from careflow.measures.published import (
    STATUSES,
    Area,
    AreaNotFoundError,
    areas,
    find_area,
)
from careflow.measures.published import compute as published_figures

__all__ = [
    "STATUSES",
    "Area",
    "AreaNotFoundError",
    "DefinitionError",
    "Indicator",
    "Objective",
    "areas",
    "cli_main",
    "figures_from_synthetic",
    "figures_from_tables",
    "find_area",
    "indicator",
    "indicators",
    "objectives",
    "published_figures",
]


def __getattr__(name: str) -> object:
    # the CLI entry point loads on first use, so `python -m careflow.measures.cli` runs cleanly
    if name == "cli_main":
        from careflow.measures.cli import cli_main

        return cli_main
    raise AttributeError(f"module 'careflow.measures' has no attribute {name!r}")
