"""The outlook: forecasts for England, each region and each LA, with bands calibrated from the back-test.

Each (level, measure) uses the method the rolling-origin back-test chose (:func:`careflow.outlook.backtest.
choose_methods`). Bands come from the chosen method's back-test errors at the same horizon: for LAs, the
empirical quantiles of the log error within thirds by size; for regions, the empirical quantiles; for England (a
handful of errors per horizon), a Student's t band on the root mean square log error. The coverage the back-test
reports is measured leaving out each origin's own errors from the calibration, so it is an honest figure.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.stats import t as student_t

from careflow.errors import CareflowError
from careflow.outlook.backtest import (
    BAND_QUANTILES,
    ORIGINS,
    SCORED_HORIZONS,
    SIZE_CLASSES,
    Backtest,
    choose_methods,
    inputs_at,
    run_backtest,
)
from careflow.outlook.history import History, OutlookArea, load_history
from careflow.outlook.models import MEASURE_NAMES, forecast_with_fallbacks

__all__ = [
    "CSV_COLUMNS",
    "OutlookAreaNotFoundError",
    "OutlookResult",
    "coverage",
    "find_outlook_area",
    "run_outlook",
]

CSV_COLUMNS = ("area_code", "old_la_code", "area_name", "level", "year", "measure", "value", "lo80", "hi80", "lo95",
               "hi95", "method")
POPULATION_ASSUMPTION = ("the 0-17 population after the last ONS mid-year estimate held is held at that estimate "
                         "(ONS projections are not in the data careflow holds)")


class OutlookAreaNotFoundError(CareflowError, LookupError):
    """No area in the outlook has that name or code; the message suggests the nearest."""


@dataclass(frozen=True)
class OutlookResult:
    """The forecasts (one row per area, year and measure), the back-test they rest on, and what it chose."""

    frame: pl.DataFrame
    history: History
    backtest: Backtest
    scores: pl.DataFrame
    choices: dict[tuple[str, str], str]
    coverage: pl.DataFrame


def _size_cuts(errors: pl.DataFrame) -> dict[str, list[float]]:
    """Cut points of LAs' base values into thirds, by measure."""
    out = {}
    for m in MEASURE_NAMES:
        base = errors.filter((pl.col("level") == "local authority") & (pl.col("measure") == m)
                             & (pl.col("method") == "persistence"))["base"].to_numpy()
        out[m] = list(np.quantile(base, [i / SIZE_CLASSES for i in range(1, SIZE_CLASSES)]))
    return out


def _with_size(frame: pl.DataFrame, cuts: dict[str, list[float]]) -> pl.DataFrame:
    size = pl.lit(0)
    for m, c in cuts.items():
        expr = pl.lit(0)
        for k, cut in enumerate(c):
            expr = pl.when(pl.col("base") > cut).then(pl.lit(k + 1)).otherwise(expr)
        size = pl.when(pl.col("measure") == m).then(expr).otherwise(size)
    return frame.with_columns(
        pl.when(pl.col("level") == "local authority").then(size).otherwise(pl.lit(0)).alias("size_class"))


def calibrate(errors: pl.DataFrame) -> pl.DataFrame:
    """Log-error quantiles by level, measure, method, horizon and size class (``errors`` with ``size_class``).

    England has one error per origin, too few for empirical quantiles: its band is the root mean square log error
    times Student's t with n-1 degrees of freedom (wider than the normal's for so few errors).
    """
    keys = ["level", "measure", "method", "horizon", "size_class"]
    aggs = [(pl.col("log_error") ** 2).mean().sqrt().alias("rms"), pl.len().alias("n_errors")]
    for band, (lo, hi) in BAND_QUANTILES.items():
        aggs += [pl.col("log_error").quantile(lo, "linear").alias(f"q_lo{band}"),
                 pl.col("log_error").quantile(hi, "linear").alias(f"q_hi{band}")]
    out = errors.group_by(keys).agg(*aggs)
    df = np.maximum(out["n_errors"].to_numpy().astype(float) - 1.0, 1.0)
    national = (out["level"] == "national").to_numpy()
    rms = out["rms"].to_numpy()
    cols = []
    for band, (lo, hi) in BAND_QUANTILES.items():
        for side, q in ((f"q_lo{band}", lo), (f"q_hi{band}", hi)):
            parametric = rms * student_t.ppf(q, df)
            cols.append(pl.Series(side, np.where(national, parametric, out[side].to_numpy())))
    out = out.with_columns(cols)
    # Uncertainty does not shrink with the horizon: the longest horizons rest on fewer origins, so their
    # quantiles are held at least as wide as the horizon before.
    group = ["level", "measure", "method", "size_class"]
    widen = []
    for band in BAND_QUANTILES:
        widen += [pl.col(f"q_lo{band}").cum_min().over(group, order_by="horizon"),
                  pl.col(f"q_hi{band}").cum_max().over(group, order_by="horizon")]
    return out.with_columns(widen)


