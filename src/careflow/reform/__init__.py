"""careflow.reform: a transparent, rerunnable national reform model of children's social care.

It reproduces the Independent Review's counterfactual and cost-benefit case (001_8bebe4ae25a58006.txt:3925-4062)
from published statistics and cited, dated parameters, and lets anyone change the assumptions and see the
uncertainty. No child-level data.

>>> from careflow import reform
>>> r = reform.run()                      # the Review's package for England
>>> round(float(r.total[0, -1]))          # year 10 (2032-33), £m  # doctest: +SKIP
1400
"""

from careflow.reform.cli import cli_main
from careflow.reform.errors import (
    LeverOverlapError,
    ParameterError,
    ReformError,
    UnknownAreaError,
    UnknownNameError,
)
from careflow.reform.levers import Lever, load_levers, load_system_parameters
from careflow.reform.model import ReformRun, run
from careflow.reform.package import Package, load_package, review_package
from careflow.reform.pathway import JourneyCost, price_journey
from careflow.reform.sensitivity import monte_carlo_summary, tornado
from careflow.reform.series import Area, load_series, resolve_area
from careflow.reform.stockflow import (
    fit_stock_flow,
    la_counterfactuals,
    project_stock_flow,
    review_counterfactual,
)

__all__ = [
    "Area",
    "JourneyCost",
    "Lever",
    "LeverOverlapError",
    "Package",
    "ParameterError",
    "ReformError",
    "ReformRun",
    "UnknownAreaError",
    "UnknownNameError",
    "cli_main",
    "fit_stock_flow",
    "la_counterfactuals",
    "load_levers",
    "load_package",
    "load_series",
    "load_system_parameters",
    "monte_carlo_summary",
    "price_journey",
    "project_stock_flow",
    "resolve_area",
    "review_counterfactual",
    "review_package",
    "run",
    "tornado",
]
