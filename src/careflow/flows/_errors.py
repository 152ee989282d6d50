"""The errors careflow.flows raises on purpose (data problems are Issues, not errors)."""

from __future__ import annotations

from careflow.errors import CareflowError

__all__ = ["FlowConfigError", "FlowDataError", "NotFittedError", "ScenarioError"]


class FlowConfigError(CareflowError, ValueError):
    """A states, unit-cost or population file is malformed, or asks for something careflow does not hold."""


class FlowDataError(CareflowError, ValueError):
    """The episodes cannot support what was asked (e.g. a reference window with no data)."""


class ScenarioError(CareflowError, ValueError):
    """A scenario names an unknown state or exit, or a date outside the projection."""


class NotFittedError(CareflowError, AttributeError):
    """An estimator was used before ``fit``."""