def coverage(backtest: Backtest, choices: dict[tuple[str, str], str]) -> pl.DataFrame:
    """How often the chosen methods' 80% and 95% bands held the outcome, origin by origin, each origin's band
    calibrated on the other origins' errors only (origins 2012-2019, horizons 1-3)."""
    chosen = pl.DataFrame({"level": [k[0] for k in choices], "measure": [k[1] for k in choices],
                           "method": list(choices.values())})
    errors = _with_size(backtest.errors.join(chosen, on=["level", "measure", "method"]), _size_cuts(backtest.errors))
    parts = []
    for origin in ORIGINS:
        cal = calibrate(errors.filter(pl.col("origin") != origin))
        test = errors.filter((pl.col("origin") == origin) & pl.col("horizon").is_in(list(SCORED_HORIZONS)))
        test = test.join(cal, on=["level", "measure", "method", "horizon", "size_class"], how="left")
        parts.append(test.select(
            "level", "measure", "horizon",
            ((pl.col("log_error") >= pl.col("q_lo80")) & (pl.col("log_error") <= pl.col("q_hi80"))).alias("in80"),
            ((pl.col("log_error") >= pl.col("q_lo95")) & (pl.col("log_error") <= pl.col("q_hi95"))).alias("in95"),
        ))
    return (pl.concat(parts).group_by("level", "measure", "horizon")
            .agg((pl.col("in80").mean() * 100).alias("coverage80"), (pl.col("in95").mean() * 100).alias("coverage95"),
                 pl.len().alias("n"))
            .sort("level", "measure", "horizon"))


@functools.cache
def _default_backtest() -> Backtest:
    return run_backtest(load_history())


