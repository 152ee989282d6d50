"""Splitting an SSDA903 CSV file into a header and rows of text, with the line each row came from.

Two paths give the same result:

* files without a double quote (almost every SSDA903 file) are split by polars in one vectorised pass; numpy
  counts the commas on each line to find rows with too few or too many fields, and the line numbers;
* files with quotes go through the standard library's ``csv`` module, which understands quoted commas and
  quoted line breaks, and gives the line on which each row starts.

Neither path stops at a bad row: short rows are padded with empty values, long rows lose their extra values,
and each is reported with its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from careflow.issues import Issue, Severity

__all__ = ["CsvText", "split_csv"]

#: How many issues of one kind in one file are listed one by one before the rest are summarised.
MAX_LISTED = 200


@dataclass
class CsvText:
    """A CSV file split into text values.

    Attributes:
        header: the column names as written (stripped), in order.
        frame: one row per data row: ``column_0`` … ``column_{n-1}`` (text, null where absent) and ``_line``
            (the 1-based line the row starts on).
        issues: problems with the file's shape (ragged rows, a file cut short, empty rows).
    """

    header: list[str]
    frame: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    #: No value can have whitespace at either end (so values need no stripping), and empty values are null.
    is_clean: bool = False


def split_csv(text: str, file: str, raw_utf8: bytes | None = None) -> CsvText:
    """Split CSV text into a header and text rows, reporting ragged and truncated rows.

    Args:
        text: the decoded file.
        file: its name, for issues.
        raw_utf8: the same text as UTF-8 bytes, if the caller already has them (saves a copy).
    """
    if not text.strip():
        return CsvText([], pl.DataFrame({"_line": pl.Series([], dtype=pl.Int64)}), [])
    if '"' in text:
        return _split_quoted(text, file)
    data = raw_utf8 if raw_utf8 is not None else text.encode("utf-8")
    return _split_plain(data, file)


def _line_bounds(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive, before any ``\\r\\n``) byte offsets of each line."""
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [buf.size]))
    if starts[-1] >= buf.size:  # the file ends with a newline: no line after it
        starts, ends = starts[:-1], ends[:-1]
    # A carriage return before the newline is not part of the line.
    has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
    return starts, ends - has_cr


def _split_plain(data: bytes, file: str) -> CsvText:
    buf = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _line_bounds(buf)
    header = [h.strip() for h in data[starts[0] : ends[0]].decode("utf-8").split(",")]
    n = len(header)
    commas = np.flatnonzero(buf == 44)
    # Fields on each line = commas on it + 1.
    fields = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    lengths = ends - starts
    body_fields, body_lengths = fields[1:], lengths[1:]
    lines = np.arange(2, starts.size + 1, dtype=np.int64)
    names = [f"column_{i}" for i in range(n)]
    if lines.size == 0:  # a header and nothing else
        empty = pl.DataFrame(schema=dict.fromkeys(names, pl.String) | {"_line": pl.Int64})
        return CsvText(header, empty, [], is_clean=True)
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            skip_rows=1,
            infer_schema=False,
            quote_char=None,
            truncate_ragged_lines=True,
            new_columns=names,
        )
    except pl.exceptions.PolarsError:
        frame = pl.DataFrame()
    if frame.height != lines.size or frame.width != n:
        # polars split the lines differently from the newline count (e.g. a bare \r): use the careful path.
        return _split_quoted(data.decode("utf-8"), file)
    # The line numbers from polars itself (a Series built from a numpy array makes polars import numpy.ma, ~10 ms),
    # added with hstack, which needs no query.
    frame = frame.hstack([pl.int_range(2, lines.size + 2, dtype=pl.Int64, eager=True).alias("_line")])
    # A value with whitespace at an end shows as a space or tab next to a comma or a line end. Checked here
    # on the bytes so that the common case skips stripping every value of every column.
    spaces = np.flatnonzero(buf == 32)
    neighbours = np.concatenate((buf[np.maximum(spaces - 1, 0)], buf[np.minimum(spaces + 1, buf.size - 1)]))
    is_clean = not (
        bool(((neighbours == 10) | (neighbours == 13) | (neighbours == 44)).any())  # not np.isin: it imports numpy.ma
        or (spaces.size and (spaces[0] == 0 or spaces[-1] == buf.size - 1))
        or bool((buf == 9).any())
    )
    issues: list[Issue] = []
    ragged = np.flatnonzero((body_fields != n) & (body_lengths > 0))
    if ragged.size:
        ends_with_newline = data.endswith(b"\n")

        def line_text(i: int) -> str:
            return data[starts[i + 1] : ends[i + 1]].decode("utf-8", errors="replace")

        issues.extend(
            _ragged_issues(
                file,
                n,
                [(int(lines[i]), int(body_fields[i]), line_text(int(i))) for i in ragged[: MAX_LISTED + 1]],
                total=int(ragged.size),
                last_line=int(lines[-1]) if lines.size else 1,
                ends_with_newline=ends_with_newline,
            )
        )
    return CsvText(header, frame, issues, is_clean=is_clean)


