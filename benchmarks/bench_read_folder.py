"""Benchmark: reading the returns ``careflow forecast`` reads, the way it reads them (issue 9).

One synthetic LA (careflow.synth, as in ``bench_forecast_process.py``: 0-17 population 60,000, seed 1) is written as
DfE SSDA903 CSVs in per-year folders (collection years 2017 to 2021, ~4,500 episode rows). Each run is a fresh
Python process that imports what the command has imported by then (numpy, polars, careflow.cli, careflow.flows._cli,
careflow.tables) and numpy.ma (which the command imports anyway), then times
``read_folder(DIR, reconcile=False, collections={"ssda903"})`` (folder layouts, detection, the SSDA903 reader with
its validation and DfE rules, the reconciliation report) in CPU seconds: the first read, which also imports the
readers and loads the code lists as the command does, and a second read in the same process. Polars runs on one
thread (``POLARS_MAX_THREADS=1``), as for the command on a small input. Printed: the medians over ``--repeats``
processes, and the machine's load average.

``--python`` runs the reads with another interpreter (another checkout's virtual environment), to compare two
versions on the same files: run them alternately and compare medians (the machine is shared).

Usage: python benchmarks/bench_read_folder.py [--population 60000] [--seed 1] [--repeats 9] [--python PATH]

Measured 2026-12-03 (2 shared cores, load average 0.6-1.8; three alternating pairs of 9 processes each), with main's
virtual environment (the reader as at commit 05db2c8) and with this branch (readfast, issue 9): first read 0.213-0.226 s
CPU before, 0.084-0.110 s after (medians of the three: 0.219 s and 0.090 s, 2.4x); second read 0.149-0.168 s before,
0.056-0.077 s after (2.6x). Inside ``careflow forecast`` (the ``load_data`` stage, same base, 9-11 alternating runs)
0.174-0.207 s became 0.085-0.099 s (2.0-2.1x); there the old figure includes importing numpy.ma (~0.01 s), which the
forecast's fit now imports instead.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

RUN = """
import json, sys, time
# What `careflow forecast` has imported before it reads the returns (whichever the CLI imports lazily), and numpy.ma,
# which the forecast imports anyway (the reader used to import it first; now the fit does): not the reader's cost.
import numpy, numpy.ma, polars, careflow.cli, careflow.flows._cli, careflow.tables
from careflow.returns import read_folder
start = time.process_time()
read = read_folder(sys.argv[1], reconcile=False, collections={"ssda903"})
first = time.process_time() - start
start = time.process_time()
read_folder(sys.argv[1], reconcile=False, collections={"ssda903"})
second = time.process_time() - start
print(json.dumps({"first": first, "second": second, "issues": len(read.issues),
                  "episodes": read.data["looked_after_episodes"].height}))
"""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--population", type=int, default=60_000, help="0-17 population of the synthetic LA")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--python", default=sys.executable, help="the interpreter that reads (default: this one)")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from bench_flows import write_dfe_folders

    from careflow.synth import generate

    la = generate(args.population, end_year=2022, years=6, seed=args.seed)
    env = dict(os.environ, POLARS_MAX_THREADS="1", OPENBLAS_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        folders = Path(tmp) / "returns"
        write_dfe_folders(la.data, folders, 2017, 2021)
        runs = []
        before = load()
        for _ in range(args.repeats):
            done = subprocess.run([args.python, "-c", RUN, str(folders)], capture_output=True, text=True, env=env,
                                  check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = statistics.median(r["first"] for r in runs)
    second = statistics.median(r["second"] for r in runs)
    print(f"read_folder of 5 DfE per-year folders ({runs[0]['episodes']:,} episode rows, {runs[0]['issues']:,} issues) "
          f"with {args.python}, {args.repeats} fresh processes, medians:")
    print(f"   first read (with the readers' imports and code lists): {first:.3f} s CPU; "
          f"second read: {second:.3f} s CPU   [{before}; now {load()}]")


if __name__ == "__main__":
    main()
