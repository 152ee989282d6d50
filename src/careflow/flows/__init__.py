"""careflow.flows: forecast children in care, placements and cost from SSDA903 episodes.

Estimate how children move between placement states (age band × placement category) from canonical episodes,
project forward with honest uncertainty (a Markov projection with analytic variance, and a microsimulation with
competing-risk durations), back-test, price, and compare scenarios. Population forecasts only.
"""

from careflow.flows._errors import FlowConfigError, FlowDataError, NotFittedError, ScenarioError
from careflow.flows.clean import CleanEpisodes, clean_episodes
from careflow.flows.estimators import (
    CompetingRiskDurations,
    EntryRates,
    FlowModel,
    TransitionRates,
    observed_stock,
    stock_at,
)
from careflow.flows.population import PopulationSeries, load_population
from careflow.flows.states import StateConfig, load_states

__all__ = [
    "CleanEpisodes",
    "CompetingRiskDurations",
    "EntryRates",
    "FlowConfigError",
    "FlowDataError",
    "FlowModel",
    "NotFittedError",
    "PopulationSeries",
    "ScenarioError",
    "StateConfig",
    "TransitionRates",
    "clean_episodes",
    "load_population",
    "load_states",
    "observed_stock",
    "stock_at",
]
