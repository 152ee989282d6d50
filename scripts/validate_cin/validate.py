"""Run DfE's CIN census validation rules on a CIN census XML return.

Runs inside the venv that run.sh builds: it imports ``cin_validator`` from the PyPI package
``csc-validator-be-cin`` (github data-to-insight/csc-validator-be-cin), which pins pandas 1.5.3.
Do not import careflow here, and do not run this with careflow's own interpreter.

    python validate.py FILE.xml --year 2026 [--output FILE] [--fail-on-crash] [-v]

Prints the rules that failed, errors and queries apart (rule code, failing locations, children,
message), then ``total errors: N`` (error rules only) and ``total queries: M``; writes one line
per failing location to FILE's folder/cin_validation_errors.csv (or --output).
Exit status: 0 no errors (query rules may have fired), 1 errors found (or, with --fail-on-crash,
a rule crashed), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import re
import sys
import warnings
import xml.etree.ElementTree as ET
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

OUTPUT_NAME = "cin_validation_errors.csv"
OUTPUT_COLUMNS = ["rule_code", "rule_type", "rule_message", "table", "row_index", "child_id", "fields"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = parser("validate_cin", "Run DfE's CIN census validation rules (csc-validator-be-cin) on a CIN census XML file.",
               "file", "a CIN census XML return", "2025-26 -> 2026",
               f"per-location error CSV (default: beside FILE, {OUTPUT_NAME})")
    return p.parse_args(argv)


def supported_years() -> list[int]:
    import cin_validator.rules as rules

    return _supported_years(rules.__path__, "cin")


def reference_date(root: ET.Element) -> str | None:
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "ReferenceDate":
            return (el.text or "").strip()
    return None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not args.verbose:
        warnings.simplefilter("ignore")
    try:
        import pandas as pd
        from cin_validator import cin_validator
        from cin_validator.rule_engine import RuleType
    except ImportError as e:  # pragma: no cover - environment problem
        print(f"validate_cin: cannot import the validator ({e}); run this through run.sh", file=sys.stderr)
        return EXIT_USAGE

    try:
        years = supported_years()
        if args.year not in years:
            raise UsageError(f"--year {args.year} not supported by this validator; supported: {years}")
        if not args.file.is_file():
            raise UsageError(f"{args.file} is not a file")
        try:
            root = ET.parse(args.file).getroot()
        except ET.ParseError as e:
            raise UsageError(f"{args.file}: not well-formed XML ({e})") from e
        ref = reference_date(root)
        expected = f"{args.year}-03-31"
        if ref != expected:
            # the rules take the census period from the header's ReferenceDate, not from --year
            raise UsageError(f"{args.file}: ReferenceDate is {ref!r}; the {args.year - 1}-{args.year % 100:02d} "
                             f"census has {expected}")
        label = f"cin{args.year - 1}_{args.year % 100:02d}"
        registry = importlib.import_module(f"cin_validator.rules.{label}").registry
        captured = io.StringIO()
        try:
            with contextlib.redirect_stdout(sys.stderr if args.verbose else captured):
                data = cin_validator.process_data(cin_validator.convert_data(root))
                v = cin_validator.CinValidator(data, registry)
        except Exception as e:
            if args.verbose:
                raise
            raise UsageError(f"the validator failed reading {args.file}: {type(e).__name__}: {e}") from e
    except UsageError as e:
        print(f"validate_cin: {e}", file=sys.stderr)
        return EXIT_USAGE

    crashed = sorted(set(re.findall(r"^Error with rule (\S+?):", captured.getvalue(), re.M)), key=rule_sort_key)

    def kind(code: str) -> str:
        rule = registry.get(code)
        return "query" if rule is not None and rule.rule_type == RuleType.QUERY else "error"

    def message(code: str) -> str:
        rule = registry.get(code)
        return " ".join(((rule.message if rule else "") or "").split())

    records = []
    issues = v.full_issue_df
    for row in issues.to_dict("records"):
        code = str(row["rule_code"])
        cols = row.get("columns_affected")
        records.append({
            "rule_code": code, "rule_type": kind(code), "rule_message": message(code),
            "table": row.get("tables_affected") or "",
            "row_index": "" if pd.isna(row.get("row_id")) else int(row["row_id"]),
            "child_id": "" if pd.isna(row.get("child_id")) else str(row["child_id"]),
            "fields": ";".join(cols) if isinstance(cols, (list, tuple)) else ("" if pd.isna(cols) else str(cols)),
        })
    # rules about the return as a whole (the header, or LA level): no child
    for row in v.multichild_issues.drop_duplicates().to_dict("records"):
        code = str(row["rule_code"])
        records.append({"rule_code": code, "rule_type": kind(code), "rule_message": message(code),
                        "table": "Header/LA", "row_index": "", "child_id": "", "fields": ""})
    records.sort(key=lambda r: (rule_sort_key(r["rule_code"]), r["table"], str(r["row_index"])))

    output = args.output or args.file.parent / OUTPUT_NAME
    try:
        with open(output, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=OUTPUT_COLUMNS)
            w.writeheader()
            w.writerows(records)
    except OSError as e:
        print(f"validate_cin: cannot write {output}: {e} (use --output)", file=sys.stderr)
        return EXIT_USAGE

    counts: dict[str, int] = {}
    children: dict[str, set[str]] = {}
    for r in records:
        counts[r["rule_code"]] = counts.get(r["rule_code"], 0) + 1
        if r["child_id"]:
            children.setdefault(r["rule_code"], set()).add(r["child_id"])
    errors = {c: n for c, n in counts.items() if kind(c) == "error"}
    queries = {c: n for c, n in counts.items() if kind(c) == "query"}

    print(f"CIN census validation, collection year {args.year - 1}-{args.year % 100:02d} (ruleset {label})")
    print(f"rules: {len(registry)} in ruleset, {len(registry) - len(crashed)} ran, {len(crashed)} crashed")
    for title, group in (("errors", errors), ("queries (listed, not failed)", queries)):
        if not group:
            continue
        print(f"\n{title}:")
        width = max(5, *(len(c) for c in group))
        print(f"{'rule':<{width}} {'locations':>9} {'children':>8}  message")
        for code in sorted(group, key=rule_sort_key):
            msg = message(code)
            if len(msg) > 90:
                msg = msg[:87] + "..."
            print(f"{code:<{width}} {group[code]:>9} {len(children.get(code, ())):>8}  {msg}")
    print()
    if crashed:
        print("rules that crashed (not validated, not counted as errors; --verbose shows why): " + ", ".join(crashed))
    print(f"total errors: {sum(errors.values())} (failing locations, summed over {len(errors)} error rules)")
    print(f"total queries: {sum(queries.values())} (over {len(queries)} query rules)")
    print(f"per-location list: {output}")
    return EXIT_ERRORS if errors or (args.fail_on_crash and crashed) else EXIT_OK


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:  # never let a crash look like exit 1 ("errors found")
        import traceback

        traceback.print_exc()
        sys.exit(EXIT_USAGE)
