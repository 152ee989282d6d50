"""Derive the compact published-statistics tables that ship with ``careflow.measures``.

Reads the DfE / ONS files in ``../shared/data/dfe`` (see its README for provenance and licence) and writes:

* ``src/careflow/measures/data/published_counts.csv`` — one row per area (England, region, local authority)
  and year, one column per published count or DfE-published figure. Cells hold the value as DfE published
  it: a number, or DfE's symbol when there is no number (``c`` confidential, ``x`` not available, ``z`` not
  applicable, ``k`` rounds to zero, ``u`` low reliability). An empty cell means the source holds nothing for
  that area, year and measure.
* ``src/careflow/measures/data/areas.csv`` — each area's code, name, level, region and its ten statistical
  neighbours (DfE groupings, April 2021).
* ``src/careflow/measures/data/manifest.json`` — the source file of every column, and the rules used.

Area codes: local authorities by their DfE three-digit number (``919`` Hertfordshire), which stays the same
when ONS codes change; England ``E92000001``; regions by ONS code (``E12000006``).

Usage::

    python scripts/derive_scorecard_tables.py [--shared ../shared] [--out src/careflow/measures/data]

Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
ENGLAND = "E92000001"
REGIONS = {
    "NORTH EAST": "E12000001",
    "NORTH WEST": "E12000002",
    "YORKSHIRE AND THE HUMBER": "E12000003",
    "EAST MIDLANDS": "E12000004",
    "WEST MIDLANDS": "E12000005",
    "EAST OF ENGLAND": "E12000006",
    "LONDON": "E12000007",
    "SOUTH EAST": "E12000008",
    "SOUTH WEST": "E12000009",
}
SYMBOLS = {"c", "x", "z", "k", "u"}
# Where several published cells are added together, the combined cell takes the "worst" symbol present.
SYMBOL_ORDER = ("c", "u", "x", "k", "z")

Long = list[tuple[str, int, str, str]]  # (area_code, year, measure, cell)

SOURCES: dict[str, list[str]] = {}


def _note(measure: str, source: str) -> None:
    SOURCES.setdefault(measure, [])
    if source not in SOURCES[measure]:
        SOURCES[measure].append(source)


def clean_cell(value: str | None) -> str:
    """A published cell as text: a plain number, a DfE symbol, or '' for nothing."""
    if value is None:
        return ""
    v = value.strip().replace(",", "")
    if v in ("", "..", "#VALUE!", "-", ":"):
        return "" if v in ("", "#VALUE!") else "x"
    low = v.lower()
    if low in SYMBOLS:
        return low
    try:
        number = float(v)
    except ValueError:
        return ""
    return str(int(number)) if number == int(number) and "." not in v else repr(number)


def combine(cells: Iterable[str], how: str = "sum") -> str:
    """Add (or subtract) published cells; any symbol makes the result that symbol; any '' makes it ''."""
    cells = list(cells)
    if any(c == "" for c in cells):
        return ""
    symbols = [c for c in cells if c in SYMBOLS]
    if symbols:
        return min(symbols, key=SYMBOL_ORDER.index)
    numbers = [float(c) for c in cells]
    total = numbers[0] - sum(numbers[1:]) if how == "difference" else sum(numbers)
    return str(int(total)) if total == int(total) else repr(round(total, 6))


def read(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    frame = frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})
    return frame.select([c for c in frame.columns if c and not c.startswith("_duplicated")])


def ees_area(frame: pl.DataFrame) -> pl.DataFrame:
    """Explore-education-statistics rows → area_code (LA number, region ONS code or England)."""
    for missing in ("region_code", "region_name", "old_la_code", "new_la_code", "la_name"):
        if missing not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(missing))
    level = pl.col("geographic_level")
    code = (
        pl.when(level == "National")
        .then(pl.lit(ENGLAND))
        .when(level == "Regional")
        .then(pl.col("region_code"))
        .when(level == "Local authority")
        .then(pl.col("old_la_code"))
        .otherwise(None)
    )
    frame = frame.with_columns(code.alias("area_code"), pl.col("time_period").cast(pl.Int32).alias("year"))
    # London's inner/outer sub-regions are not regions
    return frame.filter(pl.col("area_code").is_not_null() & ~pl.col("area_code").str.starts_with("E13"))


def ees_measures(
    path: Path,
    measures: dict[str, str | tuple[str, ...]],
    where: pl.Expr | None = None,
    year_shift: int = 0,
) -> Long:
    """Pick columns of an EES file (optionally filtered) as measures; tuples are summed."""
    frame = ees_area(read(path))
    if where is not None:
        frame = frame.filter(where)
    out: Long = []
    rel = path.relative_to(path.parents[1]).as_posix()
    for measure, columns in measures.items():
        cols = (columns,) if isinstance(columns, str) else columns
        _note(measure, f"{rel}: {' + '.join(cols)}")
        for row in frame.select("area_code", "year", *cols).iter_rows():
            cell = combine([clean_cell(v) for v in row[2:]])
            out.append((row[0], row[1] + year_shift, measure, cell))
    return _dedupe(out)


def ees_categories(
    path: Path,
    category_column: str,
    measures: dict[str, tuple[str, ...]],
    where: pl.Expr | None = None,
    value_column: str = "number",
) -> Long:
    """EES long files: the sum of ``value_column`` over the listed categories, per area and year."""
    frame = ees_area(read(path))
    if where is not None:
        frame = frame.filter(where)
    rel = path.relative_to(path.parents[1]).as_posix()
    out: Long = []
    for measure, categories in measures.items():
        _note(measure, f"{rel}: {value_column} where {category_column} in {list(categories)}")
        part = frame.filter(pl.col(category_column).is_in(list(categories)))
        grouped: dict[tuple[str, int], list[str]] = {}
        for area, year, value in part.select("area_code", "year", value_column).iter_rows():
            grouped.setdefault((area, year), []).append(clean_cell(value))
        for (area, year), cells in grouped.items():
            if len(cells) != len(categories):
                raise SystemExit(f"{rel}: {measure} {area} {year}: expected {len(categories)} rows, got {len(cells)}")
            out.append((area, year, measure, combine(cells)))
    return _dedupe(out)


def _dedupe(rows: Long) -> Long:
    seen: dict[tuple[str, int, str], str] = {}
    for area, year, measure, cell in rows:
        key = (area, year, measure)
        if key in seen and seen[key] != cell and seen[key] not in ("", "z"):
            if cell in ("", "z"):
                continue
            raise SystemExit(f"conflicting values for {key}: {seen[key]!r} vs {cell!r}")
        seen[key] = cell
    return [(a, y, m, c) for (a, y, m), c in seen.items()]


# --- the SFR underlying data, 2010-2017 ----------------------------------------------------------------------


def sfr_area(frame: pl.DataFrame) -> pl.DataFrame:
    level = pl.col("geog_l").str.to_uppercase()
    name = pl.col("geog_n").str.strip_chars().str.to_uppercase()
    code = (
        pl.when(level.is_in(["NATIONAL"]))
        .then(pl.lit(ENGLAND))
        .when(level.is_in(["REGION", "GOR"]))
        .then(name.replace_strict(REGIONS, default=None))
        .when(level == "LA")
        .then(pl.col("geog_c").str.strip_chars())
        .otherwise(None)
    )
    return frame.with_columns(code.alias("area_code")).filter(pl.col("area_code").is_not_null())


def sfr_measures(path: Path, year: int, measures: dict[str, str | tuple[str, ...]]) -> Long:
    """Columns of an SFR underlying-data file as measures (column names as regexes; tuples summed)."""
    frame = sfr_area(read(path))
    rel = path.relative_to(path.parents[2]).as_posix()
    out: Long = []
    for measure, patterns in measures.items():
        pats = (patterns,) if isinstance(patterns, str) else patterns
        cols = []
        for pat in pats:
            found = [c for c in frame.columns if re.fullmatch(pat, c.strip())]
            if len(found) != 1:
                raise SystemExit(f"{rel}: pattern {pat!r} matched {found}")
            cols.append(found[0])
        _note(measure, f"{rel}: {' + '.join(c.strip() for c in cols)}")
        for row in frame.select("area_code", *cols).iter_rows():
            # In the SFR underlying data 'x' marks a number from one to five suppressed for confidentiality
            # (SFR metadata, e.g. cla_la_2010_2017/2014/Meta Data Document.txt:18): DfE's later symbol is 'c'.
            cells = ["c" if c == "x" else c for c in (clean_cell(v) for v in row[1:])]
            out.append((row[0], year, measure, combine(cells)))
    return _dedupe(out)


def sfr(dfe: Path) -> Long:
    base = dfe / "cla_la_2010_2017"
    rows: Long = []
    # 2010 (SFR27/2010): its own layout
    rows += sfr_measures(
        base / "2010/SFR27_2010_March.csv",
        2010,
        {
            "cla_at_31_march": "MarTotal_2010",
            "population_0_17": r"Mid2009Pop0-17",
            "cla_kinship_foster": "MarPlace_Q1_2010",
            "cla_placement_total": "MarTotal_2010",
        },
    )
    rows += sfr_measures(base / "2010/SFR27_2010_Started.csv", 2010, {"cla_starts": "StartTotal_2010"})
    rows += sfr_measures(
        base / "2010/SFR27_2010_Ceased.csv",
        2010,
        {
            "cla_ceased": "CeasedTotal_2010",
            "ceased_sgo": ("CeasedSpeGuaForm_2010", "CeasedSpecGuaOth_2010"),
            "ceased_cao": "CeasedResOrd_2010",
            "ceased_returned_home": "CeasedHome_2010",
        },
    )
    files = {
        2011: ("2011/SFR21_CLA.csv", "2011/SFE21_ADM.csv", "2011/SFR21_CEA.csv"),
        2012: ("2012/SFR20_CLA2012.csv", "2012/SFR20_ADM2012.csv", "2012/SFR_CEA2012.csv"),
        2013: ("2013/SFR36_CLA2013.csv", "2013/SFR36_ADM2013.csv", "2013/SFR36_CEA2013.csv"),
        2014: ("2014/SFR36_CLA2014.csv", "2014/SFR36_ADM2014.csv", "2014/SFR36_CEA2014.csv"),
        2015: ("2015/SFR34_CLA2015.csv", "2015/SFR34_ADM2015.csv", "2015/SFR34_CEA2015.csv"),
        2016: ("2016/SFR41_CLA2016.csv", "2016/SFR41_ADM2016.csv", "2016/SFR41_CEA2016.csv"),
        2017: ("2017/SFR50_CLA2017.csv", "2017/SFR50_ADM2017.csv", "2017/SFR50_CEA2017.csv"),
    }
    for year, (cla, adm, cea) in files.items():
        cla_measures: dict[str, str | tuple[str, ...]] = {"cla_at_31_march": rf"CLA_Mar{year}"}
        if year <= 2014:
            # placements during the year of children looked after at 31 March (dropped from 2015)
            cla_measures["cla_3plus_placements"] = "CLA_3Pla"
            cla_measures["cla_stability_total"] = ("CLA_1Pla", "CLA_2PLa", "CLA_3Pla")
        rows += sfr_measures(base / cla, year, cla_measures)
        # the 2015 file labels its column CLA_started2014; it holds 2015's starts (SFR34/2015)
        rows += sfr_measures(base / adm, year, {"cla_starts": r"CLA_started\d{4}"})
        if year == 2017:
            cea_measures: dict[str, str | tuple[str, ...]] = {
                "cla_ceased": "CLA_cease2017",
                "ceased_sgo": ("CEA_SGO1", "CEA_SGO2"),
                "ceased_cao": "CEA_CAO",
                "ceased_returned_home": ("CEA_ParPlan", "CEA_ParNPlan"),
            }
        elif year >= 2015:
            cea_measures = {
                "cla_ceased": "CLA_cease",
                "ceased_sgo": (r"CLA_ceaSpecG1?", "CLA_ceaSpecG2"),
                "ceased_cao": "CLA_ceaROG",
                "ceased_returned_home": ("CLA_ceaParPlan", "CLA_ceaParNPlan"),
            }
        else:
            cea_measures = {
                "cla_ceased": "CLA_cease",
                "ceased_sgo": ("CLA_ceaSpecG", "CLA_ceaSpecG2"),
                "ceased_cao": "CLA_ceaROG",
                "ceased_returned_home": "CLA_ceaPar",
            }
        rows += sfr_measures(base / cea, year, cea_measures)
    # care leavers aged 19 to 21 and 17 to 18, 2017 (the first year with both age groups and in-touch columns)
    rows += sfr_measures(
        base / "2017/SFR50_CareLeavers19to212017.csv",
        2017,
        {
            "care_leavers_19_21": "CL_All_19to21",
            "care_leavers_19_21_activity_total": "CL_All_19to21",
            "care_leavers_19_21_accommodation_total": "CL_All_19to21",
            "care_leavers_19_21_in_touch": "CL_InTouch_IT19to21",
            "care_leavers_19_21_eet": ("CL_Act_HE19to21", "CL_Act_OE19to21", "CL_Act_TE19to21"),
            "care_leavers_19_21_suitable": "CL_Acc_SUIT19to21",
        },
    )
    rows += sfr_measures(
        base / "2017/SFR50_CareLeavers17182017.csv",
        2017,
        {
            "care_leavers_17_18": "CL_All_17&18",
            "care_leavers_17_18_activity_total": "CL_All_17&18",
            "care_leavers_17_18_accommodation_total": "CL_All_17&18",
            "care_leavers_17_18_in_touch": "CL_InTouch_IT17&18",
            "care_leavers_17_18_eet": ("CL_Act_HE17&18", "CL_Act_OE17&18", "CL_Act_TE17&18"),
            "care_leavers_17_18_suitable": "CL_Acc_SUIT17&18",
        },
    )
    return rows


# --- the EES files, 2013-2022 ---------------------------------------------------------------------------------


def ees(dfe: Path) -> Long:
    rows: Long = []
    cla = dfe / "cla_2022_release"
    rate_file = cla / "cla_number_and_rate_per_10k_children.csv"
    pc = pl.col("population_count")
    rows += ees_measures(
        rate_file,
        {
            "cla_at_31_march": "number",
            "dfe_cla_rate_per_10k": "rate_per_10000",
            "population_0_17": "population_estimate",
        },
        where=pc == "Children looked after at 31 March each year",
    )
    rows += ees_measures(
        rate_file,
        {"cla_starts": "number", "dfe_cla_starts_rate_per_10k": "rate_per_10000"},
        where=pc == "Children starting to be looked after each year",
    )
    ceased = cla / "la_children_who_ceased_during_year.csv"
    reason = pl.col("cla_group") == "Reason episode ceased"
    rows += ees_categories(
        ceased,
        "characteristic",
        {
            "cla_ceased": ("Total",),
            "ceased_sgo": ("Special guardianship orders",),
            "ceased_cao": ("Residence order or child arrangement order granted",),
            "ceased_returned_home": (
                "Returned home to live with parents or other person with parental responsibility which was part "
                "of the care planning process",
                "Returned home to live with parents or other person with parental responsibility which was not "
                "part of the care planning process",
            ),
        },
        where=reason,
    )
    rows += ees_categories(
        ceased,
        "characteristic",
        {
            "dfe_ceased_sgo_pct": ("Special guardianship orders",),
            "dfe_ceased_cao_pct": ("Residence order or child arrangement order granted",),
        },
        where=reason,
        value_column="percentage",
    )
    stability = cla / "la_cla_at_31_march_placement_stability_indicator.csv"
    at31 = pl.col("cla_group") == "Children looked after at 31 March"
    longterm = (
        pl.col("cla_group")
        == "Children looked after continuously for at least 2.5 years at 31 March aged under 16 years"
    )
    three = ("With 3 or more placements during the year",)
    same = (
        "Living in the same placement for at least 2 years, or are placed for adoption and their adoption and their "
        "adoptive placement together with their previous placement, last for at least 2 years",
    )
    rows += ees_categories(
        stability, "characteristic", {"cla_3plus_placements": three, "cla_stability_total": ("Total children",)}, at31
    )
    rows += ees_categories(stability, "characteristic", {"dfe_cla_3plus_placements_pct": three}, at31, "percentage")
    rows += ees_categories(
        stability,
        "characteristic",
        {"cla_long_term_same_placement": same, "cla_long_term_cohort": ("Total children",)},
        longterm,
    )
    rows += ees_categories(
        stability, "characteristic", {"dfe_cla_long_term_stability_pct": same}, longterm, "percentage"
    )
    # national kinship foster care (LA figures by placement type are not published in these files)
    national = cla / "national_cla_on_31_march_by_characteristics.csv"
    placement = pl.col("cla_group") == "Placement"
    rows += ees_categories(
        national,
        "characteristic",
        {
            "cla_kinship_foster": (
                "1a.1 Total foster placements inside council boundary with relative or friend",
                "1b.1 Total foster placements outside council boundary with relative or friend",
            ),
            "cla_placement_total": ("Total children",),
        },
        where=placement,
    )
    # care leavers
    for age_label, suit_label, key in (
        ("Aged 19 to 21", "19 to 21 years", "19_21"),
        ("Aged 17 to 18", "17 to 18 years", "17_18"),
    ):
        prefix = f"care_leavers_{key}"
        age = pl.col("age") == age_label
        intouch = cla / "la_care_leavers_intouch.csv"
        rows += ees_categories(
            intouch,
            "in_touch",
            {prefix: ("Total",), f"{prefix}_in_touch": ("Local authority in touch with care leaver",)},
            age,
        )
        rows += ees_categories(
            intouch,
            "in_touch",
            {f"dfe_{prefix}_in_touch_pct": ("Local authority in touch with care leaver",)},
            age,
            "percentage",
        )
        activity = cla / "la_care_leavers_activity.csv"
        eet = ("Total in education, employment or training",)
        rows += ees_categories(
            activity, "activity", {f"{prefix}_eet": eet, f"{prefix}_activity_total": ("Total",)}, age
        )
        rows += ees_categories(activity, "activity", {f"dfe_{prefix}_eet_pct": eet}, age, "percentage")
        suit = cla / "la_care_leavers_accommodation_suitability.csv"
        sage = pl.col("age") == suit_label
        ok = ("Accommodation considered suitable",)
        rows += ees_categories(
            suit,
            "accommodation_suitability",
            {f"{prefix}_suitable": ok, f"{prefix}_accommodation_total": ("Total",)},
            sage,
        )
        rows += ees_categories(
            suit, "accommodation_suitability", {f"dfe_{prefix}_suitable_pct": ok}, sage, "percentage"
        )

    cin = dfe / "cin_cpp"
    rows += ees_measures(
        cin / "b1_children_in_need_2013_to_2025.csv",
        {"cin_at_31_march": "At31_episodes", "cin_awaiting_assessment": "awaiting_assessment"},
    )
    rows += ees_measures(
        cin / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        {
            "referrals": "referral_count",
            "rereferrals": "rereferral_count",
            "dfe_rereferral_pct": "rereferral_percent",
            "referrals_not_in_need": "not_in_need_count",
        },
    )
    rows += ees_measures(
        cin / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        {"section47_enquiries": "Section47", "initial_conferences": "ICPC"},
    )
    rows += ees_measures(
        cin / "d3_cpps_subsequent_plan_2013_to_2025.csv",
        {
            "cpp_starts": "CPP_start",
            "cpp_second_subsequent": "CPP_subsequent",
            "dfe_cpp_second_subsequent_pct": "CPP_subsequent_percent",
        },
    )
    rows += ees_measures(
        cin / "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        {
            "cpp_at_31_march": "CPP_At31",
            "cpp_2years_plus": "2_years_or_more",
            "dfe_cpp_2years_plus_pct": "2_years_or_more_percent",
        },
    )
    wf = dfe / "workforce" / "csww_indicators_2017_to_2025.csv"
    rows += ees_measures(
        wf,
        {
            "sw_inpost_fte": "inpost_fte",
            "sw_agency_fte": "agency_fte",
            "sw_vacancy_fte": "vacancy_fte",
            "sw_leavers_fte": "leavers_fte",
            "sw_cases": "cases",
            "sw_case_holders_fte": "case_holders_fte",
            "dfe_sw_agency_rate_fte": "agency_rate_fte",
            "dfe_sw_vacancy_rate_fte": "vacancy_rate_fte",
            "dfe_sw_turnover_rate_fte": "turnover_rate_fte",
            "dfe_sw_caseload_fte": "caseload_fte",
        },
    )
    return rows


def ons_population(dfe: Path) -> Long:
    """ONS mid-year 0-17 estimates; mid-year Y-1 is the denominator for the year ending 31 March Y."""
    return ees_measures(
        dfe / "population" / "ons_mid-year_population_estimates_2012_to_2024.csv",
        {"ons_population_0_17": "population_estimate"},
        where=pl.col("age_group") == "Children aged 0 to 17 years",
        year_shift=1,
    )


def areas(dfe: Path, wide: pl.DataFrame) -> pl.DataFrame:
    """Every area with its latest name, ONS code, region and statistical neighbours."""
    names: dict[str, tuple[int, str, str, str, str]] = {}
    files = [
        dfe / "cla_2022_release" / "cla_number_and_rate_per_10k_children.csv",
        dfe / "cin_cpp" / "b1_children_in_need_2013_to_2025.csv",
        dfe / "workforce" / "csww_indicators_2017_to_2025.csv",
    ]
    for path in files:
        frame = ees_area(read(path))
        for row in frame.select(
            "area_code", "year", "la_name", "new_la_code", "region_code", "region_name", "geographic_level"
        ).iter_rows():
            code, year, la_name, ons, region_code, region_name, level = row
            if level == "National":
                la_name, ons, region_code, region_name = "England", ENGLAND, "", ""
            elif level == "Regional":
                la_name, ons = region_name, region_code
                region_code, region_name = ENGLAND, "England"
            if region_code and region_code.startswith("E13"):  # Inner/Outer London → London
                region_code, region_name = "E12000007", "London"
            if code not in names or names[code][0] < year:
                names[code] = (year, la_name.strip(), ons or "", region_code or "", region_name or "")
    # 2010-2017 LAs absent from the later files (none expected, but never drop silently)
    sfr_names: dict[str, str] = {}
    for path in sorted((dfe / "cla_la_2010_2017").glob("*/*CLA*.csv")):
        frame = sfr_area(read(path)).filter(pl.col("geog_l").str.to_uppercase() == "LA")
        for code, name in frame.select("area_code", "geog_n").iter_rows():
            sfr_names.setdefault(code, name.strip())
    for code in wide["area_code"].unique().to_list():
        if code not in names:
            if code not in sfr_names:
                raise SystemExit(f"area {code} has data but no name")
            names[code] = (0, sfr_names[code], "", "", "")
    neighbours = read(dfe / "reference" / "New_Statistical_Neighbour_Groupings_April_2021.csv")
    sn_cols = [c for c in neighbours.columns if re.fullmatch(r"SN\d+", c)]
    sn: dict[str, str] = {}
    for row in neighbours.select("LA num", *sn_cols).iter_rows():
        if row[0]:
            sn[row[0].strip()] = ";".join(v.strip() for v in row[1:] if v)
    numeric = wide.select(
        "area_code",
        "year",
        pl.any_horizontal(pl.exclude("area_code", "year").str.contains(r"^-?[0-9.]+$")).alias("has_data"),
    )
    last = dict(numeric.filter(pl.col("has_data")).group_by("area_code").agg(pl.col("year").max()).iter_rows())
    first = dict(numeric.filter(pl.col("has_data")).group_by("area_code").agg(pl.col("year").min()).iter_rows())
    rows = []
    for code, (_year, name, ons, region_code, region_name) in names.items():
        level = "national" if code == ENGLAND else "region" if code.startswith("E12") else "local_authority"
        if "/" in code:
            level = "la_group"  # e.g. '314 / 318': LAs that return one workforce census together
        rows.append(
            {
                "area_code": code,
                "name": name,
                "level": level,
                "ons_code": ons,
                "region_code": region_code if level == "local_authority" else ("" if level == "national" else ENGLAND),
                "region_name": region_name
                if level == "local_authority"
                else ("" if level == "national" else "England"),
                "first_year": first.get(code),
                "last_year": last.get(code),
                "statistical_neighbours": sn.get(code, ""),
            }
        )
    # the same name for an old and a new authority (Dorset county council to 2019, Dorset Council from 2019):
    # the older one is named with its last year
    by_name: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_name.setdefault(str(row["name"]), []).append(row)
    for same in by_name.values():
        if len(same) > 1:
            same.sort(key=lambda r: int(r["last_year"] or 0))  # type: ignore[call-overload]
            for row in same[:-1]:
                row["name"] = f"{row['name']} (to {row['last_year']})"
    by_code = {r["area_code"]: r for r in rows}
    for row in rows:
        if row["level"] == "la_group":  # the group sits in its first member's region
            member = by_code.get(row["area_code"].split("/")[0].strip(), {})
            row["region_code"], row["region_name"] = member.get("region_code", ""), member.get("region_name", "")
    frame = pl.DataFrame(rows).sort("level", "area_code")
    return frame


def build(shared: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    dfe = shared / "data" / "dfe"
    if not dfe.is_dir():
        raise SystemExit(f"{dfe} not found: pass --shared pointing at the shared folder")
    rows = sfr(dfe) + ees(dfe) + ons_population(dfe)
    long = pl.DataFrame(
        rows, schema={"area_code": pl.String, "year": pl.Int32, "measure": pl.String, "cell": pl.String}, orient="row"
    )
    dupes = long.group_by("area_code", "year", "measure").len().filter(pl.col("len") > 1)
    if dupes.height:
        raise SystemExit(f"duplicate cells: {dupes.head()}")
    long = long.filter(pl.col("year").is_between(2010, 2022))
    wide = long.pivot(on="measure", index=["area_code", "year"], values="cell").sort("area_code", "year")
    # the rate denominator: DfE's own 0-17 population where the CLA release gives it, else the ONS file
    if "ons_population_0_17" in wide.columns:
        wide = wide.with_columns(
            pl.when(pl.col("population_0_17").fill_null("") != "")
            .then(pl.col("population_0_17"))
            .otherwise(pl.col("ons_population_0_17"))
            .alias("population_0_17")
        ).drop("ons_population_0_17")
        _note(
            "population_0_17",
            "population/ons_mid-year_population_estimates_2012_to_2024.csv: population_estimate "
            "(mid-year Y-1), for years the CLA release does not give DfE's own denominator",
        )
    order = ["area_code", "year", *sorted(c for c in wide.columns if c not in ("area_code", "year"))]
    # empty cells are written as nothing (null), so a reader sees "no data" and never a zero
    wide = wide.select(order).with_columns(pl.exclude("area_code", "year").replace("", None))
    return wide, areas(dfe, wide)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "careflow" / "measures" / "data")
    args = parser.parse_args(argv)
    wide, area_table = build(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    wide.write_csv(args.out / "published_counts.csv")
    area_table.write_csv(args.out / "areas.csv")
    manifest = {
        "description": "Compact published statistics for careflow.measures, derived by "
        "scripts/derive_scorecard_tables.py from the shared DfE/ONS files.",
        "source": "../shared/data/dfe (copied from BenGoodair/childrens_social_care_data and "
        "dfe-analytical-services/CSC_outcomes_and_enablers; see that folder's README)",
        "licence": "Contains public sector information licensed under the Open Government Licence v3.0.",
        "area_codes": "LAs by DfE three-digit number; England E92000001; regions by ONS E12 code.",
        "cells": "a number; or DfE's symbol: c confidential, x not available, z not applicable, k rounds to zero, "
        "u low reliability; empty: the source holds nothing for that area, year and measure.",
        "years": "year ending 31 March (CLA, CIN, CPP); 30 September census year (sw_* workforce columns).",
        "population_0_17": "DfE's own denominator from the CLA release where given (2010: mid-2009 in SFR27/2010; "
        "2018-2022: cla_number_and_rate_per_10k_children.csv), else the ONS mid-year estimate of the previous "
        "June (2013-2017). None for 2011 and 2012 (no mid-2010 or mid-2011 estimate in the data at hand).",
        "columns": {k: SOURCES[k] for k in sorted(SOURCES)},
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    size = sum((args.out / f).stat().st_size for f in ("published_counts.csv", "areas.csv", "manifest.json"))
    sys.stderr.write(
        f"wrote {wide.height} area-years x {wide.width - 2} measures, {area_table.height} areas, "
        f"{size / 1e6:.2f} MB to {args.out}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
