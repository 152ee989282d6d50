"""Derive each area's exits by age band and reason, and its foster-care providers, for ``careflow.reform``.

Writes two compact tables to ``src/careflow/reform/data/`` (so the reform model runs without ``../shared``):

``local_exits_by_age.csv``
    For England and every local authority: children who ceased to be looked after in 2018-2022 (summed), by age
    band on ceasing (0-4, 5-9, 10-15, 16+) and reason (home: returned home, planned or not; sgo_cao: special
    guardianship or child arrangements order; adoption; other: 18 and over, independent living, custody, ...).
    DfE publishes the two margins (age on ceasing; reason ceased) but not their cross-tabulation. The cross is
    estimated by iterative proportional fitting (IPF): England's seed puts each reason's exits across the age
    bands with the published age at adoption and age at special guardianship order
    (``national_cla_who_were_adopted_during_year.csv``, ``national_cla_who_were_the_subject_of_a_sgo_during_year.csv``;
    child arrangements orders take the SGO shape), leaving care at 18 / into independent living / adult services
    at 16+ only, and going home and the other reasons with the ages of children ceasing before 18; IPF fits that
    seed to England's margins, and England's cross to each LA's own margins. ``years_used``: the years with a
    published total (each margin pools the years where its cells are published); ``national_reasons``: reasons
    suppressed in every year (England's share used); ``source`` is ``own`` or ``national`` (no age margin).
``local_stock.csv``
    For England and every LA, at 31 March 2021 and 2022: children looked after, by age band (0-4, 5-9, 10-15,
    16+: the denominators of the exit hazards by age band), foster placements, and placement providers (own LA
    provision; private and voluntary provision) from the LA table of children looked after at 31 March by
    characteristic (``cla_la_by_characteristics_2021_2022/combined_cla_31_march_data.csv``). LA
    counts of kinship (family and friends) foster placements are not in the LA tables held in ``../shared``
    (DfE's ``la_cla_on_31_march_by_characteristics.csv`` is not there), so none are derived.

Source: DfE "Children looked after in England including adoptions" (2022 release; LA tables 2018-2022),
Crown copyright, Open Government Licence v3.0. Suppressed cells (c, x, k, z, u) are never read as zero.

Run from the repository root::

    python scripts/derive_reform_local_mixes.py [--shared ../shared] [--out src/careflow/reform/data]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_OUT = REPO / "src" / "careflow" / "reform" / "data"
RELEASE = "data/dfe/cla_2022_release"
CHARS = "data/dfe/cla_la_by_characteristics_2021_2022"
BANDS = ("0_4", "5_9", "10_15", "16_plus")
REASONS = ("home", "sgo_cao", "adoption", "other")
YEARS = ("2018", "2019", "2020", "2021", "2022")

AGE_ON_CEASING = {"Under 1 year": "0_4", "1 to 4 years": "0_4", "5 to 9 years": "5_9", "10 to 15 years": "10_15",
                  "16 years": "16_plus", "17 years": "16_plus", "18 years and over": "16_plus"}
HOME = ("Returned home to live with parents or other person with parental responsibility which was part of the care "
        "planning process",
        "Returned home to live with parents or other person with parental responsibility which was not part of the "
        "care planning process")
SGO_CAO = ("Special guardianship orders", "Residence order or child arrangement order granted")
ADOPTION = ("Adopted",)
# Reasons that only happen at 16 or over (leaving care as an adult).
ADULT = ("Aged 18 (or over) and remained with current carers", "Moved into independent living (with supportive "
         "accommodation)", "Moved into independent living (with no formalised support)",
         "Age assessment determined child aged 18 or over", "Transferred to residential care funded by adult "
         "social services")
SUPPRESSED = {"c", "x", "k", "z", "u", ""}


def _num(v: str | None) -> float | None:
    if v is None or v.strip() in SUPPRESSED:
        return None
    try:
        return float(v.replace(",", ""))
    except ValueError:
        return None


def _age_shape(path: Path, group: str) -> np.ndarray:
    """England's count by age band, 2018-2022, from a national table's ``group`` rows."""
    out = np.zeros(len(BANDS))
    labels = {"Under 1 year": "0_4", "1 to 4 years": "0_4", "5 to 9 years": "5_9", "10 to 15 years": "10_15",
              "16 years and over": "16_plus"}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["cla_group"].lower() != group.lower() or r["time_period"] not in YEARS:
                continue
            band = labels.get(r["characteristic"])
            v = _num(r["number"])
            if band is not None and v is not None:
                out[BANDS.index(band)] += v
    return out


def ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Fit ``seed`` (bands x reasons) to row and column totals (structural zeros stay zero)."""
    m = seed.astype(float).copy()
    for _ in range(iterations):
        rs = m.sum(axis=1)
        m = m * np.where(rs > 0, rows / np.where(rs > 0, rs, 1.0), 0.0)[:, None]
        cs = m.sum(axis=0)
        m = m * np.where(cs > 0, cols / np.where(cs > 0, cs, 1.0), 0.0)[None, :]
    return m


