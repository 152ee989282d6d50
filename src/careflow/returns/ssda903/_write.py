"""Writing canonical tables as an SSDA903 return: one CSV file per table, or one XML file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import polars as pl

from careflow.returns.ssda903._layout import ALWAYS_WRITTEN, LAYOUTS
from careflow.returns.ssda903._parse import to_text
from careflow.returns.ssda903._xml import write_xml
from careflow.tables import CareData

__all__ = ["write_ssda903"]

XML_FILE = "ssda903.xml"


def write_ssda903(
    data: CareData,
    dest: str | os.PathLike[str],
    *,
    format: Literal["csv", "xml"] = "csv",
    year: int | None = None,
) -> list[Path]:
    """Write canonical tables as an SSDA903 return that :func:`read_ssda903` reads back identically.

    Args:
        data: the tables.
        dest: the folder to write into (created if need be). For XML, a path ending ``.xml`` names the file.
        format: ``"csv"``: ``header.csv``, ``episodes.csv`` (always) and ``uasc.csv``, ``reviews.csv``,
            ``oc2.csv``, ``oc3.csv``, ``ad1.csv``, ``placed_for_adoption.csv``, ``previous_permanence.csv``,
            ``missing.csv``, ``sw_episodes.csv``, ``DoLo.csv`` for the tables that have rows; columns in the
            DfE's order, dates DD/MM/YYYY, flags 1/0, and ``LA``/``YEAR`` last where a table has them set.
            ``"xml"``: one ``ssda903.xml`` in the ``<EXPSSDA903>`` layout.
        year: write only the rows of this collection year (ending 31 March) from pooled data; rows with no
            ``collection_year`` are always written.

    Returns:
        The files written.

    Raises:
        ReturnFormatError: for XML, when the data holds what the XML layout cannot (social worker episodes,
            LA/YEAR, rows for a child without a header, …); the message lists each.
        ValueError: an unknown ``format``.
    """
    if format not in ("csv", "xml"):
        raise ValueError(f"format must be 'csv' or 'xml', not {format!r}")
    if year is not None:
        data = CareData(
            {
                name: frame.filter(pl.col("collection_year").is_null() | (pl.col("collection_year") == year))
                for name, frame in data.tables.items()
            }
        )
    target = Path(dest)
    if format == "xml":
        path = target if target.suffix.lower() == ".xml" else target / XML_FILE
        return [write_xml(data, path)]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for layout in LAYOUTS:
        frame = data[layout.table]
        if frame.height == 0 and layout.key not in ALWAYS_WRITTEN:
            continue
        path = target / layout.file_name
        text = to_text(layout, frame, provenance=True)
        text.write_csv(path, line_terminator="\n", null_value="", quote_style="necessary")
        written.append(path)
    return written
