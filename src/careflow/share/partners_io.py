"""Reading partner agencies' files through a column mapping, reporting every bad value by file, row and field.

A mapping (YAML; the synthetic partner files' own is ``data/synthetic_mapping.yaml``, which documents the shape)
names, for each file, the column holding each field careflow links on and shows. :func:`read_partner_files`
returns the records in one normalised table and every problem found:

- a file that is not UTF-8 is read as Windows-1252 and reported (row of the first byte that is not UTF-8);
- a column the mapping does not know is reported (and ignored); a mapped column the file lacks keeps the whole
  file out of the links;
- a date of birth or event date that is not a date in the file's format, a record without its reference: the row
  is kept out of the links and the contacts;
- an NHS number or UPN that fails its check: the number is not used (the record is matched on its other fields);
- a sex code the mapping does not list: treated as missing.

Nothing is dropped silently: each row kept out is in the problems, with the file, the row (as a spreadsheet
numbers it: the header is row 1) and the field.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from careflow.errors import CareflowError
from careflow.share.identifiers import nhs_number_expr

__all__ = ["FIELDS", "PEOPLE_REQUIRED", "PROBLEM_COLUMNS", "RECORD_COLUMNS", "SYNTHETIC_MAPPING", "MappingError",
           "PartnerRead", "load_mapping", "read_partner_files", "read_people"]

SYNTHETIC_MAPPING = Path(__file__).with_name("data") / "synthetic_mapping.yaml"
FIELDS = ("source_record_id", "first_name", "last_name", "full_name", "dob", "sex", "postcode", "nhs_number", "upn",
          "event_date", "event_type", "summary", "agency_contact_name", "agency_contact_role",
          "agency_contact_phone")
RECORD_COLUMNS = ("agency", "source_file", "row", "source_record_id", "first_name", "last_name", "dob", "sex",
                  "postcode", "nhs_number", "upn", "event_date", "event_type", "summary", "agency_contact_name",
                  "agency_contact_role", "agency_contact_phone", "usable")
PROBLEM_COLUMNS = ("file", "row", "field", "problem", "value_shown")
_FILE_KEYS = {"agency", "columns", "dates", "sex", "ignore", "encoding", "name_order"}


class MappingError(CareflowError, ValueError):
    """A column mapping that cannot be used (named file, key and how to fix it)."""


@dataclass
class PartnerRead:
    """What was read: the records (one row per data row of every file) and the problems found."""

    records: pl.DataFrame
    problems: list[dict[str, Any]] = field(default_factory=list)

    def problems_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.problems or None, schema={"file": pl.String, "row": pl.Int64, "field": pl.String,
                                                          "problem": pl.String, "value_shown": pl.String})


def load_mapping(path: Path | None) -> dict[str, dict[str, Any]]:
    """The mapping's files (``{relative path: spec}``), checked: unknown keys or fields are errors."""
    from careflow._yaml import load_yaml

    path = path or SYNTHETIC_MAPPING
    if not Path(path).exists():
        raise MappingError(f"{path}: no such mapping file")
    data = load_yaml(Path(path))
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise MappingError(f"{path}: expected a mapping with a 'files:' section (see {SYNTHETIC_MAPPING.name})")
    problems = []
    for name, spec in data["files"].items():
        if not isinstance(spec, dict):
            problems.append(f"{name}: expected a mapping of agency, columns, dates ...")
            continue
        for key in set(spec) - _FILE_KEYS:
            problems.append(f"{name}: unknown key {key!r} (expected one of {', '.join(sorted(_FILE_KEYS))})")
        if "agency" not in spec:
            problems.append(f"{name}: no 'agency'")
        columns = spec.get("columns") or {}
        for fld in set(columns) - set(FIELDS):
            problems.append(f"{name}: unknown field {fld!r} (fields: {', '.join(FIELDS)})")
        if "source_record_id" not in columns:
            problems.append(f"{name}: 'columns' must name the source_record_id column")
        if "first_name" not in columns and "full_name" not in columns:
            problems.append(f"{name}: 'columns' must name first_name and last_name, or full_name")
        for fld in ("dob", "event_date"):
            if fld in columns and fld not in (spec.get("dates") or {}):
                problems.append(f"{name}: 'dates' must give the format of {fld} (e.g. '%d/%m/%Y')")
    if problems:
        raise MappingError(f"{path}: {len(problems)} problem(s) in the mapping: " + "; ".join(problems))
    return dict(data["files"])


