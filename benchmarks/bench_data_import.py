"""Benchmark: ``careflow data import`` of a full CLA release (target: under 30 s).

Two folders are imported into a fresh temporary data folder (``CAREFLOW_DATA``), as a user would:

1. ``../shared/data/dfe`` as published: the 2022 CLA release (37 files), the 2010-2017 SFR underlying data
   (45 files and their metadata), CIN, workforce, population and reference files — about 100 files;
2. the same figures renamed and re-headed to the 2024/2025 layouts (``../shared/data/dfe-layouts``), moved on two
   years, imported on top of (1): every revision between the two is found and recorded.

Run ``python benchmarks/bench_data_import.py [--shared ../shared]``. Prints wall-clock and CPU seconds, files,
figures taken and revisions for each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.published.later_layouts builds folder (2)


def _run(label: str, folder: Path) -> None:
    from careflow.published import import_folder

    files = sum(1 for p in folder.rglob("*") if p.is_file())
    wall, cpu = time.perf_counter(), time.process_time()
    report = import_folder(folder)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    taken = sum(1 for f in report.files if f.status == "taken")
    print(f"{label}: {files} files ({taken} taken), {report.taken.height:,} figures in use, "
          f"{report.revisions.height:,} revisions, {len(report.errors)} errors: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU (target < 30 s) {'OK' if wall < 30 else 'TOO SLOW'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    dfe = args.shared / "data" / "dfe"
    if not dfe.is_dir():
        print(f"{dfe} not found: pass --shared", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAREFLOW_DATA"] = str(Path(tmp) / "data")
        _run("1. ../shared/data/dfe (2022 CLA release + SFR 2010-2017 + CIN, workforce, population)", dfe)
        from tests.published.later_layouts import build_later_release

        later = Path(tmp) / "later"
        build_later_release(args.shared, later, shift=2)
        _run("2. the same in the 2024/2025 layouts, two years on, over (1)", later)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
