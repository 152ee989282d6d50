"""Run DfE's SSDA903 validation rules on a folder of SSDA903 CSV files.

Runs inside the venv that run.sh builds: it imports ``lac_validator`` from the PyPI package
``csc-validator-be-903`` (github data-to-insight/csc-validator-be-903), which pins pandas<2.
Do not import careflow here, and do not run this with careflow's own interpreter.

    python validate.py DIR --year 2024 [--la-code E09000027] [--previous DIR] [--output FILE]

DIR holds SSDA903 CSVs named like header.csv, episodes.csv, uasc.csv, reviews.csv, oc2.csv,
oc3.csv, ad1.csv, placed_for_adoption.csv, previous_permanence.csv, missing.csv,
sw_episodes.csv, dolo.csv (case-insensitive; any subset; rules whose tables are absent are
skipped). DIR may instead be a single SSDA903 XML return file.

Prints a summary (rule code, failing rows, message) and the total; writes one line per failing
(rule, row) to DIR/validation_errors.csv (or --output).
Exit status: 0 no errors, 1 errors found (or, with --fail-on-crash, a rule crashed), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import logging
import re
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # scripts/, for validator_common
from validator_common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    parser,
    rule_sort_key,
)
from validator_common import supported_years as _supported_years

# file name stem (lower case) -> the validator's table name (lac_validator.config.column_names)
FILE_TABLES = {
    "header": "Header",
    "episodes": "Episodes",
    "uasc": "UASC",
    "reviews": "Reviews",
    "oc2": "OC2",
    "oc3": "OC3",
    "ad1": "AD1",
    "placed_for_adoption": "PlacedAdoption",
    "previous_permanence": "PrevPerm",
    "missing": "Missing",
    "sw_episodes": "SWEpisodes",
    "dolo": "DoLo",
}
OUTPUT_NAME = "validation_errors.csv"
DEFAULT_LA = "E09000027"  # the code the validator's own CLI uses (Richmond upon Thames)
OUTPUT_COLUMNS = [
    "rule_code",
    "rule_message",
    "file",
    "table",
    "row_index",
    "csv_line",
    "child_id",
    "fields",
    "values",
]
BOM = b"\xef\xbb\xbf"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = parser("validate_903", "Run DfE's SSDA903 validation rules (csc-validator-be-903) on SSDA903 CSV files.",
               "dir", "folder of SSDA903 CSVs (header.csv, episodes.csv, ...) or an XML file", "2023-24 -> 2024",
               f"per-row error CSV (default: DIR/{OUTPUT_NAME})")
    p.add_argument(
        "--la-code",
        default=DEFAULT_LA,
        help="the submitting LA's ONS upper-tier code, e.g. E09000027 (not the 3-digit DfE number: "
        "the validator compares it with the LA it derives from placement postcodes). Default: %(default)s",
    )
    p.add_argument("--previous", type=Path, help="folder of last year's SSDA903 CSVs (same file names)")
    return p.parse_args(argv)


def supported_years() -> list[int]:
    import lac_validator.rules as rules

    return _supported_years(rules.__path__, "lac")


def check_la_code(code: str) -> str:
    from lac_validator.datastore import la_df

    code = code.strip().upper()
    if re.fullmatch(r"\d{3}", code):
        raise UsageError(
            f"--la-code {code}: the validator needs the LA's ONS upper-tier code (like E09000027), not the "
            "3-digit DfE LA number; it compares it with the LA derived from placement postcodes "
            "(rules 1015, 241, 229, 411)."
        )
    known = set(la_df["UTLA21CD"].dropna())
    if code not in known:
        raise UsageError(
            f"--la-code {code}: not an upper-tier LA code in the validator's ONS lookup (2021 boundaries), "
            "e.g. E09000027, E08000025, E10000014"
        )
    return code


def csv_lines(content: bytes) -> list[int]:
    """1-based physical line of each data row, as pandas numbers them (blank lines skipped)."""
    text = content.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = []
    for i, record in enumerate(reader):
        if i == 0 or not record:
            continue
        lines.append(reader.line_num)
    return lines


def collect_csvs(folder: Path, description: str, column_names: dict) -> tuple[list[dict], dict]:
    """Read the known SSDA903 CSVs in folder; returns upload dicts for the validator and table -> info."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    uploads, info = [], {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file():
            continue
        table = FILE_TABLES.get(path.stem.lower())
        if table is None:
            if path.name != OUTPUT_NAME:
                print(f"validate_903: ignoring {path} (not an SSDA903 file name)", file=sys.stderr)
            continue
        if table in info:
            raise UsageError(f"two files for {table} in {folder}: {info[table]['file']} and {path.name}")
        content = path.read_bytes()
        if content.startswith(BOM):
            content = content[len(BOM) :]
        first = content.decode("utf-8", errors="replace").splitlines()[:1]
        columns = next(csv.reader(first), []) if first else []
        expected = column_names[table]
        if set(columns) != set(expected):
            missing = [c for c in expected if c not in columns]
            extra = [c for c in columns if c not in expected]
            raise UsageError(
                f"{path}: columns do not match the SSDA903 {table} table"
                + (f"; missing {missing}" if missing else "")
                + (f"; unexpected {extra}" if extra else "")
                + f" (expected exactly {expected}, any order)"
            )
        uploads.append({"name": str(path), "description": description, "file_content": content})
        info[table] = {"file": path.name, "lines": csv_lines(content)}
    return uploads, info


