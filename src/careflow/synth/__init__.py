"""A synthetic local authority: a population of fictional children and their journeys through children's
social care, calibrated to national statistics, as canonical tables and statutory returns.

Example:
    >>> from careflow.synth import generate, summary
    >>> la = generate(60_000, end_year=2022, seed=0)  # doctest: +SKIP
    >>> summary(la)["cla_at_31_march_per_10k"]  # doctest: +SKIP
    70.3
"""

from careflow.synth._params import Parameter, ParameterError, Parameters, load_parameters
from careflow.synth.generator import SyntheticLA, generate
from careflow.synth.measures import measures, summary
from careflow.synth.returns import write_returns
from careflow.synth.targets import national_target, national_targets

__all__ = [
    "Parameter",
    "ParameterError",
    "Parameters",
    "SyntheticLA",
    "generate",
    "load_parameters",
    "measures",
    "national_target",
    "national_targets",
    "summary",
    "write_returns",
]
