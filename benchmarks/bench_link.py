"""Linking partner records to children at scale: the issue's target is 1,000,000 partner records to 100,000
children on one machine in under 5 minutes and under 8 GB (splink on DuckDB).

    python benchmarks/bench_link.py                                   # 100,000 children, about 1,000,000 records
    python benchmarks/bench_link.py --children 10000 --months 12      # smaller
    python benchmarks/bench_link.py --data /tmp/partners-100k         # keep (or reuse) the generated files

The synthetic families and partner files are made first in a separate process (not timed, not in the peak), then
this process links them: it prints the records linked, the wall time of :func:`careflow.share.link.link` (reading
the files, NHS-number matching, training and scoring with splink, the decisions, the files and the report) and
the process's peak resident memory, with the machine's load average (the test machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GENERATE = """
import datetime as dt, sys
from pathlib import Path
from careflow.synth.partners import make_people, make_partner_data
children, months, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
people = make_people(children, seed=1)
out.mkdir(parents=True, exist_ok=True)
people.write_parquet(out / "people.parquet")
end = dt.date(2026, 3, 31)
start = dt.date(end.year - (months // 12), end.month, 1) - dt.timedelta(days=30 * (months % 12))
make_partner_data(people, seed=1, out_dir=out / "partners", start=start, end=end)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=60,
                        help="months of partner records (60 gives about 1,017,000 records for 100,000 children; "
                             "most families have few contacts a year)")
    parser.add_argument("--data", type=Path, default=None, help="folder for the generated data (reused if there)")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="careflow-bench-link-"))
    if not (data / "people.parquet").exists():
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", GENERATE, str(args.children), str(args.months), str(data)], check=True)
        print(f"generated {args.children:,} children's families and their partner files in "
              f"{time.perf_counter() - began:.0f} s (not timed below)", flush=True)

    import polars as pl

    from careflow.share.link import link

    people = pl.read_parquet(data / "people.parquet")
    load_before = os.getloadavg()
    began = time.perf_counter()
    result = link(people, data / "partners", data / "out", progress=False)
    seconds = time.perf_counter() - began
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # kilobytes on Linux
    load_after = os.getloadavg()
    quality = result.quality or {}
    print(f"people: {people.height:,} ({people.filter(pl.col('role') == 'child').height:,} children)")
    print(f"partner records: {result.n_records:,}; linked {result.links.height:,}; review queue "
          f"{result.review.height:,}; kept out as bad input {result.n_kept_out:,}")
    if quality:
        print(f"precision {quality['precision']:.4f}  recall {quality['recall']:.4f}  f1 {quality['f1']:.4f}  "
              f"(NHS number only: recall {quality['nhs_number_only']['recall']:.4f})")
    print(f"wall time of link(): {seconds:.1f} s (target < 300 s)")
    print(f"peak resident memory: {peak_gb:.2f} GB (target < 8 GB)")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} on {os.cpu_count()} cores "
          f"(finished {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
