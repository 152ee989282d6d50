"""careflow.flows: forecast children in care, placements and cost from SSDA903 episodes.

Estimate how children move between placement states (age band × placement category) from canonical episodes,
project forward with honest uncertainty (a Markov projection with analytic variance, and a microsimulation with
competing-risk durations), back-test, price, and compare scenarios. Population forecasts only.
"""

from careflow.flows._cli import cli_backtest, cli_forecast
from careflow.flows._errors import FlowConfigError, FlowDataError, NotFittedError, ScenarioError
from careflow.flows.backtest import BacktestResult, backtest
from careflow.flows.clean import CleanEpisodes, clean_episodes
from careflow.flows.costs import UnitCosts, load_unit_costs
from careflow.flows.estimators import (
    CompetingRiskDurations,
    EntryRates,
    TransitionRates,
    observed_stock,
    stock_at,
)
from careflow.flows.model import FlowModel
from careflow.flows.population import PopulationSeries, load_population
from careflow.flows.projection import Projection
from careflow.flows.report import write_report
from careflow.flows.scenarios import Scenario, load_scenario, packaged_scenarios
from careflow.flows.states import StateConfig, load_states

__all__ = [
    "BacktestResult",
    "CleanEpisodes",
    "CompetingRiskDurations",
    "EntryRates",
    "FlowConfigError",
    "FlowDataError",
    "FlowModel",
    "NotFittedError",
    "PopulationSeries",
    "Projection",
    "Scenario",
    "ScenarioError",
    "StateConfig",
    "TransitionRates",
    "UnitCosts",
    "backtest",
    "clean_episodes",
    "cli_backtest",
    "cli_forecast",
    "load_population",
    "load_scenario",
    "load_states",
    "load_unit_costs",
    "observed_stock",
    "packaged_scenarios",
    "stock_at",
    "write_report",
]
