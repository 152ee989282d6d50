"""Run the Social Finance demand model (cs-demand-model) on DfE SSDA903 CSVs in per-year folders.

Runs inside the peer's own virtual environment (see setup_venv.sh), not careflow's:

    .venv/bin/python run_peer.py DATA_DIR REFERENCE_START REFERENCE_END MONTHS

Prints one JSON object with the seconds of each stage and the peak memory (MB):

* ``read_seconds``: reading the per-year CSVs, joining headers, its episode clean-up (``combined_data``);
* ``prepare_seconds``: ages, age brackets, placement categories, the placements before and after
  (``enriched_view``) — row by row in pandas, the part that grows with the data;
* ``fit_seconds``: the daily stock, transition rates and daily entrants over the reference window;
* ``project_seconds``: the projection in daily steps, as the peer's CLI does (does not grow with the data);

``load_seconds`` (read) and ``fit_project_seconds`` (prepare + fit + project) are kept for the benchmark's older
figures. ``stock`` holds the projected stock at each month end by the peer's placement categories.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date, timedelta

from cs_demand_model import DemandModellingDataContainer, ModelPredictor, PopulationStats
from cs_demand_model.config import Config
from cs_demand_model.datastore import fs_datastore

GROUPS = ("FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER")


def month_ends(start: date, months: int) -> list[date]:
    out, y, m = [], start.year, start.month
    for _ in range(months):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        out.append(date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))
    return out


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM where /proc has it (ru_maxrss would carry the parent's peak
    across fork and exec), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    source, ref_start, ref_end, months = sys.argv[1], *(date.fromisoformat(a) for a in sys.argv[2:4]), int(sys.argv[4])
    t0 = time.perf_counter()
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(source), config)
    combined = container.combined_data
    t1 = time.perf_counter()
    enriched = container.enriched_view
    t2 = time.perf_counter()
    stats = PopulationStats(enriched, config)
    predictor = ModelPredictor.from_model(stats, ref_start, ref_end)
    t3 = time.perf_counter()
    ends = month_ends(ref_end, months)
    prediction = predictor.predict((ends[-1] - ref_end).days)
    t4 = time.perf_counter()
    out: dict[str, dict[str, float]] = {}
    for when in ends:
        row = prediction.iloc[list(prediction.index).index(when)]
        totals: dict[str, float] = {}
        for key, value in row.items():
            # Only (age bracket, placement) states; the model also carries a state for children who aged out.
            if isinstance(key, tuple) and len(key) == 2 and key[1] in GROUPS:
                totals[key[1]] = totals.get(key[1], 0.0) + float(value)
        totals["TOTAL"] = sum(totals.values())
        out[when.isoformat()] = totals
    print(json.dumps({
        "episodes": len(combined),
        "read_seconds": t1 - t0,
        "prepare_seconds": t2 - t1,
        "fit_seconds": t3 - t2,
        "project_seconds": t4 - t3,
        "load_seconds": t1 - t0,
        "fit_project_seconds": t4 - t1,
        "peak_mb": peak_mb(),
        "stock": out,
    }))


if __name__ == "__main__":
    main()
