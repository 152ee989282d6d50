"""Calibration of the parameters marked ``calibrated: true`` to the Review's published figures.

The Review publishes each lever's net yearly impact but not its gross costs, volumes or effect sizes
(the Alma Economics technical report it cites, 001_8bebe4ae25a58006.txt:4206, was "[URL PENDING]"). Where a lever
needs a number the text does not give, the number is a parameter marked ``calibrated: true`` whose
``calibrated_to`` names the published figure; this module is how those numbers were found, so anyone can rerun
or change the calibration::

    python -m careflow.reform.calibrate            # report the fit of the shipped parameters
    python -m careflow.reform.calibrate --refit    # what a refit would give (the fit starts from, and is pulled
                                                   # weakly towards, the current values, so it is not idempotent)
    python -m careflow.reform.calibrate --write    # refit and rewrite the calibrated values in the lever files

Only the non-zero dated values of calibrated parameters move (a zero marks "not started yet" and stays). Levers
whose children count towards one of the Review's three groups of "fewer children looked after in 2032-33"
(001_8bebe4ae25a58006.txt:3945) are fitted together with that group's total; the others one by one. A weak pull
towards the starting values keeps the fit near the cited priors where the rows leave freedom.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares

from careflow.reform.levers import (
    Lever,
    evaluate,
    load_levers,
    load_system_parameters,
    parameters_dir,
)
from careflow.reform.params import UNITS, Parameter
from careflow.reform.published import REVIEW_DIVERTED_2032_33, REVIEW_FAMILY_HELP_SAVINGS_5_YEARS, REVIEW_TABLE

__all__ = ["CalibrationFit", "calibrate", "fit_report"]

_ROUND = {"gbp_million": 1, "children_per_year": -1, "people": -1, "people_per_year": -1, "fraction": 4,
          "hazard_per_year": 3, "gbp_per_child_year": -1, "gbp_per_person_year": -1, "gbp_per_item": 0,
          "multiplier": 3, "items_per_person_year": 2}


@dataclass(frozen=True)
class _Slot:
    lever: str
    param: str
    index: int
    start: float
    upper: float


def _slots(levers: Mapping[str, Lever]) -> list[_Slot]:
    out = []
    for lv in levers.values():
        for pname, p in lv.parameters.items():
            if not p.calibrated:
                continue
            upper = UNITS[p.unit][1]
            for i, (_, value) in enumerate(p.values):
                if value != 0:
                    out.append(_Slot(lv.name, pname, i, float(value), upper))
    return out


def _apply(levers: Mapping[str, Lever], slots: list[_Slot], x: np.ndarray) -> dict[str, Lever]:
    new: dict[str, dict[str, list[tuple[dt.date, float]]]] = {}
    for slot, value in zip(slots, x, strict=True):
        p = levers[slot.lever].parameters[slot.param]
        vals = new.setdefault(slot.lever, {}).setdefault(slot.param, list(p.values))
        vals[slot.index] = (vals[slot.index][0], float(value))
    out = dict(levers)
    for lname, params in new.items():
        lv = levers[lname]
        ps = dict(lv.parameters)
        for pname, vals in params.items():
            ps[pname] = replace(ps[pname], values=tuple(vals))
        out[lname] = replace(lv, parameters=ps)
    return out


def _residuals(levers: Mapping[str, Lever], system: Mapping[str, Parameter], names: list[str],
               group: str | None, slots: list[_Slot], x: np.ndarray, prior_weight: float) -> np.ndarray:
    trial = _apply(levers, slots, x)
    res: list[float] = []
    cla = 0.0
    for n in names:
        r = evaluate(trial[n], system)
        target = np.array(REVIEW_TABLE[n][1], dtype=float)
        scale = max(1.0, 0.01 * float(np.abs(target).max()))
        res.extend(((r.net[0] - target) / scale).tolist())
        total_scale = max(1.0, 0.02 * abs(float(target.sum())))
        res.append(3.0 * (float(r.net[0].sum()) - float(target.sum())) / total_scale)
        cla += float(r.cla_reduction[0, -1])
        if n == "family_help":  # '£517 million in care costs over the next five years' (001:1144)
            res.append(3.0 * (float(r.savings[0, :5].sum()) - REVIEW_FAMILY_HELP_SAVINGS_5_YEARS) / 10.0)
    if group is not None:
        goal = REVIEW_DIVERTED_2032_33[group]
        res.append(5.0 * (cla - goal) / (0.01 * goal))
    start = np.array([s.start for s in slots])
    res.extend((prior_weight * (x - start) / np.maximum(np.abs(start), 1e-9)).tolist())
    return np.array(res)


@dataclass(frozen=True)
class CalibrationFit:
    """The refitted lever set and the fit of each lever."""

    levers: dict[str, Lever]
    changed: dict[str, dict[str, tuple[tuple[dt.date, float], ...]]]


def _units_round(unit: str, value: float) -> float:
    digits = _ROUND.get(unit, 3)
    return float(round(value, digits))


def calibrate(names: list[str] | None = None, prior_weight: float = 0.1) -> CalibrationFit:
    """Refit the calibrated parameters of ``names`` (default: every lever) to the Review's rows."""
    system = load_system_parameters()
    levers = load_levers()
    names = list(levers) if names is None else names
    batches: list[tuple[list[str], str | None]] = []
    grouped: dict[str, list[str]] = {}
    for n in names:
        g = levers[n].diversion_group
        if g is None:
            batches.append(([n], None))
        else:
            grouped.setdefault(g, []).append(n)
    batches.extend((ns, g) for g, ns in grouped.items())
    changed: dict[str, dict[str, tuple[tuple[dt.date, float], ...]]] = {}
    current = dict(levers)
    for batch, group in batches:
        sub = {n: current[n] for n in batch}
        slots = _slots(sub)
        if not slots:
            continue
        x0 = np.array([s.start for s in slots])
        upper = np.array([s.upper for s in slots])
        fit = least_squares(
            lambda x, sub=sub, slots=slots, batch=batch, group=group: _residuals(
                sub, system, batch, group, slots, x, prior_weight),
            x0, bounds=(np.zeros_like(x0), upper), x_scale=np.maximum(np.abs(x0), 1e-3), max_nfev=4000,
        )
        x = np.array([
            _units_round(sub[s.lever].parameters[s.param].unit, v) for s, v in zip(slots, fit.x, strict=True)
        ])
        updated = _apply(sub, slots, x)
        for n in batch:
            current[n] = updated[n]
            for pname, p in updated[n].parameters.items():
                if p.calibrated:
                    changed.setdefault(n, {})[pname] = p.values
    return CalibrationFit(current, changed)


