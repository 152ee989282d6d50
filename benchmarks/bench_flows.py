"""Benchmark careflow.flows against the Social Finance demand model (cs-demand-model), and at scale.

1. One synthetic LA (careflow.synth), written as DfE SSDA903 CSVs in per-year folders. Both models read the
   folders, fit on the three years to 31 March 2021 (held-back year: 2021-22), project 24 months; printed:
   the time ratio for fit + 24-month projection, and each model's back-test error (MAPE, bias of the stock at
   each month end of the held-back year, total and by the peer's placement groups).
2. Both on pooled regions: copies of a synthetic LA of 300,000 children as DfE per-year folders (each copy's
   children with their own ids), at growing sizes (``--peer-sizes``, default 50k, 100k, 200k episodes) and at
   ``--pooled-episodes`` (default 1,000,000 distinct episodes); each run in a fresh process, fit on the three years
   to 31 March 2022, 5-year projection. Printed for each size: seconds to read, fit and project and peak memory
   of each model, the time ratios (fit + projection, and end to end with reading), the machine's load; careflow's
   figures against its targets (< 10 s, < 2 GB); the peer's fitted scaling, and — only if the peer did not finish
   within ``--peer-timeout`` at full size — its extrapolated time, marked as such.
3. With ``--coverage-seeds N``: 12-month back-tests of N synthetic LAs; printed: how often the 80% and 95% bands
   held what happened, by placement category, total and age band, with and without the parameters' estimation
   error, for both engines.

The peer runs in its own virtual environment (it pins pandas < 2): ``bash benchmarks/peer_demand_model/
setup_venv.sh`` first; without it, parts 1 and 2 print careflow's figures alone.

Timings are wall-clock seconds of one run each; the load average printed beside them says how busy the machine was.

Measured 2026-12-03 (issue 9; part 1 only, ``--skip-pooled``, 2 shared cores, load average ~2.4, four runs
alternating with main at b7370c4): careflow's fit + 24-month projection with bands took 0.11-0.12 s on main and
0.09 s after the projection was restructured (branch projfast: the draws' kernels for every month length from one
set of Taylor powers, only the variances kept instead of full covariances, the start stock and entry cohorts
moved as one stack, configuration files parsed once per process); reading 0.19-0.31 s either way. The same day
the peer took 9.96 s for its fit + 24-month projection (84.6x).

Usage: python benchmarks/bench_flows.py [--population 60000] [--pooled-episodes 1000000] [--peer-sizes 50000,100000]
       [--peer-timeout 1800] [--skip-pooled] [--coverage-seeds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
PEER = HERE / "peer_demand_model"
PEER_PYTHON = PEER / ".venv" / "bin" / "python"
PEER_GROUPS = {  # the peer's standard-v1 placement categories
    "FOSTERING": ["U1", "U2", "U3", "U4", "U5", "U6"],
    "RESIDENTIAL": ["K2", "R1"],
    "SUPPORTED": ["H5", "P2"],
}
EPISODE_COLUMNS = {
    "child_id": "CHILD", "start_date": "DECOM", "reason_new_episode": "RNE", "legal_status": "LS",
    "category_of_need": "CIN", "placement_type": "PLACE", "placement_provider": "PLACE_PROVIDER",
    "end_date": "DEC", "reason_episode_ceased": "REC", "reason_placement_change": "REASON_PLACE_CHANGE",
    "home_postcode": "HOME_POST", "placement_postcode": "PL_POST", "urn": "URN",
}


def write_dfe_folders(data, out: Path, first_year: int, last_year: int) -> None:
    """DfE-format header.csv and episodes.csv for each collection year, in folders named by the year."""
    ep = data["looked_after_episodes"]
    kids = data["children"]
    for year in range(first_year, last_year + 1):
        y0, y1 = date(year - 1, 4, 1), date(year, 3, 31)
        rows = ep.filter((pl.col("start_date") <= y1) & (pl.col("end_date").is_null() | (pl.col("end_date") >= y0)))
        rows = rows.with_columns(
            pl.when(pl.col("end_date") > y1).then(None).otherwise(pl.col("reason_episode_ceased"))
            .alias("reason_episode_ceased"),
            pl.when(pl.col("end_date") > y1).then(None).otherwise(pl.col("end_date")).alias("end_date"),
        )
        folder = out / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        dated = [pl.col(c).dt.strftime("%d/%m/%Y") for c in ("start_date", "end_date")]
        rows.with_columns(*dated).select(list(EPISODE_COLUMNS)).rename(EPISODE_COLUMNS).write_csv(
            folder / "episodes.csv")
        header = kids.filter(pl.col("child_id").is_in(rows["child_id"].unique().implode())).select(
            pl.col("child_id").alias("CHILD"), pl.col("sex").alias("SEX"),
            pl.col("date_of_birth").dt.strftime("%d/%m/%Y").alias("DOB"), pl.col("ethnicity").alias("ETHNIC"),
            pl.col("upn").alias("UPN"), pl.lit(None, dtype=pl.String).alias("MOTHER"),
            pl.lit(None, dtype=pl.String).alias("MC_DOB"))
        header.write_csv(folder / "header.csv")


def observed_by_peer_groups(data, dates: list[date]) -> dict[str, dict[str, float]]:
    """Children in care at each date by the peer's groups, straight from the episodes (the truth for both)."""
    ep = data["looked_after_episodes"]
    out = {}
    for when in dates:
        on = ep.filter((pl.col("start_date") <= when) & (pl.col("end_date").is_null() | (pl.col("end_date") > when)))
        row = {g: float(on.filter(pl.col("placement_type").is_in(codes)).height) for g, codes in PEER_GROUPS.items()}
        row["TOTAL"] = float(on.height)
        row["OTHER"] = row["TOTAL"] - sum(row[g] for g in PEER_GROUPS)
        out[when.isoformat()] = row
    return out