def _split_quoted(text: str, file: str) -> CsvText:
    records, issues = _records(text, 1, file)
    if not records:
        return CsvText([], pl.DataFrame({"_line": pl.Series([], dtype=pl.Int64)}), issues)
    header = [h.strip() for h in records[0][1]]
    n = len(header)
    body = records[1:]
    columns: dict[str, list[str | None]] = {f"column_{i}": [] for i in range(n)}
    lines: list[int] = []
    ragged: list[tuple[int, int, str]] = []
    cut = {i.row for i in issues if i.code == "truncated"}  # already reported, with why it is short
    for line, values in body:
        lines.append(line)
        if len(values) != n and values and line not in cut:
            ragged.append((line, len(values), ",".join(values)))
        for i in range(n):
            columns[f"column_{i}"].append(values[i] if i < len(values) else None)
    frame = pl.DataFrame({**columns, "_line": lines}, schema={**dict.fromkeys(columns, pl.String), "_line": pl.Int64})
    if ragged:
        truncated = any(i.code == "truncated" for i in issues)
        issues.extend(
            _ragged_issues(
                file,
                n,
                ragged[: MAX_LISTED + 1],
                total=len(ragged),
                last_line=lines[-1] if lines else 1,
                ends_with_newline=text.endswith("\n") and not truncated,
            )
        )
    return CsvText(header, frame, issues)


def _records(text: str, first_line: int, file: str) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    """Rows of a quoted CSV text with the line each starts on (blank lines dropped).

    A quote that is never closed swallows the rest of the file into one value. When that happens the row
    where it opened is read on its own (up to the end of its line) and the lines after it are read again as
    rows, so a stray quote loses nothing; the quote is reported.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    out: list[tuple[int, list[str]]] = []
    previous = 0
    for values in reader:
        start = previous + 1
        previous = reader.line_num
        if values:
            out.append((first_line + start - 1, values))
    issues: list[Issue] = []
    if text.count('"') % 2 == 1 and out:
        # The unclosed quote is in the last row: a quote left open runs to the end of the text.
        start_line, _ = out[-1]
        # Lines as the csv module counts them (\n, \r\n or a lone \r ends one).
        lines = io.StringIO(text, newline="").readlines()
        offset = min(start_line - first_line, len(lines) - 1)
        own = lines[offset].rstrip("\r\n")
        rest = "".join(lines[offset + 1 :])
        out[-1] = (start_line, next(csv.reader([own], strict=False), []))
        span = len(lines) - offset
        where = f"line {start_line}" if span <= 1 else f"lines {start_line}–{start_line + span - 1}"
        issues.append(
            Issue(
                "truncated",
                Severity.ERROR,
                f"a quoted value opened on line {start_line} is never closed ({where}); the file looks cut short "
                "or has a stray double quote. The row was read up to the end of its line"
                + (" and the lines after it were read as rows." if span > 1 else "."),
                file=file,
                row=start_line,
            )
        )
        if rest.strip():
            more, more_issues = _records(rest, start_line + 1, file)
            out.extend(more)
            issues.extend(more_issues)
    return out, issues


def _ragged_issues(
    file: str,
    expected: int,
    rows: list[tuple[int, int, str]],
    *,
    total: int,
    last_line: int,
    ends_with_newline: bool,
) -> list[Issue]:
    issues: list[Issue] = []
    for line, found, line_text in rows[:MAX_LISTED]:
        if found < expected and line == last_line and not ends_with_newline:
            issues.append(
                Issue(
                    "truncated",
                    Severity.ERROR,
                    f"the last line has {found} of the {expected} fields in the header and no line end: the file "
                    "looks cut short. The fields present were read; check the file is complete.",
                    file=file,
                    row=line,
                )
            )
        elif found < expected:
            issues.append(
                Issue(
                    "field-count",
                    Severity.ERROR,
                    f"has {found} fields, expected {expected} as in the header (line 1); the missing fields at the "
                    "end were read as empty.",
                    file=file,
                    row=line,
                )
            )
        else:
            extra = line_text.split(",")[expected:]
            shown = ", ".join(repr(v) for v in extra[:5]) + (", …" if len(extra) > 5 else "")
            issues.append(
                Issue(
                    "field-count",
                    Severity.ERROR,
                    f"has {found} fields, expected {expected} as in the header (line 1); the extra values "
                    f"({shown}) were not read. A value containing a comma must be in double quotes.",
                    file=file,
                    row=line,
                    value=",".join(extra),
                )
            )
    if total > MAX_LISTED:
        issues.append(
            Issue(
                "field-count",
                Severity.ERROR,
                f"… and {total - MAX_LISTED} more rows with the wrong number of fields",
                file=file,
            )
        )
    return issues
