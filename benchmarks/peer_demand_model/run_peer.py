"""Run the Social Finance demand model (cs-demand-model) on DfE SSDA903 CSVs in per-year folders.

Runs inside the peer's own virtual environment (see setup_venv.sh), not careflow's:

    .venv/bin/python run_peer.py DATA_DIR REFERENCE_START REFERENCE_END MONTHS

Prints one JSON object: seconds to load, seconds to fit and project (daily steps, as the peer's CLI does), and the
projected stock at each month end by the peer's placement categories (Fostering, Residential, Supported, Other).
"""

from __future__ import annotations

import json
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


def main() -> None:
    source, ref_start, ref_end, months = sys.argv[1], *(date.fromisoformat(a) for a in sys.argv[2:4]), int(sys.argv[4])
    t0 = time.perf_counter()
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(source), config)
    stats = PopulationStats(container.enriched_view, config)
    t1 = time.perf_counter()
    predictor = ModelPredictor.from_model(stats, ref_start, ref_end)
    ends = month_ends(ref_end, months)
    prediction = predictor.predict((ends[-1] - ref_end).days)
    t2 = time.perf_counter()
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
    print(json.dumps({"load_seconds": t1 - t0, "fit_project_seconds": t2 - t1, "stock": out}))


if __name__ == "__main__":
    main()
