"""Benchmark: write and read back a CIN census of ~50,000 random valid children.

Run ``python benchmarks/bench_cin_io.py [--children 50000] [--year 2026]``. Prints the seconds taken to write
and to read (parse, XSD check, mapping, validation), the file size, and each phase's peak memory (resident set,
which counts lxml's C allocations), each phase in a fresh Python process so that its peak is its own. CPU
seconds are printed beside wall-clock seconds, which a busy machine inflates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
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


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def _phase(phase: str, children: int, year: int, path: Path) -> dict[str, object]:
    """One phase in this process: ``write`` (generate, then write) or ``read`` (read, then compare)."""
    if phase == "write":
        data = random_census(children, year)
        before = _peak_mib()
        t0, c0 = time.perf_counter(), time.process_time()
        write_cin_census(data, path, year=year)
        return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                "peak_mib": _peak_mib(), "generated_peak_mib": before,
                "mib": path.stat().st_size / 2**20, "counts": data.counts()}
    t0, c0 = time.perf_counter(), time.process_time()
    result = read_cin_census(path)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mib()  # before regenerating the data to compare with
    same = result.data.equals(random_census(children, year))
    return {"seconds": seconds, "cpu": cpu, "peak_mib": peak, "issues": len(result.issues), "errors": result.has_errors,
            "same": same}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--phase", choices=["write", "read"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        sys.stdout.write(json.dumps(_phase(args.phase, args.children, args.year, args.path)) + "\n")
        return 0
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cin.xml"
        for phase in ("write", "read"):
            # Each phase in a fresh process, so that its peak memory is its own.
            out = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--path", str(path),
                 "--children", str(args.children), "--year", str(args.year)],
                check=True, capture_output=True, text=True,
            )
            figures[phase] = json.loads(out.stdout)
    w, r = figures["write"], figures["read"]
    counts = ", ".join(f"{k} {v}" for k, v in w["counts"].items())
    sys.stdout.write(
        f"CIN census {args.year - 1}-{args.year % 100:02d}, {args.children} children ({counts})\n"
        f"  write  {w['seconds']:6.1f} s ({w['cpu']:.1f} s CPU)   file {w['mib']:.1f} MiB   "
        f"peak RSS {w['peak_mib']:.0f} MiB "
        f"(of which generating the tables {w['generated_peak_mib']:.0f} MiB)\n"
        f"  read   {r['seconds']:6.1f} s ({r['cpu']:.1f} s CPU)   peak RSS {r['peak_mib']:.0f} MiB   "
        f"{r['issues']} issues, round trip equal: {r['same']}\n"
    )
    return 0 if r["same"] and not r["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
