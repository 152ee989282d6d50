"""The statutory returns of a synthetic local authority, one set per collection year.

Each year's return is sliced from the canonical tables the way DfE defines it, then written with
:mod:`careflow.returns`:

* SSDA903: episodes open at any time in the year (ends after 31 March left open), the children they belong
  to and the care leavers of the year (header), reviews and missing episodes starting in the year, OC2 for
  children looked after continuously for 12 months at 31 March, OC3 for care leavers around their 17th to
  21st birthdays, AD1 for children adopted in the year, previous permanence for children starting care in the
  year, decisions to place for adoption of the children in the return, UASC of the children in the return.
* CIN census: children in need episodes (referrals) open at any time in the year, with their assessments,
  plans, s47 enquiries and child protection plans of the year (see :func:`cin_census_year`) as known on 31 March.
"""

from __future__ import annotations

import datetime as dt
import warnings
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from careflow.tables import SCHEMAS, CareData, recode_for_year

if TYPE_CHECKING:
    from careflow.synth.generator import SyntheticLA

__all__ = ["cin_census_year", "ssda903_year", "write_returns", "year_label"]

#: Collection years the CIN census writer supports (2021-22 to 2025-26).
CIN_YEARS = range(2022, 2027)


def year_label(year: int) -> str:
    """``2022`` -> ``"2021-22"``."""
    return f"{year - 1}-{year % 100:02d}"


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def _no_provenance(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias("local_authority"),
                              pl.lit(None, dtype=pl.Int16).alias("collection_year"))


def _censor(frame: pl.DataFrame, end: dt.date, columns: dict[str, list[str]]) -> pl.DataFrame:
    """Null every date after ``end`` (as on 31 March), and the columns that go with it."""
    exprs = []
    for date_col, dependants in columns.items():
        late = pl.col(date_col).is_not_null() & (pl.col(date_col) > end)
        for dep in dependants:
            exprs.append(pl.when(late).then(None).otherwise(pl.col(dep)).alias(dep))
        exprs.append(pl.when(late).then(None).otherwise(pl.col(date_col)).alias(date_col))
    return frame.with_columns(exprs) if exprs else frame


def ssda903_year(data: CareData, year: int) -> CareData:
    """The SSDA903 return of collection year ``year`` (ending 31 March) as canonical tables."""
    start, end = _bounds(year)
    ep = data["looked_after_episodes"]
    ep = ep.filter((pl.col("start_date") <= end) & (pl.col("end_date").is_null() | (pl.col("end_date") >= start)))
    ep = _censor(ep, end, {"end_date": ["reason_episode_ceased", "reason_placement_change"]})
    ids = sorted(set(ep["child_id"].to_list()))
    oc3 = data["care_leavers"].filter(pl.col("collection_year") == year)
    oc3 = oc3.filter(~pl.col("child_id").is_in(ids))
    in_return = ids + oc3["child_id"].to_list()
    children = data["children"].filter(pl.col("child_id").is_in(in_return))
    # motherhood: as known at the year end, and only for girls looked after in the year (rules 393, 625, 628)
    late_birth = pl.col("mothers_child_date_of_birth").is_not_null() & (pl.col("mothers_child_date_of_birth") > end)
    children = children.with_columns(
        pl.when(~pl.col("child_id").is_in(ids)).then(None)
        .when(late_birth).then(False).otherwise(pl.col("is_mother")).alias("is_mother"),
        pl.when(~pl.col("child_id").is_in(ids) | late_birth).then(None)
        .otherwise(pl.col("mothers_child_date_of_birth")).alias("mothers_child_date_of_birth"),
        # the SSDA903 UPN field carries the reason a UPN is unknown (UN1-UN5)
        pl.coalesce("upn", "upn_unknown").alias("upn"),
        pl.lit(None, dtype=pl.String).alias("upn_unknown"),
    )
    adopted = ep.filter(pl.col("reason_episode_ceased").is_in(["E11", "E12"]))["child_id"].to_list()
    in_year = {"review_date": (pl.col("review_date") >= start) & (pl.col("review_date") <= end)}
    tables = {
        "children": children,
        "looked_after_episodes": ep,
        "uasc": data["uasc"].filter(pl.col("child_id").is_in(ids)),
        "looked_after_reviews": data["looked_after_reviews"].filter(pl.col("child_id").is_in(ids)
                                                                     & in_year["review_date"]),
        "looked_after_outcomes": data["looked_after_outcomes"].filter(pl.col("collection_year") == year),
        "care_leavers": oc3,
        "adoptions": data["adoptions"].filter(pl.col("child_id").is_in(adopted)),
        "placed_for_adoption": data["placed_for_adoption"].filter(
            pl.col("child_id").is_in(ids) & (pl.col("date_placed") <= end)),
        "previous_permanence": data["previous_permanence"].filter(pl.col("collection_year") == year),
        "missing_episodes": _censor(data["missing_episodes"].filter(
            pl.col("child_id").is_in(ids) & (pl.col("start_date") >= start) & (pl.col("start_date") <= end)),
            end, {"end_date": []}),
    }
    return CareData({name: _no_provenance(frame) for name, frame in tables.items()})


