"""Build, from ../shared/data/dfe, a folder in the later releases' layouts (../shared/data/dfe-layouts).

Each 2022-release file careflow reads is renamed and re-headed to its counterpart in the 2024 or 2025 release
(as ``layouts.json`` describes them), with DfE's later wording of its labels; its years are moved on by
``shift`` so that the folder looks like a later release. The other files (CIN, workforce, population, the SFR
2010-2017 data) are copied as they are. The layouts hold no figures: the figures are the 2022 release's.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

# 2022 file -> (release, later file) in layouts.json
LATER = {
    "cla_number_and_rate_per_10k_children.csv": ("cla_2025_release", "cla_number_and_rate_per_10k_children.csv"),
    "la_children_who_ceased_during_year.csv": ("cla_2024_release", "la_children_who_ceased_during_the_year.csv"),
    "la_cla_at_31_march_placement_stability_indicator.csv": ("cla_2025_release", "la_cla_placement_stability.csv"),
    "national_cla_on_31_march_by_characteristics.csv": ("cla_2024_release",
                                                        "national_cla_on_31_march_by_characteristics.csv"),
    "la_care_leavers_intouch.csv": ("cla_2024_release", "la_care_leavers_intouch.csv"),
    "la_care_leavers_activity.csv": ("cla_2025_release", "la_care_leavers_activity.csv"),
    "la_care_leavers_accommodation_suitability.csv": ("cla_2025_release",
                                                      "la_care_leavers_accommodation_suitability.csv"),
}

# DfE's rewording between the 2022 release and the later ones (each later wording is checked against layouts.json)
REWORDED = {
    "Children looked after at 31 March each year": "Children looked after on 31 March each year",
    "Children looked after at 31 March": "CLA on 31 March",
    "Children looked after continuously for at least 2.5 years at 31 March aged under 16 years":
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
    "Living in the same placement for at least 2 years, or are placed for adoption and their adoption and their "
    "adoptive placement together with their previous placement, last for at least 2 years":
        "Living with the same carer for at least 2 years",
    "Accommodation considered not suitable": "Accommodation considered unsuitable",
}
# rewording that depends on the later release's file
REWORDED_IN = {
    ("cla_2025_release", "la_care_leavers_activity.csv"): {"Aged 17 to 18": "17 to 18 years",
                                                           "Aged 19 to 21": "19 to 21 years"},
    ("cla_2025_release", "la_care_leavers_accommodation_suitability.csv"): {"Total": "Suitability total"},
}


def layouts(shared: Path) -> dict[tuple[str, str], dict[str, object]]:
    entries = json.loads((shared / "data" / "dfe-layouts" / "layouts.json").read_text(encoding="utf-8"))
    return {(e["release"], e["file"]): e for e in entries}


def build_later_release(shared: Path, dest: Path, shift: int = 2) -> dict[str, list[str]]:
    """Write the folder; returns, per re-headed file, the later labels used that layouts.json does not list."""
    dfe = shared / "data" / "dfe"
    later = layouts(shared)
    dest.mkdir(parents=True, exist_ok=True)
    unlisted: dict[str, list[str]] = {}
    for name, (release, new_name) in LATER.items():
        layout = later[(release, new_name)]
        columns: list[str] = list(layout["columns"])  # type: ignore[call-overload]
        labels: dict[str, list[str]] = layout["labels"]  # type: ignore[assignment]
        words = {**REWORDED, **REWORDED_IN.get((release, new_name), {})}
        with (dfe / "cla_2022_release" / name).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        if len(header) != len(columns):
            raise AssertionError(f"{name}: {len(header)} columns, the {release} layout has {len(columns)}")
        year = header.index("time_period")
        label_cols = [i for i, c in enumerate(columns) if c in labels]
        out_rows = []
        seen: set[str] = set()
        for row in body:
            row = list(row)
            row[year] = str(int(row[year]) + shift)
            for i in label_cols:
                row[i] = words.get(row[i], row[i])
                if row[i] not in labels[columns[i]]:
                    seen.add(row[i])
            out_rows.append(row)
        unlisted[new_name] = sorted(seen)
        folder = dest / release
        folder.mkdir(exist_ok=True)
        with (folder / new_name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(out_rows)
    for sub in ("cin_cpp", "workforce", "population", "cla_la_2010_2017"):
        shutil.copytree(dfe / sub, dest / sub)
    return unlisted
