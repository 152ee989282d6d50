"""Start-up: ``import careflow``, ``careflow --help`` and the start of a command load no heavy library the command does
not use.

Each check runs in a fresh interpreter (a subprocess) and inspects ``sys.modules`` there. The CLI is click's: typer
(which built a pydantic validator per option on every command, about 0.1 s) must not come back through a dependency,
and rich is imported only by a command that prints with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("polars", "numpy", "scipy", "sqlalchemy", "fastapi", "starlette", "holidays", "lxml",
         "jinja2", "yaml", "typer", "pydantic", "rich", "careflow.flows", "careflow.reform", "careflow.record",
         "careflow.synth", "careflow.measures", "careflow.returns")
#: The case record's and the published data's command modules: ``careflow --help`` lists their commands (they are light
#: to import), but a forecast has no use for them.
OTHER_COMMANDS = ("careflow.published", "careflow.record_admin_cli", "careflow.record_audit_cli")


def _loaded(code: str) -> list[str]:
    names = "{m.split('.')[0] if not m.startswith('careflow.') else '.'.join(m.split('.')[:2]) for m in sys.modules}"
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({names} & set({list(HEAVY)!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_careflow_is_light() -> None:
    assert _loaded("import careflow") == []


@pytest.mark.parametrize("argv", [["--help"], ["forecast", "--help"], ["reform", "--help"], ["link", "--help"],
                                  ["data", "--help"], ["admin", "--help"], ["audit", "--help"], ["backup", "--help"]])
def test_cli_help_is_light(argv: list[str]) -> None:
    code = ("import sys\nfrom careflow.cli import app\n"
            f"sys.argv = ['careflow', *{argv!r}]\n"
            "try:\n    app()\nexcept SystemExit:\n    pass")
    assert _loaded(code) == []


def test_the_start_of_a_forecast_is_light(tmp_path: Path) -> None:
    """From the command line to the forecast's first step (setting the thread pools, which must come before numpy and
    polars are imported): the arguments parsed, nothing heavy loaded, not typer's pydantic, not rich."""
    code = ("import sys\nimport careflow.cli as cli\n"
            "def started(inputs):\n    print('started', [str(p) for p in inputs])\n    raise SystemExit(0)\n"
            "cli._threads_for = started\n"
            f"sys.argv = ['careflow', 'forecast', {str(tmp_path)!r}, '--out', {str(tmp_path / 'out')!r}]\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass")
    names = "{m.split('.')[0] if not m.startswith('careflow.') else '.'.join(m.split('.')[:2]) for m in sys.modules}"
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({names} & set({[*HEAVY, *OTHER_COMMANDS]!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    lines = done.stdout.strip().splitlines()
    assert lines[0] == f"started [{str(tmp_path)!r}]", done.stdout + done.stderr  # the command did start
    assert json.loads(lines[-1]) == []


def test_a_markov_forecast_never_imports_rich(tmp_path: Path) -> None:
    """The forecast prints a few plain lines and runs the Markov projection (a fraction of a second) without a bar:
    rich is not imported at all. (The microsimulation, long work, keeps its progress bar.)"""
    out = tmp_path / "out"
    code = ("import sys\nfrom careflow.cli import app\n"
            f"sys.argv = ['careflow', 'forecast', '--synthetic', '3000', '--horizon', '6', '--out', {str(out)!r}]\n"
            "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "assert 'rich' not in sys.modules, 'rich was imported'\n"
            "assert 'numpy' in sys.modules and 'polars' in sys.modules  # the forecast did run\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
    assert (out / "report.html").stat().st_size > 0


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