def cin_census_year(data: CareData, year: int) -> CareData:
    """The CIN census of collection year ``year``: episodes open at any time in the year, as on 31 March, holding
    what DfE's specification says a year holds (:func:`careflow.returns.cin.census_year`)."""
    from careflow.returns.cin import census_year

    tables = {name: data[name] for name in ("children", "referrals", "assessments", "child_in_need_plans",
                                            "section47_enquiries", "child_protection_plans")}
    if year >= 2026:
        tables["pre_proceedings"] = data["pre_proceedings"]
    census = census_year(CareData(tables), year)
    census["children"] = census["children"].with_columns(
        [pl.lit(None, dtype=SCHEMAS["children"][c].dtype).alias(c)
         for c in ("nhs_number", "is_mother", "mothers_child_date_of_birth")])
    return CareData({name: _no_provenance(frame) for name, frame in census.tables.items()})


def write_returns(la: SyntheticLA, out_dir: str | PathLike[str]) -> dict[str, list[Path]]:
    """Write each simulated year's SSDA903 (CSV) and CIN census (XML) under ``out_dir``.

    Files go to ``out_dir/<year-label>/ssda903/*.csv`` and ``out_dir/<year-label>/cin_census.xml``
    (``<year-label>`` as ``2021-22``). The CIN census is written for the years careflow's writer knows
    (2021-22 to 2025-26); earlier years get the SSDA903 only, with a warning.

    Returns:
        Files written, by year label.
    """
    from careflow.returns.cin import write_cin_census
    from careflow.returns.ssda903 import write_ssda903

    out = Path(out_dir)
    written: dict[str, list[Path]] = {}
    skipped = []
    for year in la.years:
        label = year_label(year)
        folder = out / label
        # The generator draws codes from the lists it was calibrated on; each return carries its own year's codes
        # (e.g. sex M/F/U from 2024-25, K3 for H5 in 2025-26). The synthetic data may take the first of several
        # replacements (Z1 -> Z11).
        ssda903, _ = recode_for_year(ssda903_year(la.data, year), year, ambiguous="first")
        files = list(write_ssda903(ssda903, folder / "ssda903", format="csv"))
        if year in CIN_YEARS:
            path = folder / "cin_census.xml"
            cin, _ = recode_for_year(cin_census_year(la.data, year), year, ambiguous="first")
            files.append(write_cin_census(cin, path, year=year, la_code=la.la_code))
        else:
            skipped.append(label)
        written[label] = files
    if skipped:
        warnings.warn(f"CIN census not written for {', '.join(skipped)}: careflow writes the CIN census for "
                      "2021-22 to 2025-26", UserWarning, stacklevel=2)
    return written
