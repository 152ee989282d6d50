"""DfE validation rules careflow's readers check themselves, so ``careflow check`` says what DfE's validators would.

The rules that are a date window or a code list are data (``data/dfe_rules.yaml``, with where each comes from); the
ones spanning tables are here. Codes are DfE's, as implemented by csc-validator-be-cin 0.1.13 (CIN census) and
csc-validator-be-903 0.1.17 (SSDA903). Each finding names the table, the row (0-based) and the column, so a reader
points it at the return's line or element.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import polars as pl

from careflow._yaml import loads_yaml
from careflow.tables import CareData

__all__ = ["Finding", "Group", "cin_findings", "issue_code", "ssda903_findings", "ssda903_groups"]


@dataclass(frozen=True)
class Finding:
    """A row breaking one of DfE's rules."""

    rule: str
    table: str
    index: int
    column: str
    message: str
    value: object = None

    @property
    def code(self) -> str:
        """The issue code careflow reports it under (``dfe-8696``)."""
        return issue_code(self.rule)


def issue_code(rule: str) -> str:
    """The issue code careflow reports a DfE rule under.

    Example:
        >>> issue_code("8696")
        'dfe-8696'
    """
    return f"dfe-{rule}"


@cache
def _rules() -> dict[str, Any]:
    # Beside this module, as careflow.codes reads its lists (importlib.resources would cost ~1 ms to import).
    text = (Path(__file__).parent / "data" / "dfe_rules.yaml").read_text(encoding="utf-8")
    rules = loads_yaml(text)
    assert isinstance(rules, dict)
    return rules


