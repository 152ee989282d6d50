"""One parameter library for careflow (in the manner of OpenFisca's parameters).

Every parameter is a YAML file, or a named node in one, with a description, a unit, values dated from when they
hold, a reference (a seed ``file:line`` in ../shared/seeds, or a public document) and, where known, an
uncertainty distribution with its basis::

    # careflow/params/data/unit_costs/foster.yaml
    description: Average weekly cost of foster care per child in England, 2017/18 (Unit Cost Database).
    unit: gbp_per_week
    reference: 000_dab62616b6dfd7b9.txt:2487
    values:
      2018-04-01: 685
    uncertainty: {distribution: triangular, low: 0.85, mode: 1.0, high: 1.2, basis: "IFA price £820 (001…:2214)"}

One strict loader: unknown keys, a unit outside :data:`UNITS`, a missing reference, a seed citation to a line that
does not exist, a value outside its unit's range, a calibrated value that does not name the figure it was tuned
to... are all reported together, each naming the file and key. Values are a step function of the date:
``parameter.value_at(date)`` is the value holding on that date (an error before the first one).

API:
    - :func:`load_file` (one file: a parameter or a tree of named ones), :func:`load_dir` (a folder of files),
      :func:`parse_parameter` / :func:`parse_tree` (for parameters embedded in another document), each returning
      :class:`Parameter` objects (in a :class:`ParameterSet`, a mapping by name with ``value_at(name, date)``).
    - The unit-cost library: :func:`unit_cost` / :func:`unit_costs` / :func:`weekly_cost`
      (``careflow/params/data/unit_costs/``), shared by flows, reform and journey costing.

Packages built on it: careflow.flows (unit costs and model parameters), careflow.record (statutory timescales),
careflow.synth (the synthetic LA), careflow.reform (system parameters and levers).
"""

from __future__ import annotations

from careflow.params._core import (
    DISTRIBUTIONS,
    PARAMETER_KEYS,
    SEED_FILES,
    UNITS,
    Parameter,
    ParameterError,
    ParameterSet,
    Uncertainty,
    check_reference,
    load_dir,
    load_file,
    parse_parameter,
    parse_tree,
    read_yaml,
    suggest,
)
from careflow.params.costs import UNIT_COSTS_DIR, unit_cost, unit_costs, weekly_cost

__all__ = [
    "DISTRIBUTIONS",
    "PARAMETER_KEYS",
    "SEED_FILES",
    "UNITS",
    "UNIT_COSTS_DIR",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "Uncertainty",
    "check_reference",
    "load_dir",
    "load_file",
    "parse_parameter",
    "parse_tree",
    "read_yaml",
    "suggest",
    "unit_cost",
    "unit_costs",
    "weekly_cost",
]