def careflow_by_peer_groups(projection) -> dict[str, dict[str, float]]:
    groups = {"FOSTERING": ["kinship_foster", "foster_in_house", "foster_independent"],
              "RESIDENTIAL": ["childrens_home"], "SUPPORTED": ["supported_accommodation"]}
    cat = projection.stock("category")
    out = {}
    for when in projection.dates:
        rows = cat.filter(pl.col("date") == when)
        vals = dict(zip(rows["group"].to_list(), rows["mean"].to_list(), strict=True))
        row = {g: sum(vals[c] for c in cs) for g, cs in groups.items()}
        row["TOTAL"] = sum(vals.values())
        row["OTHER"] = row["TOTAL"] - sum(row[g] for g in groups)
        out[when.isoformat()] = row
    return out


def errors(pred: dict[str, dict[str, float]], truth: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """MAPE and bias (%) by group over the month ends both hold."""
    out = {}
    for group in ("TOTAL", "FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER"):
        pe = [100 * (pred[d].get(group, 0.0) - truth[d][group]) / truth[d][group]
              for d in truth if d in pred and truth[d][group] > 0]
        if pe:
            out[group] = {"mape": sum(abs(x) for x in pe) / len(pe), "bias": sum(pe) / len(pe)}
    return out


def run_peer(folder: Path, ref_start: date, ref_end: date, months: int, timeout: float) -> dict | None:
    if not PEER_PYTHON.exists():
        print(f"  peer: no virtual environment at {PEER_PYTHON.parent.parent}; run "
              "bash benchmarks/peer_demand_model/setup_venv.sh")
        return None
    cmd = [str(PEER_PYTHON), str(PEER / "run_peer.py"), str(folder), ref_start.isoformat(), ref_end.isoformat(),
           str(months)]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        print("  peer failed:", done.stderr[-2000:])
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - t0
    return result


def part_one(population: int, seed: int, peer_timeout: float) -> None:
    from careflow.flows import FlowModel
    from careflow.flows._cli import read_year_folders
    from careflow.synth import generate

    print(f"1. One synthetic LA (0-17 population {population:,}, seed {seed}), collection years 2017 to 2022")
    la = generate(population, end_year=2022, years=6, seed=seed)
    ref_start, cutoff, data_end = date(2018, 4, 1), date(2021, 3, 31), date(2022, 3, 31)
    with tempfile.TemporaryDirectory() as tmp:
        full, known = Path(tmp) / "full", Path(tmp) / "known"
        write_dfe_folders(la.data, full, 2017, 2022)
        write_dfe_folders(la.data, known, 2017, 2021)
        episodes = pl.read_csv(full / "2022" / "episodes.csv").height
        print(f"   {la.data['looked_after_episodes'].height:,} episodes in all; {episodes:,} in the 2021-22 return")

        # careflow: read the same folders, fit, project 24 months (held-back year: from the 2017-2021 returns).
        t0 = time.perf_counter()
        data, _ = read_year_folders(known)
        t1 = time.perf_counter()
        model = FlowModel(reference_start=ref_start, reference_end=cutoff).fit(data)
        projection = model.predict(24)
        t2 = time.perf_counter()
        cf_load, cf_fit = t1 - t0, t2 - t1
        truth = observed_by_peer_groups(la.data, [d for d in projection.dates if d <= data_end])
        cf_err = errors(careflow_by_peer_groups(projection), truth)
        peer = run_peer(known, ref_start, cutoff, 24, peer_timeout)

    print(f"   careflow: read {cf_load:.2f} s, fit + 24-month projection with bands {cf_fit:.2f} s")
    if peer and "timeout" not in peer:
        print(f"   peer:     read {peer['load_seconds']:.2f} s, fit + 24-month projection "
              f"{peer['fit_project_seconds']:.2f} s (daily steps, as its CLI does)")
        print(f"   TIME RATIO (peer / careflow), fit + 24-month projection: "
              f"{peer['fit_project_seconds'] / cf_fit:.1f}x; including reading the files: "
              f"{(peer['load_seconds'] + peer['fit_project_seconds']) / (cf_load + cf_fit):.1f}x")
        peer_err = errors(peer["stock"], truth)
    elif peer:
        print(f"   peer did not finish within {peer['timeout']:.0f} s")
        peer_err = {}
    else:
        peer_err = {}
    print("   BACK-TEST on the held-back year 2021-22 (fit to 31/03/2021; stock at the 12 month ends):")
    print(f"   {'group':<12} {'careflow MAPE':>14} {'bias':>7}   {'peer MAPE':>10} {'bias':>7}")
    for group in ("TOTAL", "FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER"):
        c = cf_err.get(group)
        p = peer_err.get(group)
        cs = f"{c['mape']:>13.1f}% {c['bias']:>+6.1f}%" if c else f"{'-':>14} {'':>7}"
        ps = f"{p['mape']:>9.1f}% {p['bias']:>+6.1f}%" if p else f"{'-':>10} {'':>7}"
        print(f"   {group:<12} {cs}   {ps}")


POOLED_CAREFLOW = """
import json, sys, time
from datetime import date
from pathlib import Path
def peak_mb():
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across fork and exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
from careflow.flows import FlowModel
from careflow.flows._cli import read_year_folders
t1 = time.perf_counter()
data, _ = read_year_folders(Path(sys.argv[1]))
t2 = time.perf_counter()
start, end = (date.fromisoformat(a) for a in sys.argv[2:4])
model = FlowModel(reference_start=start, reference_end=end).fit(data)
t3 = time.perf_counter()
projection = model.predict(int(sys.argv[4]))
t4 = time.perf_counter()
total = projection.stock("total")
print(json.dumps({"import_seconds": t1 - t0, "read_seconds": t2 - t1, "fit_seconds": t3 - t2,
                  "project_seconds": t4 - t3, "peak_mb": peak_mb(),
                  "rows": data["looked_after_episodes"].height, "stock": model.stock_.height,
                  "mean": total["mean"][-1], "p2_5": total["p2_5"][-1], "p97_5": total["p97_5"][-1]}))
"""


def write_pooled(one: Path, out: Path, copies: int) -> None:
    """``copies`` copies of one LA's per-year folders pooled as a region: each copy's children get their own ids
    (a prefix), as in returns pooled from several LAs, with no LA column (the peer reads none)."""
    for year_dir in sorted(p for p in one.iterdir() if p.is_dir()):
        (out / year_dir.name).mkdir(parents=True, exist_ok=True)
        for name in ("episodes.csv", "header.csv"):
            frame = pl.read_csv(year_dir / name, infer_schema_length=0)
            pl.concat([frame.with_columns((pl.lit(f"L{i:03d}_") + pl.col("CHILD")).alias("CHILD"))
                       for i in range(copies)]).write_csv(out / year_dir.name / name)


def run_careflow_pooled(folder: Path, ref_start: date, ref_end: date, months: int) -> dict:
    done = subprocess.run([sys.executable, "-c", POOLED_CAREFLOW, str(folder), ref_start.isoformat(),
                           ref_end.isoformat(), str(months)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} CPUs"


def part_two(target: int, seed: int, peer_sizes: list[int], peer_timeout: float, months: int = 60) -> None:
    from careflow.synth import generate

    ref_start, ref_end = date(2019, 4, 1), date(2022, 3, 31)
    print(f"2. Pooled region of >= {target:,} episodes: fit on {ref_start} to {ref_end}, project {months} months")
    base = generate(300_000, end_year=2022, years=6, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        write_dfe_folders(base.data, one, 2017, 2022)
        per_copy = pl.concat([pl.read_csv(p, infer_schema_length=0) for p in one.glob("*/episodes.csv")]).unique(
            ["CHILD", "DECOM"]).height
        print(f"   copies of one synthetic LA of 300,000 children ({per_copy:,} distinct episodes in its 2017-2022 "
              "returns), as DfE per-year folders; both models read the same folders")
        print("   careflow: fit = clean-up + estimation (read = CSVs to canonical tables); projection with 80%/95% "
              "bands (Markov, analytic variance + 100 parameter draws)")
        print("   peer: read = CSVs, header join and its episode clean-up; fit = ages, categories, daily stock, "
              "transition rates, entrants; projection in daily steps (no bands)")
        print(f"   {'episodes':>10} | {'careflow read':>13} {'fit':>6} {'proj':>6} {'peak MB':>8} | "
              f"{'peer read':>9} {'fit':>7} {'proj':>6} {'peak MB':>8} | {'ratio fit+proj':>14} {'end-to-end':>10}")
        sizes = sorted({*(s for s in peer_sizes if s < target), target})
        measured: list[tuple[int, float, float]] = []  # (episodes, peer read + fit, peer projection)
        full_peer: dict | None = None
        full_cf: dict = {}
        for size in sizes:
            copies = -(-size // per_copy)
            folder = Path(tmp) / f"x{copies}"
            write_pooled(one, folder, copies)
            episodes = copies * per_copy
            before = _load()
            cf = run_careflow_pooled(folder, ref_start, ref_end, months)
            peer = run_peer(folder, ref_start, ref_end, months, peer_timeout)
            shutil.rmtree(folder)
            cf_core = cf["fit_seconds"] + cf["project_seconds"]
            cf_all = cf["read_seconds"] + cf_core
            row = (f"   {episodes:>10,} | {cf['read_seconds']:>12.2f}s {cf['fit_seconds']:>5.2f}s "
                   f"{cf['project_seconds']:>5.2f}s {cf['peak_mb']:>8,.0f} | ")
            if peer and "timeout" not in peer:
                peer_fit = peer["prepare_seconds"] + peer["fit_seconds"]
                peer_core = peer_fit + peer["project_seconds"]
                peer_all = peer["read_seconds"] + peer_core
                measured.append((episodes, peer["read_seconds"] + peer_fit, peer["project_seconds"]))
                row += (f"{peer['read_seconds']:>8.1f}s {peer_fit:>6.1f}s {peer['project_seconds']:>5.1f}s "
                        f"{peer['peak_mb']:>8,.0f} | {peer_core / cf_core:>13.0f}x {peer_all / cf_all:>9.0f}x")
            elif peer:
                row += f"{'did not finish in ' + format(peer_timeout, '.0f') + ' s':>36} |"
            else:
                row += f"{'(peer not run)':>36} |"
            print(row + f"   [{before}]")
            if size == target:
                full_peer, full_cf = peer, cf
        print(f"   careflow at {sizes[-1]:,}+ episodes: fit + {months}-month projection with bands "
              f"{full_cf['fit_seconds'] + full_cf['project_seconds']:.2f} s (target < 10 s), "
              f"{full_cf['read_seconds']:.2f} s more to read the CSVs; peak memory {full_cf['peak_mb']:,.0f} MB "
              "(target < 2,048 MB, reading included)")
        print(f"   {full_cf['stock']:,} in care at the start; {full_cf['mean']:,.0f} projected in {months // 12} years "
              f"(95% band {full_cf['p2_5']:,.0f} to {full_cf['p97_5']:,.0f})")
        if len(measured) >= 2:
            n = np.log([m[0] for m in measured])
            y = np.log([m[1] for m in measured])
            slope, intercept = np.polyfit(n, y, 1)
            proj = float(np.mean([m[2] for m in measured]))
            print(f"   peer scaling, fitted on the {len(measured)} measured sizes: read + fit ~ n^{slope:.2f} "
                  f"(projection about {proj:.0f} s whatever the size: daily steps over the states)")
            if not (full_peer and "timeout" not in full_peer):
                guess = float(np.exp(intercept) * sizes[-1] ** slope) + proj
                mine = full_cf["read_seconds"] + full_cf["fit_seconds"] + full_cf["project_seconds"]
                print(f"   EXTRAPOLATED, not measured: the peer at {sizes[-1]:,} episodes would take about "
                      f"{guess:,.0f} s (read + fit + projection), about {guess / mine:.0f}x careflow's measured "
                      "end-to-end time")


def part_coverage(seeds: int, population: int, runs: int) -> None:
    """Band coverage by placement category over 12-month back-tests of several synthetic LAs, with and without the
    estimation error of the parameters, for both engines."""
    from careflow.flows import FlowModel
    from careflow.flows.backtest import score, truncate
    from careflow.flows.clean import clean_episodes
    from careflow.flows.estimators import observed_stock
    from careflow.flows.states import load_states
    from careflow.synth import generate

    print(f"3. Band coverage: 12-month back-tests of {seeds} synthetic LAs (0-17 population {population:,}, seeds 0 "
          f"to {seeds - 1}, collection years 2018-2022), fitted on the 3 years to 31/03/2021")
    states = load_states()
    cutoff, data_end = date(2021, 3, 31), date(2022, 3, 31)
    runs_of = {
        "markov, rates known": lambda m: m.predict(12, parameter_draws=0),
        "markov, estimation error": lambda m: m.predict(12),
        "microsim, rates known": lambda m: m.simulate(12, runs=runs, seed=0, parameter_uncertainty=False),
        "microsim, estimation error": lambda m: m.simulate(12, runs=runs, seed=0),
    }
    found: dict[str, list[pl.DataFrame]] = {name: [] for name in runs_of}
    for seed in range(seeds):
        la = generate(population, end_year=2022, seed=seed)
        full = clean_episodes(la.data, states, data_end=data_end)
        model = FlowModel(reference_years=3, reference_end=cutoff, data_end=cutoff).fit(truncate(la.data, cutoff))
        for name, run in runs_of.items():
            projection = run(model)
            observed = observed_stock(full, [d for d in projection.dates if d <= data_end], states)
            found[name].append(score(projection, observed)[1].with_columns(pl.lit(seed).alias("seed")))
    print(f"   {'':<28} {'by category':>13}  {'total':>13}  {'by age band':>13}   (80% / 95% band)")
    for name, frames in found.items():
        d = pl.concat(frames).filter(pl.col("observed") > 0)
        cells = []
        for breakdown in ("category", "total", "age_band"):
            x = d.filter(pl.col("breakdown") == breakdown)
            cells.append(f"{x['in_80'].mean():>6.1%} {x['in_95'].mean():>6.1%}")
        print(f"   {name:<28} {cells[0]:>13}  {cells[1]:>13}  {cells[2]:>13}")
    last = pl.concat(found["markov, estimation error"]).filter(pl.col("breakdown") == "category",
                                                                pl.col("observed") > 0)
    table = last.group_by("group").agg(pl.col("observed").mean(), pl.col("pe").mean().alias("bias"),
                                       pl.col("in_80").mean(), pl.col("in_95").mean()).sort("group")
    print("   by category (markov, estimation error): mean stock, bias %, coverage of the 80% and 95% bands")
    for row in table.iter_rows(named=True):
        print(f"     {row['group']:<26} {row['observed']:>7.1f} {row['bias']:>+7.1f}% {row['in_80']:>6.1%} "
              f"{row['in_95']:>6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pooled-episodes", type=int, default=1_000_000)
    parser.add_argument("--peer-sizes", default="50000,100000,200000",
                        help="smaller pooled sizes (episodes) to time both on, for the peer's scaling")
    parser.add_argument("--peer-timeout", type=float, default=1800)
    parser.add_argument("--skip-pooled", action="store_true")
    parser.add_argument("--coverage-seeds", type=int, default=0,
                        help="also back-test this many synthetic LAs for band coverage (20 takes about 2 minutes)")
    parser.add_argument("--runs", type=int, default=300, help="microsimulation runs in the coverage back-tests")
    args = parser.parse_args()
    print(f"careflow.flows benchmark; this process's peak memory so far "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    part_one(args.population, args.seed, args.peer_timeout)
    if not args.skip_pooled:
        sizes = [int(x) for x in args.peer_sizes.split(",") if x.strip()]
        part_two(args.pooled_episodes, args.seed, sizes, args.peer_timeout)
    if args.coverage_seeds:
        part_coverage(args.coverage_seeds, args.population, args.runs)


if __name__ == "__main__":
    main()
