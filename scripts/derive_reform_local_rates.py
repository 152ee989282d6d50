"""Derive each area's own starts mix and placement mix for ``careflow.reform`` (local rates), from ../shared.

Writes ``src/careflow/reform/data/local_rates.csv``: one row per area (England and every local authority, keyed
by the DfE three-digit LA number) and year (2021, 2022) with

* starts in the year: total, unaccompanied asylum-seeking (UASC), and by age on starting (0-4, 5-9, 10-15, 16+);
* children looked after at 31 March: total, UASC, and by placement (secure and children's homes, foster,
  placed with parents, other).

Source: ``cla_la_by_characteristics_2021_2022/combined_cla_data.csv`` (starts) and
``combined_cla_31_march_data.csv`` (at 31 March), DfE "Children looked after in England including adoptions",
Crown copyright, Open Government Licence v3.0. Suppressed cells (c, x, k, z) become empty. Only counts are
derived, no modelling.

Run from the repository root::

    python scripts/derive_reform_local_rates.py [--shared ../shared] [--out src/careflow/reform/data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_OUT = REPO / "src" / "careflow" / "reform" / "data"
FOLDER = "data/dfe/cla_la_by_characteristics_2021_2022"

STARTS = {
    ("Unaccompanied asylum-seeking children", "Total"): "starts",
    ("Unaccompanied asylum-seeking children", "UASC"): "starts_uasc",
    ("Age on starting", "Under 1 year"): "starts_age_0_4",
    ("Age on starting", "1 to 4 years"): "starts_age_0_4",
    ("Age on starting", "5 to 9 years"): "starts_age_5_9",
    ("Age on starting", "10 to 15 years"): "starts_age_10_15",
    ("Age on starting", "16 years and over"): "starts_age_16_plus",
}
AT_MARCH = {
    ("Unaccompanied asylum-seeking children", "Total"): "cla",
    ("Unaccompanied asylum-seeking children", "UASC"): "cla_uasc",
    ("Placement", "Secure homes and children's homes"): "placed_childrens_home",
    ("Placement", "Foster placements"): "placed_foster",
    ("Placement", "Placed with parents or other person with parental responsibility"): "placed_with_parents",
}


def _read(path: Path, value: str, wanted: dict[tuple[str, str], str]) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema_length=0)
    raw = raw.filter(pl.col("geographic_level").is_in(["National", "Local authority"]))
    rows: dict[tuple[str, str, str, int], dict[str, float | None]] = {}
    for r in raw.iter_rows(named=True):
        col = wanted.get((r["cla_group"], r["characteristic"]))
        if col is None:
            continue
        level = "national" if r["geographic_level"] == "National" else "la"
        key = "England" if level == "national" else str(r["old_la_code"])
        name = "England" if level == "national" else str(r["la_name"])
        rid = (level, key, name, int(r["time_period"]))
        cell = r[value]
        num = float(cell) if cell not in (None, "", "c", "x", "k", "z", "u") else None
        out = rows.setdefault(rid, {})
        if col in out and out[col] is not None and num is not None:
            out[col] = float(out[col] or 0.0) + num  # two age groups summed into one band
        elif col in out and num is None:
            out[col] = None  # a suppressed part makes the band unknown
        else:
            out[col] = num
    records = [{"level": k[0], "key": k[1], "name": k[2], "year": k[3], **v} for k, v in rows.items()]
    return pl.DataFrame(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    folder = args.shared / FOLDER
    starts = _read(folder / "combined_cla_data.csv", "placements_number", STARTS)
    march = _read(folder / "combined_cla_31_march_data.csv", "cla_31_march_number", AT_MARCH)
    table = starts.join(march, on=["level", "key", "name", "year"], how="full", coalesce=True)
    cols = ["level", "key", "name", "year", *dict.fromkeys(STARTS.values()), *dict.fromkeys(AT_MARCH.values())]
    table = table.select(cols).sort("level", "key", "year", descending=[True, False, False])
    args.out.mkdir(parents=True, exist_ok=True)
    table.write_csv(args.out / "local_rates.csv")
    print(f"wrote {args.out / 'local_rates.csv'} ({table.height} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
