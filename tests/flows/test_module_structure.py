"""The flows modules depend one way: the fitted model uses the estimators and the engines, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[2] / "src" / "careflow" / "flows"


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported by ``path`` outside ``if TYPE_CHECKING:`` blocks (at any depth, lazy ones included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


@pytest.mark.parametrize("module", ["estimators", "markov", "microsim", "projection", "clean", "scenarios"])
def test_estimators_and_engines_do_not_import_the_model(module: str) -> None:
    imports = _runtime_imports(FLOWS / f"{module}.py")
    assert "careflow.flows.model" not in imports, f"flows/{module}.py imports the fitted model at run time"
    if module != "estimators":
        return
    assert not imports & {"careflow.flows.markov", "careflow.flows.microsim"}, "estimators import an engine"


def test_the_model_uses_the_estimators_and_both_engines() -> None:
    imports = _runtime_imports(FLOWS / "model.py")
    assert {"careflow.flows.estimators", "careflow.flows.markov", "careflow.flows.microsim"} <= imports
