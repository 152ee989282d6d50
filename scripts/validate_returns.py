"""Run DfE's two validators over every return careflow writes, and print the per-rule counts.

    .venv/bin/python scripts/validate_returns.py synth [--population 60000] [--seeds 0 1] [--out DIR]
    .venv/bin/python scripts/validate_returns.py demo [--population 20000] [--year 2026] [--out DIR]

``synth`` generates the synthetic LA (five collection years ending with the latest careflow's code lists hold)
for each seed, writes its returns (``careflow.synth.write_returns``) and runs ``scripts/validate_903/run.sh``
on each year's SSDA903 and ``scripts/validate_cin/run.sh`` on each year's CIN census, for the years the
validators have rules for. ``demo`` builds ``careflow serve --demo``'s record (SQLite in a temporary folder),
exports the year's returns as an administrator and validates both.

Prints one line per (return, year, seed, rule): errors and queries (codes ending in Q, or the CIN validator's
query rules) apart. Exit status 1 if any error rule fired. The validators' venvs are built on first use (PyPI).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_903 = ROOT / "scripts" / "validate_903" / "run.sh"
RUN_CIN = ROOT / "scripts" / "validate_cin" / "run.sh"
YEARS_903 = range(2023, 2028)  # lac2022_23 ... lac2026_27
YEARS_CIN = range(2023, 2028)  # cin2022_23 ... cin2026_27
ROW = re.compile(r"^(\S+)\s+(\d+)(?:\s+(\d+))?\s{2}", re.M)


def _rules(stdout: str, section: str | None = None) -> dict[str, int]:
    """Rule -> count from a validator's summary (for the CIN one, from the named section only)."""
    text = stdout
    if section is not None:
        parts = re.split(r"^(errors:|queries \(listed, not failed\):)$", stdout, flags=re.M)
        text = ""
        for head, body in zip(parts[1::2], parts[2::2], strict=True):
            if head.startswith(section):
                text += body
    return {m.group(1): int(m.group(2)) for m in ROW.finditer(text) if m.group(1) not in ("rule",)}


def validate_903(folder: Path, year: int) -> tuple[dict[str, int], dict[str, int]]:
    out = subprocess.run(["bash", str(RUN_903), str(folder), "--year", str(year),
                          "--output", str(folder.parent / f"ssda903_errors_{year}.csv")],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if out.returncode not in (0, 1) or "total errors:" not in out.stdout:
        raise RuntimeError(f"validate_903 failed on {folder}:\n{out.stdout}\n{out.stderr}")
    counts = _rules(out.stdout)
    errors = {r: n for r, n in counts.items() if not r.endswith("Q")}
    return errors, {r: n for r, n in counts.items() if r.endswith("Q")}


def validate_cin(path: Path, year: int) -> tuple[dict[str, int], dict[str, int]]:
    out = subprocess.run(["bash", str(RUN_CIN), str(path), "--year", str(year),
                          "--output", str(path.parent / f"cin_errors_{year}.csv")],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if out.returncode not in (0, 1) or "total errors:" not in out.stdout:
        raise RuntimeError(f"validate_cin failed on {path}:\n{out.stdout}\n{out.stderr}")
    return _rules(out.stdout, "errors"), _rules(out.stdout, "queries")


def _print(what: str, year: int, seed: object, errors: dict[str, int], queries: dict[str, int]) -> None:
    label = f"{year - 1}-{year % 100:02d}"
    err = ", ".join(f"{r}={n}" for r, n in errors.items()) or "-"
    qry = ", ".join(f"{r}={n}" for r, n in queries.items()) or "-"
    print(f"{what:<8} {label} seed {seed}: errors {sum(errors.values()):>6} [{err}]  queries [{qry}]", flush=True)


def synth(population: int, seeds: list[int], out: Path) -> int:
    from careflow import codes
    from careflow.synth import generate, write_returns
    from careflow.synth.returns import year_label

    end_year = int(codes.years("ssda903")[-1])
    failed = 0
    for seed in seeds:
        t0 = time.perf_counter()
        la = generate(population, end_year=end_year, seed=seed)
        folder = out / f"seed{seed}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            write_returns(la, folder)
        print(f"# seed {seed}: {population:,} children, years {la.years}, generated and written in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
        for year in la.years:
            label = year_label(year)
            if year in YEARS_903:
                errors, queries = validate_903(folder / label / "ssda903", year)
                _print("ssda903", year, seed, errors, queries)
                failed += sum(errors.values())
            cin = folder / label / "cin_census.xml"
            if year in YEARS_CIN and cin.exists():
                errors, queries = validate_cin(cin, year)
                _print("cin", year, seed, errors, queries)
                failed += sum(errors.values())
    return 1 if failed else 0


def demo(population: int, year: int, out: Path) -> int:
    from sqlalchemy import select

    from careflow.record.models import User
    from careflow.record.serve import build_demo
    from careflow.record.services.auth import actor_of
    from careflow.record.services.context import Ctx
    from careflow.record.services.export import export_returns, submission_gaps
    from careflow.record.settings import Settings

    t0 = time.perf_counter()
    settings = Settings.from_env(f"sqlite:///{out / 'record.db'}")
    app = build_demo(settings, population=population)
    state = app.state.record
    with state.sessions() as session, session.begin():
        admin = session.scalar(select(User).where(User.username == "admin"))
        ctx = Ctx(session, actor_of(admin), state.settings)
        gaps = submission_gaps(ctx, year)
        for gap in gaps[:20]:
            print(f"# gap: {gap}")
        print(f"# {len(gaps)} gaps", flush=True)
        written = export_returns(ctx, out / "export", year, allow_gaps=True)
    print(f"# demo: {population:,} children loaded and exported in {time.perf_counter() - t0:.0f} s", flush=True)
    e1, q1 = validate_903(written["ssda903"][0].parent, year)
    _print("ssda903", year, "demo", e1, q1)
    e2, q2 = validate_cin(written["cin_census"][0], year)
    _print("cin", year, "demo", e2, q2)
    return 1 if e1 or e2 else 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="validate_returns", description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["synth", "demo"])
    p.add_argument("--population", type=int)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--year", type=int, default=2026, help="demo: the collection year to export (ending 31 March)")
    p.add_argument("--out", type=Path, help="where to write the returns (default: a temporary folder)")
    args = p.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="careflow-validate-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"# returns under {out}", flush=True)
    if args.what == "synth":
        return synth(args.population or 60_000, args.seeds, out)
    return demo(args.population or 20_000, args.year, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