def write_values(fit: CalibrationFit, root: Path | None = None) -> list[Path]:
    """Rewrite the calibrated values in the lever files (other keys are kept as they are)."""
    base = (root or parameters_dir()) / "levers"
    written = []

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    _Dumper.add_representer(
        dt.date, lambda d, data: d.represent_scalar("tag:yaml.org,2002:timestamp", data.isoformat()))
    for lname, params in fit.changed.items():
        path = base / f"{lname}.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for pname, values in params.items():
            unit = raw["parameters"][pname]["unit"]
            raw["parameters"][pname]["values"] = {
                d: (int(v) if _ROUND.get(unit, 3) <= 0 else v) for d, v in values
            }
        path.write_text(yaml.dump(raw, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=115),
                        encoding="utf-8")
        written.append(path)
    return written


def fit_report(levers: Mapping[str, Lever] | None = None) -> list[dict[str, Any]]:
    """Each lever's modelled ten-year sum beside the Review's, and the error."""
    system = load_system_parameters()
    levers = load_levers() if levers is None else levers
    rows = []
    for n, lv in levers.items():
        r = evaluate(lv, system)
        target = np.array(REVIEW_TABLE[n][1], dtype=float)
        ours = r.net[0]
        rows.append({
            "lever": n, "ours_sum": float(ours.sum()), "review_sum": float(target.sum()),
            "error_sum": float(ours.sum() / target.sum() - 1.0) if target.sum() else float("nan"),
            "max_year_gap": float(np.abs(ours - target).max()),
            "cla_2032_33": float(r.cla_reduction[0, -1]),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calibrate the reform levers to the Review's table.")
    parser.add_argument("--write", action="store_true", help="rewrite the calibrated values in the lever files")
    parser.add_argument("--refit", action="store_true", help="show the fit a refit would give, without writing")
    parser.add_argument("--lever", action="append", help="only these levers (repeatable)")
    args = parser.parse_args(argv)
    levers: Mapping[str, Lever] | None = None  # the shipped (stored) values
    if args.write or args.refit:
        fit = calibrate(args.lever)
        levers = fit.levers
        if args.write:
            for path in write_values(fit):
                print(f"wrote {path}")
    for row in fit_report(levers):
        print(f"{row['lever']:32s} ours {row['ours_sum']:8.0f}  review {row['review_sum']:8.0f}  "
              f"error {row['error_sum']:+7.1%}  max yearly gap {row['max_year_gap']:6.1f}  "
              f"CLA 2032-33 {row['cla_2032_33']:7.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
