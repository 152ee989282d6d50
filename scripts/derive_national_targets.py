#!/usr/bin/env python
"""Derive careflow.synth's compact table of national targets from the DfE / ONS statistics.

Reads the national rows of the DfE 'Children looked after in England including adoptions' release
(2021 to 2022, as published in November 2022) and the children in need census series (2025 release,
truncated to years up to 2022) from ``../shared/data/dfe`` and writes
``src/careflow/synth/data/national_targets.csv``: one row per (year, measure, category) for the years
2018-2022, with the value, its unit and the source file. The synthetic local authority is calibrated to this
table and its tests compare against it, so neither needs ``../shared`` at run time.

    python scripts/derive_national_targets.py [--dfe ../shared/data/dfe] [--out src/careflow/synth/data/...]

Units: ``count`` (national counts, rounded to the nearest 10 by DfE), ``per_10k`` (per 10,000 children aged
0-17), ``share`` (a fraction of the total named by the measure, 0-1), ``days``, ``months``.

Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

YEARS = range(2018, 2023)
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DFE = ROOT.parent / "shared" / "data" / "dfe"
DEFAULT_OUT = ROOT / "src" / "careflow" / "synth" / "data" / "national_targets.csv"

CLA = "cla_2022_release"
CIN = "cin_cpp"

# --- groupings of DfE labels into the categories careflow.synth measures ---------------------------------
# Placement at 31 March (national_cla_on_31_march_by_characteristics.csv, cla_group "Placement").
PLACEMENT_DETAIL = {
    "foster_kinship": [
        "1a.1 Total foster placements inside council boundary with relative or friend",
        "1b.1 Total foster placements outside council boundary with relative or friend",
    ],
    "foster_other": [
        "1a.2 Total foster placements inside council boundary with other foster carer",
        "1b.2 Total foster placements outside council boundary with other foster carer",
    ],
    "placed_for_adoption": ["2. Total placed for adoption"],
    "placed_with_parents": ["3. Total placed with parents or other person with parental responsibility"],
    "independent_living": ["4. Total other placements in the community"],
    "secure_unit": [
        "5a Secure unit placement inside the council boundary",
        "5b Secure unit placement outside the council boundary",
    ],
    "childrens_home": ["5c Total children's homes subject to children's homes regulations"],
    "semi_independent": ["5d Semi-independent living accommodation not subject to children's homes regulations"],
    "other_residential": ["6. Total other residential settings"],
    "residential_school": ["7. Total residential schools"],
    "other": ["8. Total other placements"],
}
# The groups the calibration test checks ("foster, of which kinship; children's homes/secure/residential;
# supported/independent living; placed with parents; placed for adoption; other").
PLACEMENT_GROUP = {
    "foster": ["foster_kinship", "foster_other"],
    "foster_kinship": ["foster_kinship"],
    "residential": ["secure_unit", "childrens_home", "other_residential", "residential_school"],
    "supported_independent": ["semi_independent", "independent_living"],
    "placed_with_parents": ["placed_with_parents"],
    "placed_for_adoption": ["placed_for_adoption"],
    "other": ["other"],
}
# The same on starting (labels differ slightly in the starters file).
START_PLACEMENT_DETAIL = {
    "foster_kinship": [
        "1a.1 Total foster placements inside council boundary with relative or friend",
        "1b.1 Total foster placements outside council boundary with relative or friend",
    ],
    "foster_other": [
        "1a.2 Total foster placements inside council boundary with other foster carer",
        "1b.2 Total foster placements outside council boundary with other foster carer",
    ],
    "placed_with_parents": ["3. Total placed with parents or other person with parental responsibility"],
    "independent_living": ["4. Total other placements in the community"],
    "secure_unit": [
        "5a. Secure unit placement inside the council boundary",
        "5b. Secure unit placement outside the council boundary",
    ],
    "childrens_home": ["5c. Total children's homes subject to children's homes regulations"],
    "semi_independent": ["5d. Semi-independent living accommodation not subject to children's homes regulations"],
    "other_residential": ["6. Total other residential settings"],
    "residential_school": ["7. Total residential schools"],
    "other": ["8. Total other placements"],
}
AGE_31_MARCH = {
    "under_1": "Under 1 year",
    "1_to_4": "1 to 4 years",
    "5_to_9": "5 to 9 years",
    "10_to_15": "10 to 15 years",
    "16_and_over": "16 years and over",
}
LEGAL_31_MARCH = {
    "care_order": "Care orders",
    "placement_order": "Placement order granted",
    "section_20": "Voluntary agreements under S20 CA 1989",
    "youth_justice": "Youth justice legal statuses",
    "detained_for_child_protection": "Detained for child protection",
}
LEGAL_START = {
    "care_order": "Care order",
    "placement_order": "Placement order granted",
    "section_20": "Voluntary agreements under S20 CA 1989",
    "youth_justice": "Youth justice legal statuses",
    "detained_for_child_protection": "Detained for child protection",
}
# Reason episode ceased (REC codes in brackets).
CEASED_REASON_DETAIL = {
    "E4A": "Returned home to live with parents or other person with parental responsibility which was part of "
    "the care planning process",
    "E4B": "Returned home to live with parents or other person with parental responsibility which was not part "
    "of the care planning process",
    "E11_E12": "Adopted",
    "E45_E48": "Special guardianship order",
    "E41": "Residence order or child arrangement order granted",
    "E17": "Aged 18 (or over) and remained with current carers",
    "E5": "Moved into independent living (with supportive accommodation)",
    "E6": "Moved into independent living (with no formalised support)",
    "E13": "Left care to live with parents, relatives or other person with no parental responsibility",
    "E8": "Care ceased for any other reason",
    "E3": "Care taken by another local authority",
    "E7": "Transferred to residential care funded by adult social services",
    "E15": "Age assessment determined child aged 18 or over",
    "E14": "Accommodation on remand ended",
    "E9": "Sentenced to custody",
    "E16": "Child moved abroad",
    "E2": "Died",
}
CEASED_REASON_GROUP = {
    "home": ["E4A", "E4B"],
    "adoption": ["E11_E12"],
    "special_guardianship_order": ["E45_E48"],
    "child_arrangements_order": ["E41"],
    "eighteen_plus_independent": ["E17", "E5", "E6"],
    "other": ["E13", "E8", "E3", "E7", "E15", "E14", "E9", "E16", "E2"],
}
CEASED_DURATION = {
    "under_2_weeks": "1. Under 2 weeks",
    "2_to_8_weeks": "2. From 2 weeks to under 8 weeks",
    "8_weeks_to_6_months": "3. From 8 weeks to under 6 months",
    "6_to_12_months": "4. From 6 months to under 1 year",
    "1_to_2_years": "5. From 1 year to under 2 years",
    "2_to_3_years": "6. From 2 years to under 3 years",
    "3_to_5_years": "7. From 3 years to under 5 years",
    "5_to_10_years": "8. From 5 years to under 10 years",
    "10_years_and_over": "9. 10 years and over",
}
CEASED_AGE: dict[str, str | list[str]] = {
    "under_1": "Under 1 year",
    "1_to_4": "1 to 4 years",
    "5_to_9": "5 to 9 years",
    "10_to_15": "10 to 15 years",
    "16": "16 years",
    "17": "17 years",
    "18_and_over": ["Ceased on 18th birthday", "Ceased when older than 18th birthday"],
}
STARTED_AGE = AGE_31_MARCH
CPP_DURATION = {
    "3_months_or_less": "3_months_or_less",
    "3_to_6_months": "more_than_3_months_6_months",
    "6_to_12_months": "more_than_6_months_less_than_1_year",
    "1_to_2_years": "1_year_less_than_2_years",
    "2_years_or_more": "2_years_or_more",
}
# Factors identified at the end of assessment: the commonest, as a share of episodes with any factor.
FACTORS = {
    "domestic_abuse_parent": "Domestic_Abuse_parent",
    "domestic_abuse_child": "Domestic_Abuse_child",
    "mental_health_parent": "Mental_Health_parent",
    "mental_health_child": "Mental_Health_child",
    "emotional_abuse": "Emotional_Abuse",
    "neglect": "Neglect",
    "physical_abuse": "Physical_Abuse",
    "sexual_abuse": "Sexual_Abuse",
    "drug_misuse_parent": "Drug_Misuse_parent",
    "alcohol_misuse_parent": "Alcohol_Misuse_parent",
    "learning_disability_child": "Learning_Disability_child",
    "going_missing": "Going_missing",
    "child_sexual_exploitation": "Child_sexual_exploitation",
    "child_criminal_exploitation": "Child_criminal_exploitation",
    "gangs": "Gangs",
    "self_harm": "Self_harm",
    "unaccompanied_asylum_seeker": "Unaccompanied_asylum_seeker",
}

#: Breakdowns kept for the latest year only: they set parameters, the calibration test does not check them.
DETAIL_LATEST_ONLY = {
    "assessment_factors",
    "cla_at_31_march_by_placement",
    "cla_at_31_march_by_legal_status",
    "cla_starts_by_legal_status",
    "cla_starts_by_placement",
    "cla_ceased_by_reason_code",
    "cla_ceased_by_duration",
    "cla_ceased_by_age",
    "child_protection_plans_at_31_march_by_duration",
}

Row = tuple[int, str, str, float, str, str]


def read(path: Path) -> list[dict[str, str]]:
    """Rows of a DfE CSV as dicts (byte-order mark stripped)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    return list(csv.DictReader(io.StringIO(text)))