def main(argv: list[str]) -> int:
    args = parse_args(argv)

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        warnings.simplefilter("ignore")
        # rule crashes are reported in our summary; keep their tracebacks for --verbose
        logging.getLogger("lac_validator").setLevel(logging.CRITICAL)

    try:
        from lac_validator import lac_validator
        from lac_validator.config import column_names
        from lac_validator.rules.ruleset_utils import get_year_ruleset
        from lac_validator.types import UploadError
    except ImportError as e:  # pragma: no cover - environment problem
        print(f"validate_903: cannot import the validator ({e}); run this through run.sh", file=sys.stderr)
        return EXIT_USAGE

    try:
        years = supported_years()
        if args.year not in years:
            raise UsageError(f"--year {args.year} not supported by this validator; supported: {years}")
        la_code = check_la_code(args.la_code)

        target = args.dir
        if target.is_file() and target.suffix.lower() == ".xml":
            if args.previous:
                raise UsageError("--previous is not supported with an XML file (the validator reads one XML only)")
            uploads = [{"name": str(target), "description": "This year", "file_content": target.read_bytes()}]
            info = {}
            out_dir = target.parent
            source_name = target.name
        else:
            uploads, info = collect_csvs(target, "This year", column_names)
            if not uploads:
                raise UsageError(
                    f"no SSDA903 CSVs in {target} (expected names: " + ", ".join(f"{s}.csv" for s in FILE_TABLES) + ")"
                )
            out_dir = target
            source_name = None
        if args.previous:
            prev_uploads, prev_info = collect_csvs(args.previous, "Prev year", column_names)
            uploads += prev_uploads
            info.update({f"{t}_last": {**i, "file": f"previous/{i['file']}"} for t, i in prev_info.items()})
        output = args.output or out_dir / OUTPUT_NAME

        registry = get_year_ruleset(str(args.year))
        metadata = {"collectionYear": str(args.year), "localAuthority": la_code}
        try:
            # some rules print() debug output: keep our stdout for the report
            with contextlib.redirect_stdout(sys.stderr if args.verbose else io.StringIO()):
                v = lac_validator.LacValidator(metadata=metadata, files=uploads, registry=registry)
        except UploadError as e:
            raise UsageError(f"the validator rejected the files: {e}") from e
        except Exception as e:  # e.g. a CSV pandas cannot parse: not a validation result
            if args.verbose:
                raise
            raise UsageError(f"the validator failed reading the files: {type(e).__name__}: {e}") from e
    except UsageError as e:
        print(f"validate_903: {e}", file=sys.stderr)
        return EXIT_USAGE

    # Collect one record per failing (rule, row).
    records = []
    for table, df in v.ds_results.items():
        if table == "metadata":
            continue
        tinfo = info.get(table, {})
        lines = tinfo.get("lines", [])
        for col in [c for c in df.columns if c.startswith("ERR_")]:
            code = col[4:]
            rule = registry.get(code)
            fields = list(dict.fromkeys((rule.affected_fields if rule else None) or []))
            failing = df.index[df[col] == True]  # noqa: E712 - object column of True/NaN
            if len(failing) == 0:
                continue
            shown = [f for f in fields if f in df.columns]
            cols = [c for c in dict.fromkeys(["CHILD", *shown]) if c in df.columns]
            rows = df.loc[failing, cols].to_dict("records")
            for idx, row in zip(failing, rows, strict=True):
                pos = int(idx)  # the validator's tables keep pandas' default RangeIndex
                records.append(
                    {
                        "rule_code": code,
                        "rule_message": (rule.message if rule else "") or "",
                        "file": tinfo.get("file", source_name or table),
                        "table": table,
                        "row_index": pos,
                        "csv_line": lines[pos] if pos < len(lines) else "",
                        "child_id": row["CHILD"] if _present(row.get("CHILD")) else "",
                        "fields": ";".join(fields),
                        "values": "; ".join(f"{f}={row[f]}" for f in shown if _present(row.get(f))),
                    }
                )
    records.sort(key=lambda r: (rule_sort_key(r["rule_code"]), r["file"], r["row_index"]))

    try:
        with open(output, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=OUTPUT_COLUMNS)
            w.writeheader()
            w.writerows(records)
    except OSError as e:
        print(f"validate_903: cannot write {output}: {e} (use --output)", file=sys.stderr)
        return EXIT_USAGE

    counts: dict[str, int] = {}
    for r in records:
        counts[r["rule_code"]] = counts.get(r["rule_code"], 0) + 1

    tables = ", ".join(sorted(t for t in v.dfs))
    print(
        f"SSDA903 validation, collection year {args.year - 1}-{str(args.year)[2:]} "
        f"(ruleset lac{args.year - 1}_{str(args.year)[2:]}), LA {la_code}"
    )
    print(f"tables read: {tables}")
    print(
        f"rules: {len(registry)} in ruleset, {len(v.dones)} ran, "
        f"{len(v.skips)} skipped (tables not supplied), {len(v.fails)} crashed"
    )
    if counts:
        print()
        width = max(4, *(len(c) for c in counts))
        print(f"{'rule':<{width}} {'rows':>6}  message")
        for code in sorted(counts, key=rule_sort_key):
            msg = " ".join(((registry[code].message if code in registry else "") or "").split())
            if len(msg) > 100:
                msg = msg[:97] + "..."
            print(f"{code:<{width}} {counts[code]:>6}  {msg}")
        print()
    if v.fails:
        print(
            "rules that crashed (not validated, not counted as errors; --verbose shows why): "
            + ", ".join(sorted(v.fails, key=rule_sort_key))
        )
    print(f"total errors: {len(records)} (failing rows, summed over {len(counts)} rules)")
    print(f"per-row list: {output}")
    return EXIT_ERRORS if records or (args.fail_on_crash and v.fails) else EXIT_OK


def _present(value) -> bool:
    import pandas as pd

    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like values
        return True


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:  # never let a crash look like exit 1 ("errors found")
        import traceback

        traceback.print_exc()
        sys.exit(EXIT_USAGE)