def run_outlook(horizon: int = 5, history: History | None = None) -> OutlookResult:
    """Forecast every area ``horizon`` (1-5) years past the latest published year, with 80% and 95% bands."""
    if not 1 <= horizon <= 5:
        raise CareflowError(f"horizon {horizon}: the outlook forecasts 1 to 5 years ahead")
    h = history or load_history()
    bt = _default_backtest() if history is None else run_backtest(h)
    scores = bt.scores()
    choices = choose_methods(scores)
    cuts = _size_cuts(bt.errors)
    chosen = pl.DataFrame({"level": [k[0] for k in choices], "measure": [k[1] for k in choices],
                           "method": list(choices.values())})
    cal = calibrate(_with_size(bt.errors.join(chosen, on=["level", "measure", "method"]), cuts))
    origin = h.last_year
    x = inputs_at(h, origin, horizon, population_known_to=int(h.population_years[-1]))
    forecasts, filled = forecast_with_fallbacks(x)
    t = x.values["cla_31_march"].shape[1]
    rows: dict[str, list[object]] = {c: [] for c in (*CSV_COLUMNS, "horizon", "base", "method_label")}
    for i, a in enumerate(h.areas):
        if not np.isfinite(x.values["cla_31_march"][i, t - 1]):
            continue  # the authority no longer reports (e.g. Northamptonshire): its successors are forecast
        for m in MEASURE_NAMES:
            base = x.values[m][i, t - 1]
            if not np.isfinite(base):
                continue  # suppressed in the latest year: no forecast (listed by the CLI)
            method = choices[(a.level, m)]
            label = method
            if filled[method][m][i]:  # e.g. an LA created in 2021 has too little history for the stock-flow
                label = f"{method} (with persistence where its inputs are missing or too short)"
            for k in range(horizon):
                rows["area_code"].append(a.ons_code)
                rows["old_la_code"].append(a.old_la_code)
                rows["area_name"].append(a.display_name)
                rows["level"].append(a.level)
                rows["year"].append(origin + k + 1)
                rows["measure"].append(m)
                rows["value"].append(float(forecasts[method][m][i, k]))
                rows["method"].append(method)
                rows["method_label"].append(label)
                rows["horizon"].append(k + 1)
                rows["base"].append(float(base))
                for c in ("lo80", "hi80", "lo95", "hi95"):
                    rows[c].append(None)
    frame = pl.DataFrame(rows, schema_overrides={"year": pl.Int32, "horizon": pl.Int32, "value": pl.Float64,
                                                  "base": pl.Float64, "lo80": pl.Float64, "hi80": pl.Float64,
                                                  "lo95": pl.Float64, "hi95": pl.Float64})
    frame = _with_size(frame, cuts).join(
        cal, on=["level", "measure", "method", "horizon", "size_class"], how="left")
    bands = []
    for band in BAND_QUANTILES:
        bands += [((pl.col("value") + 1) * pl.col(f"q_lo{band}").exp() - 1).clip(lower_bound=0).alias(f"lo{band}"),
                  ((pl.col("value") + 1) * pl.col(f"q_hi{band}").exp() - 1).alias(f"hi{band}")]
    frame = frame.with_columns(*bands).with_columns(
        [pl.col(c).round(0) for c in ("value", "lo80", "hi80", "lo95", "hi95")]
    ).with_columns(pl.col("method_label").alias("method")).select(CSV_COLUMNS)
    return OutlookResult(frame, h, bt, scores, choices, coverage(bt, choices))


def _fold(text: str) -> str:
    from careflow.measures.published import _fold as fold

    return fold(text)


def find_outlook_area(query: str, history: History | None = None) -> OutlookArea:
    """The area named or coded ``query``: a name, DfE LA number or ONS code, including the codes and names of
    authorities created since the data careflow holds (e.g. 'Cumberland' or E06000063 find Cumbria).

    Raises:
        OutlookAreaNotFoundError: naming the nearest areas.
    """
    h = history or load_history()
    q = query.strip()
    folded = _fold(q)
    current = [a for a in h.areas if np.isfinite(h.values["cla_31_march"][h.index(a.code), -1])]
    for a in current:
        codes = {a.code.upper(), a.ons_code.upper(), a.former_ons_code.upper()}
        codes |= {la.upper() for la, _, _ in a.successors} | {ons.upper() for _, ons, _ in a.successors}
        if q.upper() in codes - {""}:
            return a
    for a in current:  # exact names first: 'City of London' is not London
        if q.lower() in {a.name.lower(), *(name.lower() for _, _, name in a.successors)}:
            return a
    for a in current:
        if folded in {_fold(a.name), *(_fold(name) for _, _, name in a.successors)}:
            return a
    from careflow.measures.published import AreaNotFoundError, find_area

    try:
        found = find_area(q)
    except AreaNotFoundError as exc:
        raise OutlookAreaNotFoundError(str(exc)) from None
    for a in current:
        if a.code == found.code:
            return a
    successors = [a.name for a in current if a.level == "local authority" and found.name.split()[-1] in a.name]
    hint = f" Its successors: {', '.join(repr(s) for s in successors)}." if successors else ""
    names = difflib.get_close_matches(found.name, [a.name for a in current], n=3)
    hint = hint or (f" Did you mean {', '.join(repr(s) for s in names)}?" if names else "")
    raise OutlookAreaNotFoundError(
        f"{found.name} ({found.code}) has no figures for {h.last_year}, so the outlook has no forecast for it.{hint}")
