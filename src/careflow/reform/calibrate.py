"""The fitted numbers, listed and refitted: the Review's case is a test of the model, not its target.

Effect sizes, costs per family and target groups are cited in the lever files. What the Review's text does not
give is how much of a pilot's effect survives a national roll-out. For each of the Review's three groups of
"fewer children looked after in 2032-33" (17,000 Family Help, 10,000 kinship and family networks, 3,000 workforce
and family finding; 001_8bebe4ae25a58006.txt:3945) careflow fits one number, the group's scale-down
(``parameters/scale_down/<group>.yaml``), so the group's children diverted in 2032-33 match the Review's. Nothing
else is fitted to the Review: the 22 lever rows and the yearly totals are predicted and printed beside the
Review's with their gaps (``careflow reform``).

::

    python -m careflow.reform.calibrate            # list every fitted number, and the fit of the shipped values
    python -m careflow.reform.calibrate --refit    # what a refit of the three scale-downs would give
    python -m careflow.reform.calibrate --write    # refit and rewrite parameters/scale_down/*.yaml

Parameters still marked ``calibrated: true`` elsewhere (cost profiles of levers that move no children, carried
over from the earlier per-lever fit and not yet replaced by cited figures) are listed too, so the count is honest.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import brentq

from careflow.reform.levers import (
    DIVERSION_GROUPS,
    Lever,
    evaluate,
    load_levers,
    load_system_parameters,
    parameters_dir,
)
from careflow.reform.params import Parameter
from careflow.reform.published import REVIEW_DIVERTED_2032_33

__all__ = ["SCALE_DOWNS", "FittedNumber", "fit_report", "fit_scale_downs", "fitted_numbers"]

SCALE_DOWNS = {g: f"scale_down.{g}" for g in DIVERSION_GROUPS}
UPPER = 5.0  # a scale-down above 1 says the Review assumes more than the cited effect; above 5 is not searched


@dataclass(frozen=True)
class FittedNumber:
    """One fitted number: where it lives, its value and what it was fitted to."""

    name: str
    value: float
    calibrated_to: str
    kind: str  # 'scale_down' (one per diversion group) or 'carried_over' (not yet replaced by a citation)


def fitted_numbers(levers: Mapping[str, Lever] | None = None,
                   system: Mapping[str, Parameter] | None = None) -> list[FittedNumber]:
    """Every non-zero dated value of every ``calibrated: true`` parameter (system and levers)."""
    system = load_system_parameters() if system is None else system
    levers = load_levers() if levers is None else levers
    out = []
    for name, p in system.items():
        if p.calibrated:
            for _, v in p.values:
                if v:
                    out.append(FittedNumber(name, v * p.scale, str(p.calibrated_to),
                                            "scale_down" if name in SCALE_DOWNS.values() else "carried_over"))
    for lname, lv in levers.items():
        for pname, p in lv.parameters.items():
            if p.calibrated:
                for _, v in p.values:
                    if v:
                        out.append(FittedNumber(f"{lname}.{pname}", v * p.scale, str(p.calibrated_to),
                                                "carried_over"))
    return out


def _group_diverted(group: str, levers: Mapping[str, Lever], system: Mapping[str, Parameter]) -> float:
    total = 0.0
    for lv in levers.values():
        if any(e.diversion_group == group for e in lv.effects):
            r = evaluate(lv, system)
            total += float(r.by_diversion_group.get(group, np.zeros((1, 1)))[0, -1])
    return total


def fit_scale_downs(levers: Mapping[str, Lever] | None = None,
                    system: Mapping[str, Parameter] | None = None) -> dict[str, float]:
    """The three scale-downs that make each group's 2032-33 reduction the Review's (a root search per group:
    the reduction rises monotonically with the scale-down)."""
    system = dict(load_system_parameters() if system is None else system)
    levers = load_levers() if levers is None else levers
    out: dict[str, float] = {}
    for group, pname in SCALE_DOWNS.items():
        goal = float(REVIEW_DIVERTED_2032_33[group])
        base = system[pname]

        def gap(x: float, base: Parameter = base, pname: str = pname, group: str = group, goal: float = goal
                ) -> float:
            trial = dict(system)
            trial[pname] = replace(base, values=((base.values[0][0], x),), scale=1.0)
            return _group_diverted(group, levers, trial) - goal

        if gap(UPPER) < 0:
            out[group] = UPPER
        else:
            out[group] = float(brentq(gap, 0.0, UPPER, xtol=1e-4))
    return out


def fit_report(levers: Mapping[str, Lever] | None = None,
               system: Mapping[str, Parameter] | None = None) -> list[dict[str, Any]]:
    """Each group's 2032-33 reduction at the shipped scale-downs beside the Review's figure."""
    system = load_system_parameters() if system is None else system
    levers = load_levers() if levers is None else levers
    rows = []
    for group, pname in SCALE_DOWNS.items():
        ours = _group_diverted(group, levers, system)
        goal = REVIEW_DIVERTED_2032_33[group]
        rows.append({"group": group, "scale_down": system[pname].first_value, "ours_2032_33": ours,
                     "review_2032_33": goal, "error": ours / goal - 1.0})
    return rows


def write_scale_downs(values: Mapping[str, float], root: Path | None = None) -> list[Path]:
    """Rewrite the value in each ``scale_down/<group>.yaml`` (other keys kept)."""
    base = (root or parameters_dir()) / "scale_down"
    written = []
    for group, value in values.items():
        path = base / f"{group}.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        first = next(iter(raw["values"]))
        raw["values"] = {first: round(float(value), 3)}
        path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=115), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The fitted numbers of the reform model, and their refit.")
    parser.add_argument("--write", action="store_true", help="refit the three scale-downs and rewrite their files")
    parser.add_argument("--refit", action="store_true", help="show what a refit would give, without writing")
    args = parser.parse_args(argv)
    if args.write or args.refit:
        values = fit_scale_downs()
        for g, v in values.items():
            print(f"refit scale_down.{g} = {v:.3f}" + ("  (at the search's upper bound)" if v >= UPPER else ""))
        if args.write:
            for path in write_scale_downs(values):
                print(f"wrote {path}")
    nums = fitted_numbers()
    scale = [n for n in nums if n.kind == "scale_down"]
    carried = [n for n in nums if n.kind == "carried_over"]
    print(f"Fitted numbers: {len(scale)} scale-down(s) fitted to the 17,000 / 10,000 / 3,000 split "
          f"(001_8bebe4ae25a58006.txt:3945)")
    for n in scale:
        print(f"  {n.name:45s} {n.value:8.3f}")
    if carried:
        print(f"Carried over, not yet replaced by cited figures ({len(carried)} value(s), levers that move no "
              "children):")
        for n in carried:
            print(f"  {n.name:45s} {n.value:10.4g}  fitted to {n.calibrated_to[:70]}")
    for row in fit_report():
        print(f"{row['group']:32s} scale-down {row['scale_down']:.3f}: ours {row['ours_2032_33']:8,.0f}  "
              f"Review {row['review_2032_33']:8,}  error {row['error']:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
