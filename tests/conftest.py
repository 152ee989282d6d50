"""Shared test fixtures: where ../shared is, and skipping when it is absent (never under CI)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from .browser_support import browser  # noqa: F401 (the browser fixture, for every browser test)

REPO = Path(__file__).resolve().parents[1]

# Published statistics imported by a developer (careflow data import) must not change what the tests see: unless
# a test points CAREFLOW_DATA elsewhere, the tests hold only the tables shipped with careflow.
os.environ["CAREFLOW_DATA"] = str(Path(tempfile.gettempdir()) / f"careflow-tests-no-imports-{os.getpid()}")


def shared_dir() -> Path | None:
    """The ../shared folder beside the checkout (or $CAREFLOW_SHARED), if present."""
    candidate = Path(os.environ.get("CAREFLOW_SHARED", REPO.parent / "shared"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, or a skip with a reason; under CI (CI=true) its absence is a failure."""
    path = shared_dir()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("../shared is missing but CI=true: CI must run with ../shared beside the clone")
        pytest.skip(
            "../shared (DfE statistics and synthetic returns) is not beside this checkout; "
            "set CAREFLOW_SHARED to run these tests"
        )
    return path
