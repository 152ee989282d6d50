"""Benchmark: write and read back a CIN census of ~50,000 random valid children.

Run ``python benchmarks/bench_cin_io.py [--children 50000] [--year 2026]``. Prints the seconds taken to write,
to read (parse, XSD check, mapping, validation), the file size, and peak memory (the process's resident set,
which counts lxml's C allocations, and Python's own peak as traced by tracemalloc during the read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import polars as pl

from careflow.returns.cin import CIN_TABLES, read_cin_census, write_cin_census
from careflow.returns.cin._codes import cin_codes
from careflow.tables import CareData, schema


def _codes(name: str, year: int, fallback: list[str]) -> list[str]:
    found = cin_codes(name, year)
    return list(found) if found else fallback


def random_census(children: int, year: int, seed: int = 0) -> CareData:
    """Random tables that make a valid CIN census of ``year``: dates inside the year, codes of that year."""
    rng = np.random.default_rng(seed)
    start = dt.date(year - 1, 4, 1)
    days = (dt.date(year, 3, 31) - start).days

    def day() -> dt.date:
        return start + dt.timedelta(days=int(rng.integers(0, days + 1)))

    def pick(values: list[str]) -> str:
        return values[int(rng.integers(len(values)))]

    sexes = _codes("sex", year, ["M", "F", "U"] if year >= 2025 else ["1", "2"])
    ethnicities = _codes("ethnicity", year, ["WBRI"])
    disabilities = [c for c in _codes("disability", year, ["NONE"]) if c != "NONE"] or ["NONE"]
    sources = _codes("referral_source", year, ["1A"])
    needs = _codes("primary_need", year, ["N1"])
    closures = _codes("reason_for_closure", year, ["RC1"])
    factors = _codes("assessment_factors", year, ["1A"])
    abuse = _codes("category_of_abuse", year, ["NEG"])
    outcomes = _codes("pre_proceedings_outcome", year, ["A", "B"])
    rows: dict[str, list[dict[str, object]]] = {t: [] for t in CIN_TABLES}
    for n in range(children):
        cid = f"C{n:07d}"
        rows["children"].append({
            "child_id": cid,
            "upn": f"A{int(rng.integers(10**11, 10**12)):012d}",
            "date_of_birth": dt.date(year - 1, 3, 31) - dt.timedelta(days=int(rng.integers(0, 17 * 365))),
            "sex": pick(sexes),
            "ethnicity": pick(ethnicities),
            "disabilities": [pick(disabilities)] if rng.random() < 0.1 else None,
        })
        for rid in range(1, int(rng.integers(1, 3)) + 1):
            referral = day()
            closed = rng.random() < 0.5
            rows["referrals"].append({
                "child_id": cid, "referral_id": rid, "referral_date": referral,
                "referral_source": pick(sources), "primary_need": pick(needs),
                "closure_date": referral if closed else None,
                "reason_for_closure": pick(closures) if closed else None,
                "is_no_further_action": bool(rng.random() < 0.1),
            })
            if rng.random() < 0.8:
                rows["assessments"].append({
                    "child_id": cid, "referral_id": rid, "assessment_id": 1, "start_date": referral,
                    "authorisation_date": referral, "factors": [pick(factors), pick(factors)],
                })
            if rng.random() < 0.3:
                rows["child_in_need_plans"].append({
                    "child_id": cid, "referral_id": rid, "plan_id": 1, "start_date": referral,
                })
            if rng.random() < 0.15:
                rows["section47_enquiries"].append({
                    "child_id": cid, "referral_id": rid, "enquiry_id": 1, "start_date": referral,
                    "is_conference_not_required": bool(rng.random() < 0.5),
                })
            if rng.random() < 0.08:
                rows["child_protection_plans"].append({
                    "child_id": cid, "referral_id": rid, "plan_id": 1, "start_date": referral,
                    "initial_category_of_abuse": pick(abuse), "latest_category_of_abuse": pick(abuse),
                    "number_of_previous_plans": int(rng.integers(0, 3)), "review_dates": [referral],
                })
            if year >= 2026 and rng.random() < 0.02:
                rows["pre_proceedings"].append({
                    "child_id": cid, "referral_id": rid, "pre_proceedings_id": 1, "start_date": referral,
                    "is_family_group_meeting_offered": True, "review_meetings_count": 1,
                    "outcome": pick(outcomes),
                })
    return CareData({name: pl.DataFrame(r, schema=schema(name).polars_schema, orient="row")
                     for name, r in rows.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    data = random_census(args.children, args.year)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cin.xml"
        write_cin_census(data, path, year=args.year)
        t2 = time.perf_counter()
        size = path.stat().st_size
        tracemalloc.start()
        result = read_cin_census(path)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        t3 = time.perf_counter()
    same = result.data.equals(data)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is KiB on Linux
    counts = ", ".join(f"{k} {v}" for k, v in data.counts().items())
    sys.stdout.write(
        f"CIN census {args.year - 1}-{args.year % 100:02d}, {args.children} children ({counts})\n"
        f"  generate  {t1 - t0:7.1f} s\n"
        f"  write     {t2 - t1:7.1f} s   ({size / 2**20:.1f} MiB)\n"
        f"  read      {t3 - t2:7.1f} s   ({len(result.issues)} issues, round trip equal: {same})\n"
        f"  peak memory: process {rss:.0f} MiB; Python objects during read {traced_peak / 2**20:.0f} MiB\n"
    )
    return 0 if same and not result.has_errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
