"""Published statistics careflow holds: read any DfE / ONS release through a declared mapping, keep every year.

* :func:`read_folder` reads a folder of published files through ``mapping.yaml`` (file patterns, column and label
  synonyms as data), reporting every file, column or label it could not map;
* :func:`import_folder` adds a folder's figures to the user data folder, keeping the later release's figure
  where two releases cover a year and recording the revision;
* :func:`held_counts` is the single entry point to published history: the newest figure held for every area,
  year and measure (the tables shipped with careflow when nothing has been imported);
* :func:`coverage` names the years and releases held, for reports.
"""

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
