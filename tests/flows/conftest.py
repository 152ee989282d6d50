"""Fixtures for the flows tests: a toy local authority with known hazards, fitted once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from toy import toy_la

from careflow.flows import FlowModel
from careflow.tables.dataset import CareData


@pytest.fixture(scope="session")
def toy() -> CareData:
    return toy_la(seed=1, entries_per_month=30)


@pytest.fixture(scope="session")
def toy_model(toy: CareData) -> FlowModel:
    return FlowModel(reference_years=3).fit(toy)
