"""YAML loading for careflow's parameter and code-list files: libyaml's C loader where installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["load_yaml", "loads_yaml"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def loads_yaml(text: str) -> Any:
    """Parse YAML text safely (no arbitrary objects), with the C loader when available."""
    return yaml.load(text, Loader=_Loader)  # a safe loader: plain data only


def load_yaml(path: Path) -> Any:
    """Parse a UTF-8 YAML file safely."""
    return loads_yaml(Path(path).read_text(encoding="utf-8"))