def _decode(path: Path, name: str, problems: list[dict[str, Any]]) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[:exc.start].count(b"\n") + 1
        problems.append({"file": name, "row": row, "field": "", "value_shown": repr(raw[exc.start:exc.start + 1]),
                         "problem": "the file is not UTF-8; read as Windows-1252 (cp1252). Save it as UTF-8 to "
                                    "silence this"})
        return raw.decode("cp1252", errors="replace")


def _example(fmt: str) -> str:
    import datetime as dt

    return dt.datetime(2024, 4, 1, 9, 30).strftime(fmt)


def _read_file(path: Path, name: str, spec: dict[str, Any], problems: list[dict[str, Any]]) -> pl.DataFrame | None:
    text = _decode(path, name, problems)
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        problems.append({"file": name, "row": 1, "field": "", "value_shown": "",
                         "problem": f"not a readable CSV file ({exc}); the whole file is kept out of the links"})
        return None
    frame = frame.with_columns([pl.col(c).str.strip_chars().fill_null("") for c in frame.columns])
    columns: dict[str, Any] = spec["columns"]
    used = {c for v in columns.values() for c in ([v] if isinstance(v, str) else v if isinstance(v, list) else [])}
    for col in frame.columns:
        if col not in used and col not in (spec.get("ignore") or []):
            problems.append({"file": name, "row": 1, "field": col, "value_shown": "",
                             "problem": "unknown column, ignored (add it to the mapping's 'ignore' list, or map it)"})
    missing = sorted(c for c in used if c not in frame.columns)
    if missing:
        for col in missing:
            problems.append({"file": name, "row": 1, "field": col, "value_shown": "",
                             "problem": f"the mapping names column {col!r} but the file has no such column "
                                        f"(it has: {', '.join(frame.columns)}); the whole file is kept out of the "
                                        "links"})
        return None
    n = frame.height
    out = frame.with_row_index("row", offset=2).select(
        pl.lit(str(spec["agency"])).alias("agency"), pl.lit(name).alias("source_file"),
        pl.col("row").cast(pl.Int64),
        *[_field_expr(fld, columns.get(fld)) for fld in FIELDS if fld not in ("summary",)],
        _summary_expr(columns.get("summary")),
    )
    # names given as one column
    if "full_name" in columns:
        if spec.get("name_order", "first last") == "last, first":
            parts = pl.col("full_name").str.split_exact(",", 1)
            out = out.with_columns(last_name=parts.struct.field("field_0").str.strip_chars().str.to_titlecase(),
                                   first_name=parts.struct.field("field_1").str.strip_chars())
        else:
            out = out.with_columns(
                first_name=pl.col("full_name").str.extract(r"^(\S+)"),
                last_name=pl.col("full_name").str.extract(r"^\S+\s+(.*)$").str.strip_chars())
    out = out.drop("full_name")
    usable = pl.Series("usable", [True] * n, dtype=pl.Boolean)
    # dates: a value that is not a date in the file's format keeps the row out
    for fld in ("dob", "event_date"):
        if fld not in columns:
            out = out.with_columns(pl.lit(None, pl.Date).alias(fld))
            continue
        fmt = spec["dates"][fld]
        has_time = any(t in fmt for t in ("%H", "%M", "%S"))
        parsed = (pl.col(fld).str.strptime(pl.Datetime, fmt, strict=False).dt.date() if has_time
                  else pl.col(fld).str.strptime(pl.Date, fmt, strict=False))
        out = out.with_columns(parsed.alias(f"_{fld}"))
        bad = out.filter(pl.col(fld).is_not_null() & (pl.col(fld) != "") & pl.col(f"_{fld}").is_null())
        for row, value in bad.select("row", fld).iter_rows():
            problems.append({"file": name, "row": row, "field": columns[fld], "value_shown": value,
                             "problem": f"{value!r} is not a date (expected {fmt}, e.g. {_example(fmt)}); the row "
                                        "is kept out of the links"})
        usable = usable & ~out.select(pl.col(fld).is_not_null() & (pl.col(fld) != "")
                                      & pl.col(f"_{fld}").is_null()).to_series()
        if fld == "event_date":
            blank = out.filter((pl.col(fld).is_null()) | (pl.col(fld) == ""))
            for (row,) in blank.select("row").iter_rows():
                problems.append({"file": name, "row": row, "field": columns[fld], "value_shown": "",
                                 "problem": "no event date; the row is kept out of the links"})
            usable = usable & ~out.select(pl.col(fld).is_null() | (pl.col(fld) == "")).to_series()
        out = out.drop(fld).rename({f"_{fld}": fld})
    # a record without its reference cannot be linked or shown
    no_ref = out.filter(pl.col("source_record_id").is_null() | (pl.col("source_record_id") == ""))
    for (row,) in no_ref.select("row").iter_rows():
        problems.append({"file": name, "row": row, "field": str(columns["source_record_id"]), "value_shown": "",
                         "problem": "no record reference; the row is kept out of the links"})
    usable = usable & ~out.select(pl.col("source_record_id").is_null() | (pl.col("source_record_id") == "")
                                  ).to_series()
    # identifiers: an invalid NHS number or UPN is not used
    out = out.with_columns(nhs_number_expr("nhs_number").alias("_nhs"))
    if "nhs_number" in columns:
        bad = out.filter((pl.col("nhs_number") != "") & pl.col("_nhs").is_null())
        for row, value in bad.select("row", "nhs_number").iter_rows():
            problems.append({"file": name, "row": row, "field": str(columns["nhs_number"]), "value_shown": value,
                             "problem": "not a valid NHS number (10 digits passing the modulus-11 check); the "
                                        "number is not used, the record is matched on its other fields"})
    out = out.drop("nhs_number").rename({"_nhs": "nhs_number"})
    if "upn" in columns:
        from careflow.share.identifiers import normalise_upn

        upns = out["upn"].to_list()
        clean = [normalise_upn(u) for u in upns]
        for row, value, ok in zip(out["row"].to_list(), upns, clean, strict=True):
            if value and ok is None and not str(value).upper().startswith("UN"):
                problems.append({"file": name, "row": row, "field": str(columns["upn"]), "value_shown": value,
                                 "problem": "not a valid UPN (a letter, 12 characters, the right check letter); the "
                                            "UPN is not used, the record is matched on its other fields"})
        out = out.with_columns(pl.Series("upn", clean, pl.String))
    codes = {str(k): str(v) for k, v in (spec.get("sex") or {}).items()}
    if "sex" in columns and codes:
        unknown = out.filter((pl.col("sex") != "") & ~pl.col("sex").is_in(list(codes)))
        for row, value in unknown.select("row", "sex").iter_rows():
            problems.append({"file": name, "row": row, "field": str(columns["sex"]), "value_shown": value,
                             "problem": f"sex code not in the mapping ({', '.join(codes)}); treated as not known"})
        out = out.with_columns(pl.col("sex").replace_strict(codes, default=None).replace("", None))
    elif "sex" in columns:
        out = out.with_columns(pl.col("sex").str.to_uppercase().str.slice(0, 1))
    out = out.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
         for c in ("first_name", "last_name", "postcode", "sex")])
    return out.with_columns(usable).select(RECORD_COLUMNS)


