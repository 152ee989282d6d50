"""Whole-process benchmark: ``careflow forecast`` against the Social Finance demand model on the same LA.

Both are run as a user runs them, as separate processes, start-up included: the time from launching the process
to its exit. One synthetic LA (careflow.synth) is written as DfE SSDA903 CSVs in per-year folders (collection
years 2017 to 2021); the peer (cs-demand-model, in its own virtual environment: ``bash
benchmarks/peer_demand_model/setup_venv.sh``) reads the folders, fits on the three years to 31 March 2021 and
projects 24 months (``peer_demand_model/run_peer.py``); careflow runs ``careflow forecast DIR --out OUT``, whose
defaults are the same window and horizon, and which does more: 80%/95% bands with the parameters' estimation
error, unit costs, a 12-month back-test, CSV tables and an HTML report.

Both run from bytecode, as installed packages do (pip compiles them when it installs): careflow's modules are
compiled first, since an editable install under ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile careflow's
sources afresh in every run (about 0.2 s of CPU) while the peer's are compiled.

Also printed: how close the bands' edges are to converged with careflow's number of parameter draws (100),
against 4,000 draws on the same LA (the justification for 100 rather than 200).

Printed for each: the median over ``--repeats`` runs (careflow's and the peer's interleaved, so that each pair
shares the machine's state) of the wall-clock seconds and of the CPU seconds (user + system, of the process and its
threads), the ratios peer / careflow of the medians and the CPU ratio of each pair. The start-up of ``careflow
--help`` and of ``python -c "import careflow"`` is printed too. The machine's load average is printed beside the
figures: on a shared machine wall-clock times vary with the load; CPU seconds less, but they drift too.

Usage: python benchmarks/bench_forecast_process.py [--population 60000] [--seed 1] [--repeats 3]

Measured 2026-12-03 (issue 9, item 10; 2 shared cores, load average 3.2): careflow forecast 0.95 s CPU, 1.11 s
wall; the peer 4.64 s CPU, 4.75 s wall: 4.9x in CPU, 4.3x wall-clock (the target is 10x). Before the speed-ups
of that day (commit aad1523), the same forecast took 1.59 s CPU against 1.04 s after, run alternately on the same
LA (the 200 draws and the back-test had taken it to ~3x). What is left is mostly start-up that careflow does not
choose: the interpreter with typer (which builds pydantic validators for every option), rich, polars and numpy
take ~0.34 s of CPU before careflow's own code, ~0.45 s with it; reading five years of returns with their
validation ~0.14 s, the projection and back-test with their bands ~0.12 s.

Later that day the CLI moved from typer to click, and a Markov forecast stopped importing rich (it prints a few plain
lines; the projection is too short for a bar): ``careflow forecast`` of a 1,312-child LA (five years of returns) took
0.74-0.77 s of CPU against 0.97-1.00 s before, and ``careflow --help`` 0.07 s against 0.23 s (medians of 5 alternating
runs of the two installs, from bytecode; the peer not re-run).

Measured 2026-12-03 after the CLI's move to click, the SSDA903 reader's fewer queries (returns/, tables/validate.py)
and the projection's restructuring (flows/): careflow forecast 0.93 s CPU, 0.94 s wall; the peer 11.19 s CPU, 11.10 s
wall: **12.0x in CPU, 11.8x wall-clock** (5 interleaved pairs, load average 0.4-0.8; each pair's CPU ratio 10.4x to
13.5x). An earlier run that day, not interleaved: 0.69 s against 8.65 s, 12.6x CPU. The machine's speed drifts: the
peer alone took 4.64 s on this input in the run above (the 4.9x), 7.7 s at the start of this day with careflow's code
unchanged (8.3x), and 8.2-11.2 s later; careflow's own gain, its code before and after run alternately
(7 pairs): 1.04 s -> 0.71 s CPU for the forecast, 0.245 s -> 0.075 s for ``careflow --help``. What is left is mostly
numpy and polars' own import (~0.25 s of CPU on one thread), then reading five years of returns (~0.12 s), the two
fits and projections with their bands (~0.17 s) and the report.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER = HERE / "peer_demand_model"
PEER_PYTHON = PEER / ".venv" / "bin" / "python"
CAREFLOW = Path(sys.executable).with_name("careflow")


def timed(cmd: list[str], timeout: float = 3600) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds (user + system of the child process) of one run, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        print(f"   [exit {done.returncode}] {' '.join(cmd[:3])} ...: {(done.stdout + done.stderr)[-600:]}")
    return wall, cpu, done.returncode


def median_of(cmd: list[str], repeats: int) -> tuple[float, float, bool]:
    runs = [timed(cmd) for _ in range(repeats)]
    ok = all(code == 0 for _, _, code in runs)
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), ok


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


def write_pooled_with_year(folders: Path, out: Path) -> None:
    """The same rows as one pooled folder with a YEAR column (a layout careflow also reads)."""
    import polars as pl

    out.mkdir(parents=True, exist_ok=True)
    for name in ("episodes.csv", "header.csv"):
        frames = [pl.read_csv(d / name, infer_schema_length=0).with_columns(pl.lit(d.name).alias("YEAR"))
                  for d in sorted(p for p in folders.iterdir() if p.is_dir())]
        pl.concat(frames).write_csv(out / name)


def print_convergence(folders: Path, seeds: int = 10, reference_draws: int = 4000) -> None:
    """How far the bands' edges are from converged with the forecast's number of parameter draws (and others):
    for each number of draws and seed, |edge - edge with ``reference_draws``| over the 95% band's width, for
    every edge (p2.5, p10, p90, p97.5) of every category, age band and the total in each of 24 months."""
    import numpy as np
    import polars as pl

    from careflow.flows._cli import load_data
    from careflow.flows.markov import DEFAULT_PARAMETER_DRAWS
    from careflow.flows.model import FlowModel

    data, _, _, data_end = load_data(folders)
    model = FlowModel(data_end=data_end).fit(data)

    def edges(draws: int, seed: int) -> pl.DataFrame:
        return model.predict(24, parameter_draws=draws, seed=seed).summary.filter(
            pl.col("breakdown") != "weekly_cost_gbp")

    reference = edges(reference_draws, 12345)
    width = (reference["p97_5"] - reference["p2_5"]).to_numpy()
    ok = width > 1
    print(f"   band edges vs {reference_draws:,} draws, as a share of the 95% band's width (median over {seeds} "
          "seeds of the mean, 95th percentile and maximum over edges):")
    for draws in sorted({50, DEFAULT_PARAMETER_DRAWS, 200}):
        stats = []
        for seed in range(seeds):
            got = edges(draws, seed)
            err = np.max([np.abs((got[c] - reference[c]).to_numpy())[ok] / width[ok]
                          for c in ("p2_5", "p10", "p90", "p97_5")], axis=0)
            stats.append((err.mean(), np.percentile(err, 95), err.max()))
        mean, p95, worst = np.median(np.array(stats), axis=0)
        tag = "  <- careflow's default" if draws == DEFAULT_PARAMETER_DRAWS else ""
        print(f"     {draws:>4} draws: mean {mean:.2%}, 95th percentile {p95:.2%}, max {worst:.2%}{tag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=60_000, help="0-17 population of the synthetic LA")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from bench_flows import write_dfe_folders

    import careflow
    from careflow.synth import generate

    package = Path(careflow.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    print(f"careflow forecast vs the peer, whole processes (start-up included); {args.repeats} runs each, medians")
    print(f"   (careflow's modules compiled to bytecode first, as an installed package's are: {package})")
    print(f"1. Start-up [{load()}]")
    wall, cpu, _ = median_of([sys.executable, "-c", "import careflow"], args.repeats)
    print(f"   python -c 'import careflow': {wall:.2f} s wall, {cpu:.2f} s CPU")
    wall, cpu, _ = median_of([str(CAREFLOW), "--help"], args.repeats)
    print(f"   careflow --help:             {wall:.2f} s wall, {cpu:.2f} s CPU")

    la = generate(args.population, end_year=2022, years=6, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folders = Path(tmp) / "returns"
        write_dfe_folders(la.data, folders, 2017, 2021)
        episodes = sum(1 for p in folders.glob("*/episodes.csv") for _ in p.open()) - 5
        print(f"2. One synthetic LA (0-17 population {args.population:,}, seed {args.seed}): {episodes:,} episode rows "
              "in the 2017-2021 returns, as DfE per-year folders")
        out = Path(tmp) / "forecast"
        source = folders
        if timed([str(CAREFLOW), "forecast", str(folders), "--out", str(out)])[2] != 0:
            source = Path(tmp) / "pooled"
            write_pooled_with_year(folders, source)
            print("   (this careflow does not read per-year folders from the command line: it reads the same rows "
                  "as one pooled folder with a YEAR column)")
        shutil.rmtree(out, ignore_errors=True)
        cf_cmd = [str(CAREFLOW), "forecast", str(source), "--out", str(out)]
        if not PEER_PYTHON.exists():
            before = load()
            cf_wall, cf_cpu, cf_ok = median_of(cf_cmd, args.repeats)
            print(f"   careflow forecast (fit 3 years to 31/03/2021, 24 months with bands, costs, back-test, report): "
                  f"{cf_wall:.2f} s wall, {cf_cpu:.2f} s CPU{'' if cf_ok else ' (FAILED)'}   [{before}]")
            print(f"   peer: no virtual environment at {PEER_PYTHON.parent.parent}; run "
                  "bash benchmarks/peer_demand_model/setup_venv.sh")
            return
        print_convergence(folders)
        peer_cmd = [str(PEER_PYTHON), str(PEER / "run_peer.py"), str(folders), "2018-04-01", "2021-03-31", "24"]
        # Interleaved (careflow, peer, careflow, peer ...): the machine's speed drifts with its load over minutes
        # (the peer alone took 4.6 s to 9.5 s on the same input on different days), so each pair shares a moment.
        before = load()
        pairs = [(timed(cf_cmd), timed(peer_cmd)) for _ in range(args.repeats)]
        after = load()
        cf_ok = all(c[2] == 0 for c, _ in pairs)
        peer_ok = all(p[2] == 0 for _, p in pairs)
        cf_wall, cf_cpu = (statistics.median(c[i] for c, _ in pairs) for i in (0, 1))
        peer_wall, peer_cpu = (statistics.median(p[i] for _, p in pairs) for i in (0, 1))
        print(f"   careflow forecast (fit 3 years to 31/03/2021, 24 months with bands, costs, back-test, report): "
              f"{cf_wall:.2f} s wall, {cf_cpu:.2f} s CPU{'' if cf_ok else ' (FAILED)'}")
        print(f"   peer (cs-demand-model: read, fit on 2018-04-01 to 2021-03-31, 24 months in daily steps):     "
              f"{peer_wall:.2f} s wall, {peer_cpu:.2f} s CPU{'' if peer_ok else ' (FAILED)'}")
        print(f"   [{args.repeats} interleaved pairs; {before} before, {after} after]")
        print(f"   WHOLE-PROCESS RATIO (peer / careflow forecast), medians: {peer_wall / cf_wall:.1f}x wall-clock, "
              f"{peer_cpu / cf_cpu:.1f}x CPU")
        ratios = sorted(p[1] / c[1] for c, p in pairs)
        print(f"   CPU ratio of each pair: {', '.join(f'{r:.1f}x' for r in ratios)}")

if __name__ == "__main__":
    main()
