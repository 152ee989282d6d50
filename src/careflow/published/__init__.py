"""Published statistics careflow holds: read any DfE / ONS release through a declared mapping, keep every year.

* :func:`read_folder` reads a folder of published files through ``mapping.yaml`` (file patterns, column and label
  synonyms as data), reporting every file, column or label it could not map;
* :func:`import_folder` adds a folder's figures to the user data folder, keeping the later release's figure
  where two releases cover a year and recording the revision;
* :func:`held_counts` is the single entry point to published history: the newest figure held for every area,
  year and measure (the tables shipped with careflow when nothing has been imported);
* :func:`coverage` names the years and releases held, for reports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Loaded on first use, so that ``careflow --help`` (which registers ``careflow data``) does not import polars.
_WHERE = {
    "Mapping": "mapping", "MappingError": "mapping", "load_mapping": "mapping",
    "FileReport": "reader", "Problem": "reader", "ReadResult": "reader", "read_folder": "reader", "resolve": "reader",
    "Coverage": "store", "ImportReport": "store", "coverage": "store", "data_root": "store", "held_areas": "store",
    "held_cells": "store", "held_counts": "store", "import_folder": "store", "imports_log": "store",
    "status": "store", "store_dir": "store",
    "to_long": "tables", "to_wide": "tables",
}

if TYPE_CHECKING:
    from careflow.published.mapping import Mapping, MappingError, load_mapping
    from careflow.published.reader import FileReport, Problem, ReadResult, read_folder, resolve
    from careflow.published.store import (
        Coverage,
        ImportReport,
        coverage,
        data_root,
        held_areas,
        held_cells,
        held_counts,
        import_folder,
        imports_log,
        status,
        store_dir,
    )
    from careflow.published.tables import to_long, to_wide


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"careflow.published.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'careflow.published' has no attribute {name!r}")


__all__ = [
    "Coverage",
    "FileReport",
    "ImportReport",
    "Mapping",
    "MappingError",
    "Problem",
    "ReadResult",
    "coverage",
    "data_root",
    "held_areas",
    "held_cells",
    "held_counts",
    "import_folder",
    "imports_log",
    "load_mapping",
    "read_folder",
    "resolve",
    "status",
    "store_dir",
    "to_long",
    "to_wide",
]
