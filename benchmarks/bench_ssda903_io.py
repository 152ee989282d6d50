"""Benchmark: write and read a national-size SSDA903 return (300,000 episodes for 100,000 children).

Run ``python benchmarks/bench_ssda903_io.py``. The data are generated here (random but valid: episodes follow
each other without gaps or overlaps, start after birth, and use 2024-25 codes), then written with
``write_ssda903`` and read back with ``read_ssda903`` (codes checked for 2024-25), each in a fresh Python
process so that its peak memory (RSS, ``resource.getrusage``) is its own. Targets: read < 5 s and < 1 GB,
write < 5 s. The read's CPU seconds (user + system of its process, threads included) are printed beside its
wall-clock seconds.

Measured 2026-12-03 (2 shared cores, load average ~3; three runs of each, alternately): main at 05db2c8 read in
1.34-1.55 s wall, 1.34-1.40 s CPU, peak RSS 423-460 MB; with the reader's queries merged (branch readfast, issue 9)
0.94-0.96 s wall, 0.94-0.95 s CPU, peak RSS 412-418 MB; the same tables and issues (compared in full).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

CHILDREN = 100_000
EPISODES = 300_000
YEAR = 2025  # 2024-25

RNE_LATER = ["P", "L", "T", "B", "U"]
LEGAL_STATUS = ["C1", "C2", "E1", "V2", "L1", "L2", "J1", "J2", "J3"]
CATEGORY_OF_NEED = [f"N{i}" for i in range(1, 9)]
PLACEMENT_TYPE = ["U1", "U3", "U4", "U6", "K2", "R1", "P1", "P2", "S1", "A4", "A6", "H5", "K3", "Z1"]
PROVIDER = ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
REASON_CEASED = ["E11", "E12", "E13", "E2", "E3", "E41", "E45", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9"]
PLACEMENT_CHANGE = ["CARPL", "CLOSE", "ALLEG", "STAND", "CREQB", "CHILD", "LAREQ", "PLACE", "OTHER"]
ETHNICITY = ["WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "AIND", "APKN", "BCRB", "BAFR", "CHNE", "OOTH", "NOBT"]


def _pick(rng: np.random.Generator, choices: list[str], n: int) -> pl.Series:
    return pl.Series(np.asarray(choices, dtype=object)[rng.integers(0, len(choices), n)], dtype=pl.String)


def _postcodes(rng: np.random.Generator, n: int) -> pl.Series:
    letters = np.array(list("ABCDEFGHJKLMNPRSTUWYZ"), dtype=object)
    area = letters[rng.integers(0, letters.size, n)] + letters[rng.integers(0, letters.size, n)]
    district = rng.integers(1, 30, n).astype(str).astype(object)
    sector = rng.integers(0, 10, n).astype(str).astype(object)
    unit = letters[rng.integers(0, letters.size, n)] + letters[rng.integers(0, letters.size, n)]
    return pl.Series(area + district + " " + sector + unit, dtype=pl.String)


def generate(seed: int = 903) -> dict[str, pl.DataFrame]:
    """Children and their episodes: random, valid, vectorised (no loop over rows)."""
    rng = np.random.default_rng(seed)
    epoch = date(1970, 1, 1)
    first_day = (date(2004, 4, 1) - epoch).days
    last_birth = (date(2024, 3, 1) - epoch).days
    births = rng.integers(first_day, last_birth, CHILDREN)
    child_ids = pl.Series([f"C{i:07d}" for i in range(CHILDREN)], dtype=pl.String)
    children = pl.DataFrame(
        {
            "child_id": child_ids,
            "sex": _pick(rng, ["M", "F"], CHILDREN),
            "date_of_birth": pl.Series(births, dtype=pl.Int32).cast(pl.Date),
            "ethnicity": _pick(rng, ETHNICITY, CHILDREN),
            "upn": pl.Series([f"A{n:012d}" for n in rng.integers(0, 10**12, CHILDREN)], dtype=pl.String),
            "is_mother": pl.Series([None] * CHILDREN, dtype=pl.Boolean),
        }
    )
    # Every child has at least one episode; the rest fall on children at random.
    per_child = 1 + rng.multinomial(EPISODES - CHILDREN, np.full(CHILDREN, 1 / CHILDREN))
    owner = np.repeat(np.arange(CHILDREN), per_child)
    order = np.arange(EPISODES) - np.repeat(np.cumsum(per_child) - per_child, per_child)  # 0 = first of child
    is_last = order == np.repeat(per_child - 1, per_child)
    lengths = rng.integers(1, 300, EPISODES)
    first_start = births + rng.integers(0, 2000, CHILDREN)
    # Each episode starts where the previous one of the child ended: a cumulative sum within the child.
    offsets = np.cumsum(lengths) - lengths
    offsets -= np.repeat(offsets[np.cumsum(per_child) - per_child], per_child)
    starts = np.repeat(first_start, per_child) + offsets
    ends = starts + lengths
    is_open = is_last & (rng.random(EPISODES) < 0.4)
    episodes = pl.DataFrame(
        {
            "child_id": child_ids.gather(owner),
            "start_date": pl.Series(starts, dtype=pl.Int32).cast(pl.Date),
            "reason_new_episode": pl.Series(np.where(order == 0, "S", "P").astype(object), dtype=pl.String),
            "legal_status": _pick(rng, LEGAL_STATUS, EPISODES),
            "category_of_need": _pick(rng, CATEGORY_OF_NEED, EPISODES),
            "placement_type": _pick(rng, PLACEMENT_TYPE, EPISODES),
            "placement_provider": _pick(rng, PROVIDER, EPISODES),
            "end_date": pl.Series(np.where(is_open, 0, ends), dtype=pl.Int32).cast(pl.Date),
            "reason_episode_ceased": _pick(rng, REASON_CEASED, EPISODES),
            "reason_placement_change": _pick(rng, PLACEMENT_CHANGE, EPISODES),
            "home_postcode": _postcodes(rng, EPISODES),
            "placement_postcode": _postcodes(rng, EPISODES),
            "urn": pl.Series([f"{n:07d}" for n in rng.integers(0, 10**7, EPISODES)], dtype=pl.String),
        }
    )
    later = _pick(rng, RNE_LATER, EPISODES)
    episodes = episodes.with_columns(
        reason_new_episode=pl.when(pl.Series(order == 0)).then(pl.lit("S")).otherwise(later),
        end_date=pl.when(pl.Series(is_open)).then(None).otherwise(pl.col("end_date")),
        reason_episode_ceased=pl.when(pl.Series(is_open))
        .then(None)
        .when(pl.Series(~is_last))
        .then(pl.lit("X1"))
        .otherwise(pl.col("reason_episode_ceased")),
        reason_placement_change=pl.when(pl.Series(~is_last)).then(pl.col("reason_placement_change")).otherwise(None),
    )
    return {"children": children, "looked_after_episodes": episodes}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _phase(phase: str, folder: Path) -> None:
    """Run one phase in this (fresh) process and print its figures as JSON."""
    from careflow.returns.ssda903 import read_ssda903, write_ssda903
    from careflow.tables import CareData

    if phase == "generate":
        started = time.perf_counter()
        for name, frame in generate().items():
            frame.write_parquet(folder / f"{name}.parquet")
        print(json.dumps({"phase": phase, "seconds": time.perf_counter() - started}))
        return
    if phase == "write":
        data = CareData(
            {name: pl.read_parquet(folder / f"{name}.parquet") for name in ("children", "looked_after_episodes")}
        )
        baseline = _peak_rss_mb()
        started = time.perf_counter()
        files = write_ssda903(data, folder / "csv")
        seconds = time.perf_counter() - started
        extra = {"files": [f.name for f in files], "bytes": sum(f.stat().st_size for f in files)}
    else:
        baseline = _peak_rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        result = read_ssda903(folder / "csv", year=YEAR)
        seconds = time.perf_counter() - started
        extra = {"rows": result.data.counts(), "issues": {str(k): v for k, v in result.counts().items()},
                 "cpu_seconds": time.process_time() - cpu}
    print(
        json.dumps(
            {"phase": phase, "seconds": seconds, "peak_rss_mb": _peak_rss_mb(), "baseline_rss_mb": baseline, **extra}
        )
    )


def _run(phase: str, folder: Path) -> dict[str, Any]:
    # Each phase runs in a fresh interpreter started by this small parent: a child's peak RSS starts from
    # its parent's size at fork, so the parent must not hold the generated data.
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--dir", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--phase", choices=["generate", "write", "read"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _phase(args.phase, args.dir)
        return
    with tempfile.TemporaryDirectory(prefix="bench_ssda903_") as tmp:
        folder = Path(tmp)
        generated = _run("generate", folder)
        print(f"generated {CHILDREN:,} children and {EPISODES:,} episodes in {generated['seconds']:.1f} s")
        write, read = _run("write", folder), _run("read", folder)
        print(
            f"write: {write['seconds']:.2f} s, peak RSS {write['peak_rss_mb']:.0f} MB "
            f"(of which {write['baseline_rss_mb']:.0f} MB after imports and loading the tables); "
            f"{len(write['files'])} files, {write['bytes'] / 1e6:.1f} MB"
        )
        print(
            f"read:  {read['seconds']:.2f} s ({read['cpu_seconds']:.2f} s CPU), peak RSS {read['peak_rss_mb']:.0f} MB "
            f"(of which {read['baseline_rss_mb']:.0f} MB after imports); rows {read['rows']}; issues {read['issues']}"
        )
        ok = read["seconds"] < 5 and read["peak_rss_mb"] < 1024 and write["seconds"] < 5
        print(f"targets (read < 5 s and < 1 GB, write < 5 s): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