def _field_expr(fld: str, source: Any) -> pl.Expr:
    if source is None:
        return pl.lit(None, pl.String).alias(fld)
    if isinstance(source, dict):
        return pl.lit(str(source.get("value", "")), pl.String).alias(fld)
    if isinstance(source, list):
        return pl.col(source[0]).alias(fld)
    return pl.col(str(source)).alias(fld)


def _summary_expr(source: Any) -> pl.Expr:
    if source is None:
        return pl.lit(None, pl.String).alias("summary")
    if isinstance(source, dict):
        return pl.lit(str(source.get("value", "")), pl.String).alias("summary")
    cols = [source] if isinstance(source, str) else list(source)
    return pl.concat_str([pl.col(c) for c in cols], separator="; ", ignore_nulls=True).alias("summary")


def read_partner_files(partner_dir: Path, mapping: Path | None = None) -> PartnerRead:
    """Read every file the mapping names under ``partner_dir`` (default mapping: the synthetic partner files').

    A mapping's file name may be a pattern (``police/incidents_*.csv``: monthly extracts in one layout). CSV files
    under ``partner_dir`` that the mapping does not name are reported (not read); so is a mapped file that is absent.
    """
    files = load_mapping(mapping)
    partner_dir = Path(partner_dir)
    problems: list[dict[str, Any]] = []
    frames = []
    named: set[str] = set()
    for pattern, spec in files.items():
        # a name with * or ? is a pattern (monthly extracts: police/incidents_*.csv), read file by file
        paths = sorted(partner_dir.glob(pattern)) if any(c in pattern for c in "*?[") else [partner_dir / pattern]
        paths = [p for p in paths if p.is_file()]
        if not paths:
            problems.append({"file": pattern, "row": 0, "field": "", "value_shown": "",
                             "problem": "the mapping names this file but it is not in the partner folder"})
            continue
        for path in paths:
            name = path.relative_to(partner_dir).as_posix()
            named.add(name)
            frame = _read_file(path, name, spec, problems)
            if frame is not None:
                frames.append(frame)
    for path in sorted(partner_dir.rglob("*.csv")):
        rel = path.relative_to(partner_dir).as_posix()
        if rel not in named and rel != "truth.csv":
            problems.append({"file": rel, "row": 0, "field": "", "value_shown": "",
                             "problem": "a CSV file the mapping does not name; not read (add it to the mapping)"})
    schema = {c: pl.String for c in RECORD_COLUMNS} | {"row": pl.Int64, "dob": pl.Date, "event_date": pl.Date,
                                                        "usable": pl.Boolean}
    records = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=schema)
    return PartnerRead(records, problems)


