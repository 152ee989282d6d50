"""Derive careflow.supply's compact placement tables from the DfE CLA releases in ../shared/data/dfe.

Writes ``src/careflow/supply/data/placements_by_la.csv`` (LA, regional and national counts at 31 March 2021 and
2022: placement type, age group, distance and locality of placement, placement stability) and
``src/careflow/supply/data/national_placements.csv`` (England: placement type by provider and by distance, 2022).
Suppressed cells keep the DfE symbol (``c``, ``k``, ``x``, ``z``, ``u``) so careflow can say which fallback it used.

Sources (Open Government Licence v3.0): DfE 'Children looked after in England including adoptions: 2021 to 2022',
``cla_la_by_characteristics_2021_2022/combined_cla_31_march_data.csv``,
``cla_2022_release/la_cla_at_31_march_placement_stability_indicator.csv``,
``cla_2022_release/national_cla_on_31_march_by_placement_provider_and_locality_.csv`` and
``cla_2022_release/national_cla_on_31_march_by_placement_distance_and_locality_of_placement.csv``.

    python scripts/derive_supply_tables.py ../shared/data/dfe
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "careflow" / "supply" / "data"

# (DfE cla_group, characteristic) -> careflow measure
MEASURES = {
    ("Placement", "Total"): "cla",
    ("Placement", "Foster placements"): "foster",
    ("Placement", "Secure homes and children's homes"): "childrens_home",
    ("Placement", "Independent and semi-independent living arrangements/supported accommodation"):
        "supported_accommodation",
    ("Placement", "Placed with parents or other person with parental responsibility"): "placed_with_parents",
    ("Placement", "Placed for adoption"): "placed_for_adoption",
    ("Placement", "Other residential settings"): "other_residential",
    ("Placement", "Residential schools"): "residential_schools",
    ("Placement", "Other placements"): "other_placements",
    ("Place providers", "Own provision (by the LA)"): "provider_own",
    ("Place providers", "Private provision"): "provider_private",
    ("Place providers", "Voluntary/third sector provision"): "provider_voluntary",
    ("Distance between home and placement", "Placed 20 miles or less from home"): "within_20_miles",
    ("Distance between home and placement", "Placed more than 20 miles from home"): "over_20_miles",
    ("Distance between home and placement", "Distance not known or not recorded"): "distance_unknown",
    ("Locality of placement", "Placed inside the local authority boundary"): "inside_la",
    ("Locality of placement", "Placed outside the local authority boundary"): "outside_la",
    ("Age group", "Under 1 year"): "age_under_1",
    ("Age group", "1 to 4 years"): "age_1_to_4",
    ("Age group", "5 to 9 years"): "age_5_to_9",
    ("Age group", "10 to 15 years"): "age_10_to_15",
    ("Age group", "16 years and over"): "age_16_plus",
}
LEVELS = {"Local authority": "la", "Regional": "region", "National": "national"}


def main(root: Path) -> None:
    rows: list[dict[str, str]] = []
    src = root / "cla_la_by_characteristics_2021_2022" / "combined_cla_31_march_data.csv"
    with src.open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            m = MEASURES.get((r["cla_group"], r["characteristic"]))
            if m is None:
                continue
            rows.append({"year": r["time_period"], "level": LEVELS[r["geographic_level"]],
                         "old_la_code": r["old_la_code"], "la_name": r["la_name"], "region_name": r["region_name"],
                         "measure": m, "value": r["cla_31_march_number"].strip()})
    stab = root / "cla_2022_release" / "la_cla_at_31_march_placement_stability_indicator.csv"
    with stab.open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["time_period"] not in {"2021", "2022"} or r["cla_group"] != "Children looked after at 31 March":
                continue
            m = {"With 3 or more placements during the year": "three_plus_placements",
                 "Total children": "stability_base"}.get(r["characteristic"])
            if m:
                rows.append({"year": r["time_period"], "level": LEVELS[r["geographic_level"]],
                             "old_la_code": r["old_la_code"], "la_name": r["la_name"] or r["region_name"]
                             or "England", "region_name": r["region_name"], "measure": m,
                             "value": r["number"].strip()})
    for r in rows:
        if r["level"] == "national":
            r["la_name"] = "England"
        elif r["level"] == "region":
            r["la_name"] = r["region_name"]
    rows.sort(key=lambda r: (r["level"], r["la_name"], r["year"], r["measure"]))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "placements_by_la.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["year", "level", "old_la_code", "la_name", "region_name", "measure", "value"])
        w.writeheader()
        w.writerows(rows)
    nat: list[dict[str, str]] = []
    prov = root / "cla_2022_release" / "national_cla_on_31_march_by_placement_provider_and_locality_.csv"
    with prov.open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            nat.append({"year": r["time_period"], "table": "provider", "group": r["placement_type"],
                        "characteristic": r["placement_provider"], "value": r["number"].strip()})
    dist = root / "cla_2022_release" / "national_cla_on_31_march_by_placement_distance_and_locality_of_placement.csv"
    with dist.open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            nat.append({"year": r["time_period"], "table": "distance", "group": r["cla_group"],
                        "characteristic": r["characteristic"], "value": r["number"].strip()})
    with (OUT / "national_placements.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["year", "table", "group", "characteristic", "value"])
        w.writeheader()
        w.writerows(nat)
    print(f"wrote {len(rows)} + {len(nat)} rows to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/dfe"))
