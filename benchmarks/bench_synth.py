"""Benchmark: generate a synthetic local authority of 100,000 children aged 0-17 over 5 collection years.

    python benchmarks/bench_synth.py [--population 100000] [--years 5] [--seed 0] [--repeat 3]

Prints the seconds each run took (best and median), the peak memory of the process (resident set size) and
the table sizes. Target: under 20 seconds. Not a timed test: run it by hand and compare.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--population", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--end-year", type=int, default=2022)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from careflow.synth import generate, summary

    generate(2_000, years=1, seed=args.seed)  # warm up: imports, parameter and code list loading
    times = []
    la = None
    for k in range(args.repeat):
        start = time.perf_counter()
        la = generate(args.population, end_year=args.end_year, years=args.years, seed=args.seed + k)
        times.append(time.perf_counter() - start)
    assert la is not None
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(f"synthetic LA: {args.population:,} children aged 0-17, {args.years} years to 31 March {args.end_year}")
    print(f"seconds: best {min(times):.2f}, median {statistics.median(times):.2f} over {args.repeat} runs "
          f"(target < 20)")
    print(f"peak memory (max RSS of this process): {peak:,.0f} MB")
    rows = la.data.counts()
    print(f"rows: {sum(rows.values()):,} in {len(rows)} tables; " + ", ".join(
        f"{name} {n:,}" for name, n in rows.items() if name in (
            "children", "referrals", "child_protection_plans", "looked_after_episodes", "family_members")))
    s = summary(la)
    print(f"looked after at 31 March {s['year']}: {s['cla_at_31_march']} ({s['cla_at_31_march_per_10k']} per 10,000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
