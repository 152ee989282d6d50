"""The outlook: forecasts of children looked after, starts and ceased for England, each region and each LA.

1-5 years past the latest published year, with 80% and 95% bands, from the method a rolling-origin back-test on
the published history chose for each level and measure (persistence when nothing beats it).

Example:
    >>> from careflow.outlook import run_outlook          # doctest: +SKIP
    >>> result = run_outlook(horizon=3)                    # doctest: +SKIP
    >>> result.frame.filter(pl.col("old_la_code") == "383")  # doctest: +SKIP
"""

from careflow.outlook.backtest import Backtest, choose_methods, run_backtest
from careflow.outlook.forecast import (
    CSV_COLUMNS,
    OutlookAreaNotFoundError,
    OutlookResult,
    find_outlook_area,
    run_outlook,
)
from careflow.outlook.history import History, OutlookArea, load_history

__all__ = [
    "CSV_COLUMNS",
    "Backtest",
    "History",
    "OutlookArea",
    "OutlookAreaNotFoundError",
    "OutlookResult",
    "choose_methods",
    "find_outlook_area",
    "load_history",
    "run_backtest",
    "run_outlook",
]
