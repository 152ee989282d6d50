"""Derive the compact workforce table ``careflow.supply.workforce`` runs on, from ../shared (DfE statistics).

Writes ``src/careflow/supply/data/workforce/la_workforce.csv``: one row per area (England, the regions, every local
authority) and year with

* from "Children's social work workforce" (``workforce/csww_indicators_2017_to_2025.csv``, census at 30 September
  2017-2022): social workers in post (FTE, headcount), starters and leavers (FTE), agency workers (FTE) and agency
  workers covering vacancies (FTE), vacancies (FTE), case holders (FTE), cases, caseload per case holder;
* from "Characteristics of children in need" (``cin_cpp/c4_...`` and ``cin_cpp/d5_...``, years ending 31 March
  2017-2022): section 47 enquiries started, initial child protection conferences, children on a child protection
  plan at 31 March.

Suppression markers are kept as published (``c`` suppressed, ``x`` not available, ``z`` not applicable, ``u`` low
reliability, ``low``): the model reads them and falls back with a stated note, never a silent zero. Only values
are copied, nothing modelled. Crown copyright, Open Government Licence v3.0.

Run from the repository root::

    python scripts/derive_workforce_tables.py [--shared ../shared] [--out src/careflow/supply/data/workforce]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
OUT = REPO / "src" / "careflow" / "supply" / "data" / "workforce" / "la_workforce.csv"
WORKFORCE = "data/dfe/workforce/csww_indicators_2017_to_2025.csv"
S47 = "data/dfe/cin_cpp/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
CPP = "data/dfe/cin_cpp/d5_cpps_at31march_by_duration_2013_to_2025.csv"
FIRST_YEAR = 2017

# column in the derived table <- column in the DfE file
WORKFORCE_COLUMNS = {
    "social_worker_fte": "inpost_fte",
    "social_worker_headcount": "inpost_headcount",
    "starters_fte": "starters_fte",
    "leavers_fte": "leavers_fte",
    "agency_fte": "agency_fte",
    "agency_cover_fte": "agency_cover_fte",
    "vacancy_fte": "vacancy_fte",
    "case_holders_fte": "case_holders_fte",
    "cases": "cases",
    "caseload_fte": "caseload_fte",
}
CIN_COLUMNS = {"section_47_enquiries": (S47, "Section47"), "initial_conferences": (S47, "ICPC"),
               "child_protection_plans_at_31_march": (CPP, "CPP_At31")}
LEVELS = {"National": "national", "Regional": "region", "Local authority": "la"}


def _key(row: dict[str, str]) -> tuple[str, str]:
    level = LEVELS[row["geographic_level"]]
    if level == "national":
        return level, "E92000001"
    if level == "region":
        return level, row["region_code"]
    return level, row["new_la_code"]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if r["geographic_level"] in LEVELS and int(r["time_period"]) >= FIRST_YEAR]


def derive(shared: Path) -> list[dict[str, str]]:
    rows: dict[tuple[str, str, int], dict[str, str]] = {}

    def base(r: dict[str, str]) -> dict[str, str]:
        level, code = _key(r)
        out = rows.setdefault((level, code, int(r["time_period"])), {
            "year": r["time_period"], "level": level, "code": code,
            "name": {"national": "England", "region": r["region_name"], "la": r["la_name"]}[level],
            "la_number": r.get("old_la_code", "") if level == "la" else "",
            "region": r["region_name"] if level == "la" else "",
        })
        return out

    for r in _read(shared / WORKFORCE):
        out = base(r)
        for ours, theirs in WORKFORCE_COLUMNS.items():
            out[ours] = r[theirs].strip()
    for ours, (rel, theirs) in CIN_COLUMNS.items():
        for r in _read(shared / rel):
            base(r)[ours] = r[theirs].strip()
    cols = ["year", "level", "code", "name", "la_number", "region", *WORKFORCE_COLUMNS, *CIN_COLUMNS]
    order = {"national": 0, "region": 1, "la": 2}
    out = sorted(rows.values(), key=lambda d: (order[d["level"]], d["name"], d["code"], int(d["year"])))
    return [{c: d.get(c, "") for c in cols} for d in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=OUT.parent, help="folder for la_workforce.csv")
    args = parser.parse_args()
    rows = derive(args.shared)
    out = args.out / OUT.name
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