PEOPLE_REQUIRED = ("person_id", "first_name", "last_name", "dob", "sex", "postcode", "nhs_number")


def read_people(path: Path) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """The people partner records are linked to, from a CSV file (e.g. exported from the record).

    Columns ``person_id, first_name, last_name, dob`` (YYYY-MM-DD), ``sex`` (M/F), ``postcode, nhs_number`` and
    optionally ``upn, family_id, role``. A missing column is an error (:class:`MappingError`); a date of birth
    that is not a date, an invalid NHS number or a repeated person_id is reported (the value is not used; a
    repeated person keeps its first row) and the rest of the row is linked on.
    """
    problems: list[dict[str, Any]] = []
    name = Path(path).name
    if not Path(path).exists():
        raise MappingError(f"{path}: no such people file")
    text = _decode(Path(path), name, problems)
    frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    frame = frame.with_columns([pl.col(c).str.strip_chars().fill_null("") for c in frame.columns])
    missing = [c for c in PEOPLE_REQUIRED if c not in frame.columns]
    if missing:
        raise MappingError(f"{path}: the people file lacks column(s) {', '.join(missing)} (it has: "
                           f"{', '.join(frame.columns)}; expected {', '.join(PEOPLE_REQUIRED)}, optionally upn)")
    for col in ("upn", "family_id", "role"):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(col))
    frame = frame.with_row_index("row", offset=2).with_columns(
        pl.col("dob").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("_dob"),
        nhs_number_expr("nhs_number").alias("_nhs"))
    for row, value in frame.filter((pl.col("dob") != "") & pl.col("_dob").is_null()).select("row", "dob").iter_rows():
        problems.append({"file": name, "row": row, "field": "dob", "value_shown": value,
                         "problem": f"{value!r} is not a date (expected YYYY-MM-DD, e.g. 2014-04-01); the person is "
                                    "matched on their other fields"})
    for row, value in frame.filter((pl.col("nhs_number") != "") & pl.col("_nhs").is_null()).select(
            "row", "nhs_number").iter_rows():
        problems.append({"file": name, "row": row, "field": "nhs_number", "value_shown": value,
                         "problem": "not a valid NHS number (10 digits passing the modulus-11 check); the number is "
                                    "not used, the person is matched on their other fields"})
    repeated = frame.filter(pl.col("person_id").is_duplicated() & (pl.int_range(pl.len()).over("person_id") > 0))
    for row, value in repeated.select("row", "person_id").iter_rows():
        problems.append({"file": name, "row": row, "field": "person_id", "value_shown": value,
                         "problem": "person_id repeated; this row is kept out (the first row with it is used)"})
    blank = frame.filter(pl.col("person_id") == "")
    for (row,) in blank.select("row").iter_rows():
        problems.append({"file": name, "row": row, "field": "person_id", "value_shown": "",
                         "problem": "no person_id; this row is kept out"})
    people = frame.filter(pl.col("person_id") != "").unique("person_id", keep="first", maintain_order=True).select(
        "person_id", "family_id", "role", pl.col("first_name").replace("", None), pl.col("last_name").replace("", None),
        pl.col("_dob").alias("dob"), pl.col("sex").str.to_uppercase().str.slice(0, 1).replace("", None),
        pl.col("postcode").replace("", None), pl.col("_nhs").alias("nhs_number"),
        pl.col("upn").replace("", None))
    return people, problems