@cache
def upn_la_numbers() -> frozenset[str]:
    """The LA numbers a UPN's characters 2-4 may hold (DfE rule 1530)."""
    out: set[str] = set()
    for span in _rules()["cin"]["upn_la_numbers"]["ranges"]:
        lo, _, hi = str(span).partition("-")
        out.update(f"{n:03d}" for n in range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def _rows(frame: pl.DataFrame, mask: pl.Expr, *columns: str) -> list[dict[str, Any]]:
    """The rows where ``mask`` holds: their index (``_i``) and ``columns``, the only values a finding shows."""
    return frame.with_row_index("_i").filter(mask).select("_i", *columns).to_dicts()


def _has(data: CareData, table: str, *columns: str) -> bool:
    return table in data.tables and all(c in data[table].columns for c in columns)


def cin_findings(data: CareData, year: int) -> list[Finding]:
    """The CIN census of ``year`` (ending 31 March) against the DfE rules careflow checks."""
    start, end = _bounds(year)
    rules = _rules()["cin"]
    out: list[Finding] = []
    for r in rules["in_census_year"]:
        table, column = r["table"], r["column"]
        if not _has(data, table, column):
            continue
        bad = pl.col(column).is_not_null() & ((pl.col(column) < start) | (pl.col(column) > end))
        out += [Finding(r["rule"], table, row["_i"], column, r["message"], row[column])
                for row in _rows(data[table], bad, column)]
    for r in rules["open_started_in_census_year"]:
        table, first, last = r["table"], r["start"], r["end"]
        if not _has(data, table, first, last):
            continue
        open_ = pl.col(last).is_null()
        if r.get("unless") and r["unless"] in data[table].columns:
            open_ = open_ & ~pl.col(r["unless"]).fill_null(False)
        bad = open_ & pl.col(first).is_not_null() & ((pl.col(first) < start) | (pl.col(first) > end))
        out += [Finding(r["rule"], table, row["_i"], first, r["message"], row[first])
                for row in _rows(data[table], bad, first)]
    upn = rules["upn_la_numbers"]
    if _has(data, "children", "upn"):
        numbers = upn_la_numbers()
        for row in _rows(data["children"], pl.col("upn").str.len_chars() == 13, "upn"):
            if row["upn"][1:4] not in numbers:
                out.append(Finding(upn["rule"], "children", row["_i"], "upn", upn["message"], row["upn"]))
    out += _cin_logic(data)
    return out


def _cin_logic(data: CareData) -> list[Finding]:
    """Rules spanning the census's modules: where the initial conference is recorded, activity on a case closed
    after assessment, a CIN plan open with a child protection plan, enquiries of closed episodes."""
    out: list[Finding] = []
    ref = data["referrals"].with_row_index("_i") if "referrals" in data.tables else None
    s47 = data["section47_enquiries"].with_row_index("_i") if "section47_enquiries" in data.tables else None
    cpp = data["child_protection_plans"] if "child_protection_plans" in data.tables else None
    plans = data["child_in_need_plans"].with_row_index("_i") if "child_in_need_plans" in data.tables else None
    keys = ["child_id", "referral_id"]
    if ref is not None and s47 is not None and "initial_child_protection_conference_date" in ref.columns:
        # 2884: an initial conference recorded with the enquiry and at the episode's level
        both = ref.join(s47.select("child_id", pl.col("initial_conference_date")
                                   .alias("initial_child_protection_conference_date")).unique(),
                        on=["child_id", "initial_child_protection_conference_date"], how="semi")
        out += [Finding("2884", "referrals", row["_i"], "initial_child_protection_conference_date",
                        "An initial child protection conference is recorded at both the S47 and CIN Details level "
                        "and it should only be recorded in one", row["initial_child_protection_conference_date"])
                for row in both.to_dicts()]
    if ref is not None and "reason_for_closure" in ref.columns:
        # 2990: a case closed after assessment (RC8, RC9) has no enquiry, conference or plan
        closed = ref.filter(pl.col("reason_for_closure").is_in(["RC8", "RC9"]))
        busy = [frame.select(keys) for frame in (s47, cpp, plans) if frame is not None]
        acted = closed.join(pl.concat(busy).unique(), on=keys, how="semi") if busy else closed.clear()
        if "initial_child_protection_conference_date" in closed.columns:
            acted = pl.concat([acted, closed.filter(pl.col("initial_child_protection_conference_date").is_not_null())])
        for row in acted.unique("_i").sort("_i").to_dicts():
            out.append(Finding("2990", "referrals", row["_i"], "reason_for_closure",
                               "Activity is recorded against a case closed after assessment (RC8 no further "
                               "action, RC9 referred to early help)", row["reason_for_closure"]))
    if plans is not None and cpp is not None and cpp.height:
        # 4001 / 4017: a CIN plan open at the same time as a child protection plan
        pairs = plans.join(cpp.select("child_id", pl.col("start_date").alias("_cs"), pl.col("end_date").alias("_ce")),
                           on="child_id")
        overlap = pairs.filter((pl.col("_cs") >= pl.col("start_date"))
                               & (pl.col("end_date").is_null() | (pl.col("_cs") < pl.col("end_date")))
                               | (pl.col("_ce").is_null() & pl.col("end_date").is_null()
                                  & (pl.col("start_date") >= pl.col("_cs"))))
        for row in overlap.unique("_i").sort("_i").to_dicts():
            out.append(Finding("4017", "child_in_need_plans", row["_i"], "start_date",
                               "A CIN Plan has been reported as open at the same time as a Child Protection Plan",
                               row["start_date"]))
    if ref is not None and s47 is not None and "is_conference_not_required" in s47.columns:
        # 8868: an enquiry of a closed episode shows its conference, or that none was needed
        closed_keys = ref.filter(pl.col("closure_date").is_not_null()).select(keys)
        loose = s47.join(closed_keys, on=keys, how="semi").filter(
            pl.col("initial_conference_date").is_null() & ~pl.col("is_conference_not_required").fill_null(False))
        out += [Finding("8868", "section47_enquiries", row["_i"], "is_conference_not_required",
                        "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by "
                        "ICPC date or ICPC not required flag", None) for row in loose.to_dicts()]
    return out


#: One rule's findings in one table: the rule, the table, the column, the message, the rows (0-based) and, where the
#: rule shows one, each row's value.
Group: TypeAlias = tuple[str, str, str, str, list[int], list[object] | None]


def ssda903_findings(data: CareData, year: int) -> list[Finding]:
    """The SSDA903 of ``year`` (ending 31 March) against the DfE rules careflow checks."""
    return [
        Finding(rule, table, index, column, message, values[n] if values is not None else None)
        for rule, table, column, message, indices, values in ssda903_groups(data, year)
        for n, index in enumerate(indices)
    ]


def ssda903_groups(data: CareData, year: int) -> list[Group]:
    """:func:`ssda903_findings` rule by rule, in the same order: a reader turns thousands of them into issues (the
    SSDA903 of an LA can have a finding for most of its children) without a :class:`Finding` for each."""
    rules = _rules()["ssda903"]
    _, end = _bounds(year)
    out: list[Group] = []
    episodes = data["looked_after_episodes"] if "looked_after_episodes" in data.tables else None
    children = data["children"] if "children" in data.tables else None
    urn = rules["urn_not_known"]
    if episodes is not None and year >= urn["from_year"] and "urn" in episodes.columns:
        bad = (pl.col("urn") == urn["value"]) & ~pl.col("placement_type").is_in(urn["placements"])
        rows = _rows(episodes, bad, "placement_type", "urn")
        out.append((urn["rule"], "looked_after_episodes", "urn", urn["message"], [row["_i"] for row in rows],
                    [f"{row['placement_type']}, {row['urn']}" for row in rows]))
    worker = rules["social_worker_id"]
    if year >= worker["from_year"] and _has(data, "social_worker_episodes", "social_worker_id"):
        bad = ~pl.col("social_worker_id").str.to_uppercase().str.starts_with(worker["prefixes"][0])
        for prefix in worker["prefixes"][1:]:
            bad = bad & ~pl.col("social_worker_id").str.to_uppercase().str.starts_with(prefix)
        rows = _rows(data["social_worker_episodes"], bad, "social_worker_id")
        out.append((worker["rule"], "social_worker_episodes", "social_worker_id", worker["message"],
                    [row["_i"] for row in rows], [row["social_worker_id"] for row in rows]))
        # SW13STG1: every social worker episode from 1 April 2023 gives the reason for the change
        if "reason" in data["social_worker_episodes"].columns:
            bad = pl.col("reason").is_null() & (pl.col("start_date") >= dt.date(2023, 4, 1))
            rows = _rows(data["social_worker_episodes"], bad)
            out.append(("SW13STG1", "social_worker_episodes", "reason",
                        "The reason for social worker change is either not valid or has not been entered",
                        [row["_i"] for row in rows], None))
    if episodes is not None and children is not None and "legal_status" in episodes.columns:
        cared = episodes.lazy().filter(~pl.col("legal_status").is_in(["V3", "V4"])).select(
            pl.col("child_id").unique()).collect(engine="in-memory")["child_id"]
        looked_after = pl.col("child_id").is_in(cared.implode())
        checks: dict[str, pl.Expr] = {}
        if "upn" in children.columns:  # 442: a child looked after (not only on short breaks) has a UPN or a UN code
            checks["442"] = looked_after & pl.col("upn").is_null()
        if "is_mother" in children.columns and "sex" in children.columns:  # 393: MOTHER for every girl looked after
            girl = pl.col("sex").is_in(["2", "F"])
            checks["393"] = looked_after & girl & pl.col("is_mother").is_null()
        if checks:  # both in one query: the rows of each, in order
            found = children.with_row_index("_i").select(
                pl.col("_i").filter(mask).implode().alias(rule) for rule, mask in checks.items()).row(0, named=True)
            if "442" in found:
                out.append(("442", "children", "upn", "Unique Pupil Number (UPN) field is not completed",
                            found["442"], None))
            if "393" in found:
                out.append(("393", "children", "is_mother", "Child is looked after but mother field is not completed",
                            found["393"], None))
    if _has(data, "looked_after_outcomes", "date_of_birth", "sdq_score", "sdq_reason"):
        # 188: no SDQ score nor reason for a child under 4 at the end of the year
        under_4 = pl.col("date_of_birth").dt.offset_by("4y") > end
        bad = under_4 & (pl.col("sdq_score").is_not_null() | pl.col("sdq_reason").is_not_null())
        rows = _rows(data["looked_after_outcomes"], bad, "sdq_reason")
        out.append(("188", "looked_after_outcomes", "sdq_reason",
                    "Child is aged under 4 years at the end of the year, but a Strengths and Difficulties (SDQ) "
                    "score or a reason for no SDQ score has been completed", [row["_i"] for row in rows],
                    [row["sdq_reason"] for row in rows]))
    return out