def derive_exits(shared: Path) -> list[dict[str, object]]:
    path = shared / RELEASE / "la_children_who_ceased_during_year.csv"
    cells: dict[tuple[str, str], dict[str, dict[str, float | None]]] = defaultdict(lambda: defaultdict(dict))
    names: dict[str, tuple[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["geographic_level"] not in {"National", "Local authority"} or r["time_period"] not in YEARS:
                continue
            key = "England" if r["geographic_level"] == "National" else r["old_la_code"]
            names[key] = ("national" if key == "England" else "la", "England" if key == "England" else r["la_name"])
            cells[(key, r["time_period"])][r["cla_group"]][r["characteristic"]] = _num(r["number"])
    rel = shared / RELEASE

    def margins(key: str) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        """Age and reason margins (counts on the LA's total ceased over the years with a published total).

        The age margin sums the years where every age cell is published (one band with suppressed cells is the
        total less the other bands, exactly); each reason's share pools the years where that reason's cells are
        published (a suppressed cell, possibly secondary suppression, is never read as a number). Reasons never
        published are returned as NaN, for the national share."""
        ages, age_years = np.zeros(len(BANDS)), []
        pooled = {r: [0.0, 0.0] for r in REASONS[:3]}
        total_all, years = 0.0, []
        for year in YEARS:
            c = cells.get((key, year))
            if not c:
                continue
            age, reason = c.get("Age on ceasing", {}), c.get("Reason episode ceased", {})
            total = reason.get("Total")
            if total is None:
                continue
            total_all += total
            years.append(year)
            band_vals: dict[str, float | None] = {}
            for band in BANDS:
                got = [age.get(k) for k, b in AGE_ON_CEASING.items() if b == band]
                band_vals[band] = None if any(v is None for v in got) else sum(v or 0.0 for v in got)
            missing = [b for b, v in band_vals.items() if v is None]
            if len(missing) == 1 and age.get("Total") is not None:  # exactly: the total less the other bands
                band_vals[missing[0]] = max(0.0, (age.get("Total") or 0.0)
                                            - sum(v or 0.0 for v in band_vals.values()))
                missing = []
            if not missing:
                for band in BANDS:
                    ages[BANDS.index(band)] += band_vals[band] or 0.0
                age_years.append(year)
            for r, keys in (("home", HOME), ("sgo_cao", SGO_CAO), ("adoption", ADOPTION)):
                got = [reason.get(k) for k in keys]
                if all(v is not None for v in got):
                    pooled[r][0] += sum(v or 0.0 for v in got)
                    pooled[r][1] += total
        rows = ages / ages.sum() * total_all if ages.sum() > 0 else np.full(len(BANDS), np.nan)
        shares = [pooled[r][0] / pooled[r][1] if pooled[r][1] > 0 else np.nan for r in REASONS[:3]]
        cols = np.array([*shares, np.nan]) * total_all
        used = years if age_years else []
        return rows, cols, used, [r for r, v in zip(REASONS[:3], shares, strict=True) if not np.isfinite(v)]

    # England's seed: each reason's exits spread over the bands by what is published about its ages.
    n_rows, n_cols, n_used, _ = margins("England")
    n_cols[3] = n_rows.sum() - n_cols[:3].sum()
    adopt_shape = _age_shape(rel / "national_cla_who_were_adopted_during_year.csv", "Age at adoption")
    sgo_shape = _age_shape(rel / "national_cla_who_were_the_subject_of_a_sgo_during_year.csv",
                           "Age at special guardianship order")
    adult = 0.0
    under_18 = np.zeros(len(BANDS))  # children ceasing before 18: the age shape of going home and the like
    for year in n_used:
        reason = cells[("England", year)]["Reason episode ceased"]
        adult += sum(reason.get(k) or 0.0 for k in ADULT)
        age = cells[("England", year)]["Age on ceasing"]
        for k, band in AGE_ON_CEASING.items():
            if k != "18 years and over":
                under_18[BANDS.index(band)] += age.get(k) or 0.0
    other_total = n_cols[3]
    other_young = max(0.0, other_total - adult)
    young = under_18 / under_18.sum()
    seed = np.zeros((len(BANDS), len(REASONS)))
    seed[:, 0] = young  # home: no published age shape; children ceasing before 18, then IPF
    seed[:, 1] = sgo_shape / sgo_shape.sum()
    seed[:, 2] = adopt_shape / adopt_shape.sum()
    seed[:, 3] = other_young * young / max(other_total, 1.0)
    seed[3, 3] += adult / max(other_total, 1.0)
    seed = seed * n_cols[None, :]
    national = ipf(seed, n_rows, n_cols)
    out: list[dict[str, object]] = []
    for key in sorted(names, key=lambda k: (k != "England", k)):
        level, name = names[key]
        national_cols = national.sum(axis=0) / national.sum()
        national_rows = national.sum(axis=1) / national.sum()
        missing: list[str] = []
        if key == "England":
            m, used, source = national, n_used, "own"
        else:
            rows, cols, used, missing = margins(key)
            total = float(np.nansum(rows)) if np.isfinite(rows).all() else 0.0
            if used and total > 0:
                cols = np.where(np.isfinite(cols), cols, national_cols * total)
                cols[3] = max(0.0, total - cols[:3].sum())
                m, source = ipf(national, rows, cols * total / cols.sum()), "own"
            else:
                m, used, source = national_rows[:, None] * 0.0, [], "national"
        for i, band in enumerate(BANDS):
            row: dict[str, object] = {"level": level, "key": key, "name": name, "band": band}
            row.update({reason: (round(float(m[i, j]), 2) if source == "own" else "") for j, reason in
                        enumerate(REASONS)})
            row["years_used"] = " ".join(used)
            row["national_reasons"] = " ".join(missing)
            row["source"] = source
            out.append(row)
    return out


AGE_GROUP = {"Under 1 year": "cla_age_0_4", "1 to 4 years": "cla_age_0_4", "5 to 9 years": "cla_age_5_9",
             "10 to 15 years": "cla_age_10_15", "16 years and over": "cla_age_16_plus"}
PROVIDERS = {"Own provision (by the LA)": "provider_own", "Private provision": "provider_private",
             "Voluntary/third sector provision": "provider_voluntary", "Total": "provider_total"}


def derive_fostering(shared: Path) -> list[dict[str, object]]:
    path = shared / CHARS / "combined_cla_31_march_data.csv"
    rows: dict[tuple[str, str], dict[str, object]] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["geographic_level"] not in {"National", "Local authority"}:
                continue
            key = "England" if r["geographic_level"] == "National" else r["old_la_code"]
            row = rows.setdefault((key, r["time_period"]), {
                "level": "national" if key == "England" else "la", "key": key,
                "name": "England" if key == "England" else r["la_name"], "year": r["time_period"],
                "cla": "", **{c: 0.0 for c in dict.fromkeys(AGE_GROUP.values())}, "placed_foster": "",
                "provider_own": "", "provider_private": "",
                "provider_voluntary": "", "provider_total": ""})
            v = _num(r["cla_31_march_number"])
            if r["cla_group"] == "Place providers" and r["characteristic"] in PROVIDERS:
                row[PROVIDERS[r["characteristic"]]] = "" if v is None else v
            elif r["cla_group"] == "Age group" and r["characteristic"] in AGE_GROUP:
                col = AGE_GROUP[r["characteristic"]]
                # a suppressed cell makes the band unknown (never zero)
                row[col] = "" if v is None or row[col] == "" else float(row[col]) + v  # type: ignore[arg-type]
            elif r["cla_group"] == "Placement" and r["characteristic"] == "Foster placements":
                row["placed_foster"] = "" if v is None else v
            elif r["cla_group"] == "Placement" and r["characteristic"] == "Total":
                row["cla"] = "" if v is None else v
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0] != "England", k[0], k[1]))]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args()
    _write(a.out / "local_exits_by_age.csv", derive_exits(a.shared))
    _write(a.out / "local_stock.csv", derive_fostering(a.shared))


if __name__ == "__main__":
    main()