def number(text: str) -> float | None:
    """A DfE cell as a number; ``None`` for suppressed or unavailable values (c, k, x, z, low)."""
    text = (text or "").strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def national(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r.get("geographic_level") == "National" and int(r["time_period"]) in YEARS]


def characteristic_table(path: Path) -> dict[tuple[int, str, str], float]:
    """(year, cla_group, characteristic) -> number, from a national 'by characteristics' file."""
    out: dict[tuple[int, str, str], float] = {}
    for r in national(read(path)):
        value = number(r["number"])
        if value is not None:
            out[(int(r["time_period"]), r["cla_group"], r["characteristic"])] = value
    return out


def shares(
    year: int,
    table: dict[tuple[int, str, str], float],
    group: str,
    mapping: Mapping[str, str | list[str]],
    total_label: str,
    measure: str,
    source: str,
) -> list[Row]:
    total = table[(year, group, total_label)]
    rows: list[Row] = []
    for category, labels in mapping.items():
        labels = [labels] if isinstance(labels, str) else labels
        count = sum(table.get((year, group, label), 0.0) for label in labels)
        rows.append((year, measure, category, count, "count", source))
        rows.append((year, measure, category, round(count / total, 4), "share", source))
    return rows


def derive(dfe: Path) -> list[Row]:
    rows: list[Row] = []

    # --- CLA headline numbers and rates per 10,000 -----------------------------------------------------
    src = f"{CLA}/cla_number_and_rate_per_10k_children.csv"
    measures = {
        "Children looked after at 31 March each year": "cla_at_31_march",
        "Children starting to be looked after each year": "cla_starts",
        "Children ceasing to be looked after each year": "cla_ceased",
    }
    seen: set[tuple[int, str]] = set()
    population: dict[int, float] = {}
    for r in national(read(dfe / src)):
        year, measure = int(r["time_period"]), measures[r["population_count"]]
        if (year, measure) in seen:  # the file repeats some national rows
            continue
        seen.add((year, measure))
        population[year] = float(r["population_estimate"])
        rows.append((year, measure, "total", float(r["number"]), "count", src))
        rows.append((year, measure, "total", float(r["rate_per_10000"]), "per_10k", src))
    for year, pop in sorted(population.items()):
        rows.append((year, "population_0_17", "total", pop, "count", src))

    src = f"{CLA}/cla_2022_headline_figure.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        rows.append((year, "cla_adopted", "total", float(r["cla_adopted"]), "count", src))
        rows.append((year, "uasc_at_31_march", "total", float(r["cla_uasc"]), "count", src))
        rows.append((year, "uasc_at_31_march", "total",
                     round(float(r["cla_uasc"]) / population[year] * 1e4, 2), "per_10k", src))

    # --- CLA at 31 March by placement, age, legal status ----------------------------------------------
    src = f"{CLA}/national_cla_on_31_march_by_characteristics.csv"
    table = characteristic_table(dfe / src)
    for year in YEARS:
        total = table[(year, "Placement", "Total children")]
        detail = {k: sum(table.get((year, "Placement", lab), 0.0) for lab in labels)
                  for k, labels in PLACEMENT_DETAIL.items()}
        for category, count in detail.items():
            rows.append((year, "cla_at_31_march_by_placement", category, count, "count", src))
            rows.append((year, "cla_at_31_march_by_placement", category, round(count / total, 4), "share", src))
        for category, parts in PLACEMENT_GROUP.items():
            count = sum(detail[p] for p in parts)
            rows.append((year, "cla_at_31_march_by_placement_group", category, count, "count", src))
            rows.append((year, "cla_at_31_march_by_placement_group", category, round(count / total, 4),
                         "share", src))
        rows += shares(year, table, "Age group", dict(AGE_31_MARCH), "Total children",
                       "cla_at_31_march_by_age", src)
        rows += shares(year, table, "Legal status", dict(LEGAL_31_MARCH), "Total children",
                       "cla_at_31_march_by_legal_status", src)

    # --- CLA starting: age, legal status, placement ---------------------------------------------------
    src = f"{CLA}/national_cla_who_started_to_be_looked_after.csv"
    table = characteristic_table(dfe / src)
    for year in YEARS:
        rows += shares(year, table, "Age on starting", dict(STARTED_AGE), "Total children",
                       "cla_starts_by_age", src)
        rows += shares(year, table, "Legal status", dict(LEGAL_START), "Total children",
                       "cla_starts_by_legal_status", src)
        total = table[(year, "Placement group", "Total children")]
        for category, labels in START_PLACEMENT_DETAIL.items():
            count = sum(table.get((year, "Placement group", lab), 0.0) for lab in labels)
            rows.append((year, "cla_starts_by_placement", category, round(count / total, 4), "share", src))

    # --- CLA ceasing: reason, duration of the period of care, age -------------------------------------
    src = f"{CLA}/national_cla_who_ceased_during_the_year.csv"
    table = characteristic_table(dfe / src)
    for year in YEARS:
        total = table[(year, "Reason episode ceased", "Total")]
        detail = {k: table.get((year, "Reason episode ceased", lab), 0.0)
                  for k, lab in CEASED_REASON_DETAIL.items()}
        for category, count in detail.items():
            rows.append((year, "cla_ceased_by_reason_code", category, round(count / total, 4), "share", src))
        for category, parts in CEASED_REASON_GROUP.items():
            count = sum(detail[p] for p in parts)
            rows.append((year, "cla_ceased_by_reason", category, count, "count", src))
            rows.append((year, "cla_ceased_by_reason", category, round(count / total, 4), "share", src))
        total = table[(year, "Duration of last period of care", "Total")]
        for category, lab in CEASED_DURATION.items():
            count = table.get((year, "Duration of last period of care", lab), 0.0)
            rows.append((year, "cla_ceased_by_duration", category, round(count / total, 4), "share", src))
        mean = table.get((year, "Duration of last period of care",
                          "Average duration of last period of care (days)"))
        if mean is not None:
            rows.append((year, "cla_ceased_mean_duration", "total", mean, "days", src))
        rows += shares(year, table, "Age on ceasing", CEASED_AGE, "Total", "cla_ceased_by_age", src)

    # --- Children in need, referrals, s47, child protection -------------------------------------------
    src_pop = "population/ons_mid-year_population_estimates_2012_to_2024.csv"
    ons = {int(r["time_period"]): float(r["population_estimate"])
           for r in read(dfe / src_pop) if r["geographic_level"] == "National"}

    def per_10k(year: int, count: float) -> float:
        # Rates use the ONS 0-17 estimate of the previous June (data guidance).
        return round(count / ons[year - 1] * 1e4, 2)

    src = f"{CIN}/b1_children_in_need_2013_to_2025.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        for measure, column in (("cin_at_31_march", "At31_episodes"), ("cin_starts", "Started_episodes"),
                                ("cin_during_year", "Anypoint_episodes")):
            count = float(r[column])
            rows.append((year, measure, "total", count, "count", src))
            rows.append((year, measure, "total", per_10k(year, count), "per_10k", src))
    src = f"{CIN}/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        count = float(r["referral_count"])
        rows.append((year, "referrals", "total", count, "count", src))
        rows.append((year, "referrals", "total", per_10k(year, count), "per_10k", src))
        rows.append((year, "referrals", "rereferral_within_12_months",
                     float(r["rereferral_percent"]) / 100, "share", src))
        rows.append((year, "referrals", "no_further_action", float(r["no_further_action_percent"]) / 100,
                     "share", src))
        rows.append((year, "referrals", "assessed_not_in_need", float(r["not_in_need_percent"]) / 100,
                     "share", src))
    src = f"{CIN}/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        for measure, column in (("section47_enquiries", "Section47"),
                                ("initial_child_protection_conferences", "ICPC")):
            count = float(r[column])
            rows.append((year, measure, "total", count, "count", src))
            rows.append((year, measure, "total", per_10k(year, count), "per_10k", src))
        median = number(r["Duration_median"])
        if median is not None:
            rows.append((year, "section47_to_conference_median", "total", median, "working_days", src))
    src = f"{CIN}/d3_cpps_subsequent_plan_2013_to_2025.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        count = float(r["CPP_start"])
        rows.append((year, "child_protection_plan_starts", "total", count, "count", src))
        rows.append((year, "child_protection_plan_starts", "total", per_10k(year, count), "per_10k", src))
        rows.append((year, "child_protection_plan_starts", "second_or_subsequent",
                     float(r["CPP_subsequent_percent"]) / 100, "share", src))
    src = f"{CIN}/d5_cpps_at31march_by_duration_2013_to_2025.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        count = float(r["CPP_At31"])
        rows.append((year, "child_protection_plans_at_31_march", "total", count, "count", src))
        rows.append((year, "child_protection_plans_at_31_march", "total", per_10k(year, count), "per_10k", src))
        for category, column in CPP_DURATION.items():
            rows.append((year, "child_protection_plans_at_31_march_by_duration", category,
                         round(float(r[column]) / count, 4), "share", src))
    src = f"{CIN}/c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
    for r in national(read(dfe / src)):
        year = int(r["time_period"])
        total = float(r["Episodes_with_assessment_factor"])
        for category, column in FACTORS.items():
            value = number(r.get(column, ""))
            if value is not None:
                rows.append((year, "assessment_factors", category, round(value / total, 4), "share", src))
    # Keep the table compact: counts only for headline totals; breakdowns used only to set parameters (not
    # checked by the calibration test) only for the latest year.
    rows = [r for r in rows if r[4] != "count" or r[2] == "total"]
    rows = [r for r in rows if r[1] not in DETAIL_LATEST_ONLY or r[0] == max(YEARS)]
    return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[4]))


def write(rows: list[Row], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        handle.write(
            "# National targets for careflow.synth, derived by scripts/derive_national_targets.py from DfE\n"
            "# 'Children looked after in England including adoptions: 2021 to 2022' (Nov 2022) and the DfE\n"
            "# children in need census series (2025 release, years <= 2022); rates per 10,000 children 0-17.\n"
            "# Source files are named relative to the shared data/dfe folder. Contains public sector\n"
            "# information licensed under the Open Government Licence v3.0.\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "measure", "category", "value", "unit", "source"])
        for year, measure, category, value, unit, source in rows:
            text = f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
            writer.writerow([year, measure, category, text, unit, source])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dfe", type=Path, default=DEFAULT_DFE, help="the shared data/dfe folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the CSV to write")
    args = parser.parse_args(argv)
    if not args.dfe.is_dir():
        print(f"derive_national_targets: {args.dfe} is not a folder (expected ../shared/data/dfe)", file=sys.stderr)
        return 2
    rows = derive(args.dfe)
    write(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
