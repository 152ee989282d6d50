"""Benchmark: the scorecard's indicators at national scale.

1. Published statistics: every indicator for every area (152 LAs, regions, England) and all 13 years, 2010-2022,
   with DfE's figures and the reported values (target: under 5 s).
2. Canonical tables: every indicator from a pooled returns set of 1,000,000 looked-after episodes (with
   referrals, plans, enquiries, reviews and care leavers in proportion) across 150 authorities and 5 collection
   years (target: under 10 s).

Run ``python benchmarks/bench_measures.py [--episodes 1000000] [--authorities 150]``. Prints wall-clock and CPU
seconds for each; the data of (2) are random (numpy, seeded) and realistic only in shape.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np
import polars as pl

from careflow.measures import figures_from_tables, published_figures
from careflow.measures.benchmark import reported_values
from careflow.tables import CareData

YEARS = [2020, 2021, 2022, 2023, 2024]
EPOCH = date(2014, 4, 1)


def _dates(days: np.ndarray) -> pl.Series:
    """Days after 1 April 2014 as a polars Date series."""
    return pl.Series(days.astype("int32") + (EPOCH - date(1970, 1, 1)).days).cast(pl.Date)


def pooled(episodes: int, authorities: int, seed: int = 1) -> CareData:
    """A random pooled returns set: chains of episodes per child, and the CIN census tables alongside."""
    rng = np.random.default_rng(seed)
    per_child = rng.integers(1, 6, size=episodes // 3)
    per_child = per_child[np.cumsum(per_child) <= episodes]
    n_children = per_child.size
    child = np.repeat(np.arange(n_children), per_child)
    la = rng.integers(0, authorities, size=n_children)
    first = rng.integers(0, 3600, size=n_children)
    lengths = rng.integers(20, 500, size=child.size)
    first_index = np.cumsum(per_child) - per_child  # each child's first episode
    order = np.arange(child.size) - np.repeat(first_index, per_child)  # 0 for a child's first episode
    done = np.cumsum(lengths) - lengths  # days of all earlier episodes, any child
    starts = np.repeat(first, per_child) + done - np.repeat(done[first_index], per_child)
    ends = starts + lengths  # each episode starts the day the previous one ended
    last = np.r_[order[1:] == 0, True]
    open_ = last & (rng.random(child.size) < 0.4)
    rne = np.where(order == 0, "S", rng.choice(["P", "L", "T", "B", "U"], size=child.size))
    rec = np.where(last, rng.choice(["E4A", "E4B", "E45", "E41", "E11", "E8", "E17"], size=child.size), "X1")
    la_codes = np.array([f"{800 + i:03d}" for i in range(authorities)])
    ids = np.array([f"C{i:07d}" for i in range(n_children)])
    frame = pl.DataFrame(
        {
            "child_id": ids[child],
            "start_date": _dates(starts),
            "reason_new_episode": rne,
            "legal_status": rng.choice(["C1", "C2", "V2", "E1", "V3"], size=child.size, p=[.2, .5, .2, .07, .03]),
            "placement_type": rng.choice(["U1", "U3", "U4", "U6", "K2", "P1", "A5", "H5"], size=child.size),
            "end_date": _dates(ends),
            "reason_episode_ceased": rec,
            "local_authority": la_codes[la[child]],
        }
    ).with_columns(
        pl.when(pl.Series(open_)).then(None).otherwise(pl.col("end_date")).alias("end_date"),
        pl.when(pl.Series(open_)).then(None).otherwise(pl.col("reason_episode_ceased")).alias("reason_episode_ceased"),
    )
    # one collection year per episode: the year it ended, or the last year if open
    year_of_end = (pl.col("end_date").dt.year() + (pl.col("end_date").dt.month() >= 4).cast(pl.Int32))
    frame = frame.with_columns(year_of_end.fill_null(max(YEARS)).clip(min(YEARS), max(YEARS)).cast(pl.Int16)
                               .alias("collection_year"))
    children = pl.DataFrame(
        {
            "child_id": ids,
            "date_of_birth": _dates(first - rng.integers(0, 17 * 365, size=n_children)),
            "local_authority": la_codes[la],
        }
    )
    n_ref = int(episodes * 0.6)
    ref_child = rng.integers(0, n_children, size=n_ref)
    ref_date = rng.integers(0, 3650, size=n_ref)
    ref_frame = pl.DataFrame(
        {
            "child_id": ids[ref_child],
            "referral_id": np.arange(n_ref) % 7 + 1,
            "referral_date": _dates(ref_date),
            "closure_date": _dates(ref_date + rng.integers(10, 400, size=n_ref)),
            "local_authority": la_codes[la[ref_child]],
        }
    ).unique(subset=["local_authority", "child_id", "referral_id"])
    n_cpp = episodes // 6
    cpp_child = rng.integers(0, n_children, size=n_cpp)
    cpp_start = rng.integers(0, 3650, size=n_cpp)
    cpp = pl.DataFrame(
        {
            "child_id": ids[cpp_child],
            "referral_id": np.ones(n_cpp, dtype=np.int32),
            "plan_id": np.arange(n_cpp) % 50 + 1,
            "start_date": _dates(cpp_start),
            "end_date": _dates(cpp_start + rng.integers(30, 900, size=n_cpp)),
            "number_of_previous_plans": rng.integers(0, 2, size=n_cpp),
            "local_authority": la_codes[la[cpp_child]],
        }
    ).unique(subset=["local_authority", "child_id", "referral_id", "plan_id"])
    s47 = cpp.select("child_id", "referral_id", pl.col("plan_id").alias("enquiry_id"), "start_date",
                     pl.col("start_date").alias("initial_conference_date"), "local_authority")
    reviews = frame.select(
        "child_id", pl.col("start_date").alias("review_date"), "local_authority"
    ).with_columns(pl.lit("PN1").alias("participation")).unique(subset=["local_authority", "child_id", "review_date"])
    leavers = children.sample(fraction=0.1, seed=seed).with_columns(
        pl.lit("YES").alias("in_touch"), pl.lit("F2").alias("activity"), pl.lit("D1").alias("accommodation"),
        pl.lit(max(YEARS), dtype=pl.Int16).alias("collection_year"),
    )
    return CareData(
        {
            "looked_after_episodes": frame.unique(subset=["local_authority", "child_id", "start_date"]),
            "children": children,
            "referrals": ref_frame,
            "child_protection_plans": cpp,
            "section47_enquiries": s47,
            "looked_after_reviews": reviews,
            "care_leavers": leavers,
        }
    )


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label}: {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--authorities", type=int, default=150)
    args = parser.parse_args()

    published_figures()  # warm the cached table read (a one-off per process)
    figures = timed("published: every indicator, every area, 2010-2022", lambda: reported_values(published_figures()))
    print(f"  {figures.height:,} figures; {figures['area_code'].n_unique()} areas; "
          f"{figures['year'].n_unique()} years; {figures.filter(pl.col('status') == 'ok').height:,} with a value")

    data = timed(f"generate {args.episodes:,} episodes (not timed against the target)",
                 lambda: pooled(args.episodes, args.authorities))
    print(f"  tables: { {k: v for k, v in data.counts().items()} }")
    population = pl.DataFrame(
        [(f"{800 + i:03d}", y, 100_000.0) for i in range(args.authorities) for y in YEARS],
        schema={"local_authority": pl.String, "year": pl.Int32, "population": pl.Float64}, orient="row",
    )
    out = timed(f"canonical: every indicator, {args.authorities} LAs x {len(YEARS)} years",
                lambda: figures_from_tables(data, years=YEARS, population=population))
    print(f"  {out.height:,} figures; {out.filter(pl.col('status') == 'ok').height:,} with a value")


if __name__ == "__main__":
    main()
