"""Start-up: ``import careflow`` and ``careflow --help`` load no heavy library a command does not use.

Each check runs in a fresh interpreter (a subprocess) and inspects ``sys.modules`` there.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# (pydantic is not listed: typer itself loads it to render a command's help.)
HEAVY = ("polars", "numpy", "scipy", "sqlalchemy", "fastapi", "starlette", "holidays", "lxml",
         "jinja2", "yaml", "careflow.flows", "careflow.reform", "careflow.record", "careflow.synth",
         "careflow.measures", "careflow.returns")


def _loaded(code: str) -> list[str]:
    names = "{m.split('.')[0] if not m.startswith('careflow.') else '.'.join(m.split('.')[:2]) for m in sys.modules}"
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({names} & set({list(HEAVY)!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_careflow_is_light() -> None:
    assert _loaded("import careflow") == []


@pytest.mark.parametrize("argv", [["--help"], ["forecast", "--help"], ["reform", "--help"], ["link", "--help"]])
def test_cli_help_is_light(argv: list[str]) -> None:
    code = ("import sys\nfrom careflow.cli import app\n"
            f"sys.argv = ['careflow', *{argv!r}]\n"
            "try:\n    app()\nexcept SystemExit:\n    pass")
    assert _loaded(code) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: importing the LA model brings polars and numpy."""
    loaded = _loaded("import careflow.flows")
    assert {"polars", "numpy", "careflow.flows"} <= set(loaded)


def test_a_forecast_does_not_load_scipy_stats() -> None:
    """The forecast's bands need one function of scipy.special, not scipy.stats (half a second to import)."""
    code = ("import sys\nimport numpy as np\nfrom careflow.flows.projection import gamma_bands\n"
            "gamma_bands(np.array([100.0]), np.array([100.0]))\n"
            "assert 'scipy.stats' not in sys.modules, 'scipy.stats was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
