"""Write canonical tables as a CIN census XML return valid against a collection year's XSD."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

from lxml import etree

from careflow import __version__
from careflow.errors import ReturnFormatError
from careflow.issues import Issue, Severity
from careflow.returns.cin._layout import YEARS, Block, Leaf, layout
from careflow.tables import CareData

__all__ = ["convert_sex", "write_cin_census"]

#: GenderCurrent (to 2023-24) → Sex (from 2024-25), and back. 0 (not known) and 9 (not specified) both
#: become U; U goes back to 0.
_TO_SEX = {"1": "M", "2": "F", "0": "U", "9": "U"}
_TO_GENDER = {"M": "1", "F": "2", "U": "0"}

#: Children columns the CIN census never carries (SSDA903 only); provenance goes in the header.
_NOT_CIN = ("nhs_number", "is_mother", "mothers_child_date_of_birth")


def _label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def convert_sex(code: str | None, year: int) -> str | None:
    """A child's sex code as the census of ``year`` spells it: M/F/U from 2024-25, 1/2/0/9 before.

    Codes already right for the year, and codes careflow cannot convert, are returned unchanged.

    Example:
        >>> convert_sex("2", 2025), convert_sex("M", 2024), convert_sex("M", 2026)
        ('F', '1', 'M')
    """
    if code is None:
        return None
    if year >= 2025:
        return _TO_SEX.get(code, code)
    return _TO_GENDER.get(code, code)


def _text(leaf: Leaf, value: Any) -> str:
    if leaf.kind == "bool":
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _group(
    rows: Iterable[dict[str, Any]], keys: tuple[str, ...], order: str
) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    grouped: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[tuple(row[k] for k in keys)].append(row)
    for group in grouped.values():
        group.sort(key=lambda r: (r[order] is None, r[order] or 0))
    return grouped


class _Writer:
    """Builds one ``Child`` element at a time from the tables, walking the year's layout."""

    def __init__(self, data: CareData, year: int) -> None:
        self.year = year
        children_block = layout(year).child("Children")
        assert isinstance(children_block, Block)
        child = children_block.child("Child")
        assert isinstance(child, Block)
        self.child_block = child
        self.problems: list[Issue] = []
        self.children = data["children"].to_dicts()
        self.referrals = _group(data["referrals"].to_dicts(), ("child_id",), "referral_id")
        self.sub: dict[str, dict[tuple[Any, ...], list[dict[str, Any]]]] = {}
        details = child.child("CINdetails")
        assert isinstance(details, Block)
        for node in details.children:
            if isinstance(node, Block) and node.table is not None and node.sequence is not None:
                self.sub[node.table] = _group(
                    data[node.table].to_dicts(), ("child_id", "referral_id"), node.sequence
                )
        self._check_links(data)

    def _problem(self, table: str | None, message: str) -> None:
        self.problems.append(Issue("unwritable", Severity.ERROR, message, table=table))

    def _check_links(self, data: CareData) -> None:
        ids = [c["child_id"] for c in self.children]
        known = set(ids)
        seen: set[Any] = set()
        for index, cid in enumerate(ids):
            if cid is None:
                self._problem("children", f"row index {index}: child_id is missing (LAchildID is required)")
            elif cid in seen:
                self._problem("children", f"row index {index}: child_id {cid!r} appears more than once")
            seen.add(cid)
            if cid is not None and not self.referrals.get((cid,)):
                self._problem("children", f"child {cid!r} has no referral: the census needs at least one "
                              "CINdetails per child")
        for (cid,) in self.referrals:
            if cid not in known:
                self._problem("referrals", f"referrals of child {cid!r}, who is not in the children table")
        referral_keys = {(cid, r["referral_id"]) for (cid,), rows in self.referrals.items() for r in rows}
        for table, groups in self.sub.items():
            for key in groups:
                if key not in referral_keys:
                    self._problem(table, f"{table} rows of child {key[0]!r} referral {key[1]!r}, which is "
                                  "not in the referrals table")
        if self.year < 2026 and data["pre_proceedings"].height:
            warnings.warn(
                f"pre_proceedings ({data['pre_proceedings'].height} rows) is not part of the CIN census before "
                f"2025-26; not written to the {_label(self.year)} return",
                UserWarning, stacklevel=3,
            )
        children = data["children"]
        lost = [c for c in _NOT_CIN if children[c].null_count() < children.height]
        if lost:
            warnings.warn(
                f"children columns {', '.join(lost)} are not part of the CIN census; not written",
                UserWarning, stacklevel=3,
            )

    def child(self, row: dict[str, Any]) -> Any:
        el = etree.Element("Child")
        cid = row["child_id"]
        for node in self.child_block.children:
            assert isinstance(node, Block)
            if node.table == "children":
                self._fill(etree.SubElement(el, node.element), node, row, f"child {cid!r}")
                continue
            for referral in self.referrals.get((cid,), []):
                sub = etree.SubElement(el, node.element)
                self._fill(sub, node, referral, f"child {cid!r} referral {referral['referral_id']}")
        return el

    def _fill(self, el: Any, block: Block, row: dict[str, Any], where: str) -> None:
        for node in block.children:
            if isinstance(node, Leaf):
                self._leaf(el, node, row, where, block.table)
            elif node.table is not None and node.table != block.table:
                key = (row["child_id"], row["referral_id"])
                for sub in self.sub.get(node.table, {}).get(key, []):
                    self._fill(etree.SubElement(el, node.element), node, sub,
                               f"{where} {node.sequence} {sub[node.sequence or '']}")
            else:
                self._fill(etree.SubElement(el, node.element), node, row, where)

    def _leaf(self, el: Any, leaf: Leaf, row: dict[str, Any], where: str, table: str | None) -> None:
        assert leaf.column is not None
        value = row.get(leaf.column)
        if leaf.column == "sex":
            value = convert_sex(value, self.year)
        if leaf.is_list:
            if value:
                wrapper = etree.SubElement(el, leaf.element)
                for item in value:
                    etree.SubElement(wrapper, leaf.item or "").text = _text(leaf, item)
                return
            value = None
        if leaf.kind == "count" and value is not None and value < 0:
            self._problem(table, f"{where}: {table}.{leaf.column} is {value}, but {leaf.element} counts from 0")
            return
        if value is None:
            if leaf.min_occurs:
                self._problem(table, f"{where}: {table}.{leaf.column} is missing, but {leaf.element} is "
                              f"required in the {_label(self.year)} census")
            return
        etree.SubElement(el, leaf.element).text = _text(leaf, value)


def _header(year: int, la_code: str) -> Any:
    header = etree.Element("Header")
    details = etree.SubElement(header, "CollectionDetails")
    etree.SubElement(details, "Collection").text = "CIN"
    etree.SubElement(details, "Year").text = str(year)
    etree.SubElement(details, "ReferenceDate").text = f"{year}-03-31"
    source = etree.SubElement(header, "Source")
    etree.SubElement(source, "SourceLevel").text = "L"
    etree.SubElement(source, "LEA").text = la_code
    etree.SubElement(source, "SoftwareCode").text = "careflow"
    etree.SubElement(source, "Release").text = __version__
    etree.SubElement(source, "SerialNo").text = "001"
    etree.SubElement(source, "DateTime").text = dt.datetime.now().replace(microsecond=0).isoformat()
    return header


def write_cin_census(
    data: CareData, path: str | PathLike[str], *, year: int, la_code: str = "999"
) -> Path:
    """Write canonical tables as a CIN census XML return of collection year ``year`` (ending 31 March).

    The header names the collection (CIN), the Year and ReferenceDate (31 March of ``year``) and the local
    authority (``la_code``, three digits). Children are written in the order of the children table; each
    child's referrals in ``referral_id`` order, and assessments, plans, enquiries and pre-proceedings in
    their sequence order, so that :func:`read_cin_census` reads back the same tables. A child's sex is
    converted between GenderCurrent (1/2/0/9, to 2023-24) and Sex (M/F/U, from 2024-25) as the year needs.
    What the year's layout does not carry (pre-proceedings before 2025-26; SSDA903-only columns) is left
    out with a warning. Codes are written as they are: check them first with ``careflow.tables.validate``.

    Args:
        data: the canonical tables (children, referrals, and the tables under referrals).
        path: the file to write (replaced if it exists).
        year: the collection year, 2022 (2021-22) to 2026 (2025-26).
        la_code: the DfE three-digit local authority number for the header's LEA.

    Raises:
        ValueError: ``year`` is not 2022-2026 or ``la_code`` is not three digits.
        ReturnFormatError: the tables cannot make a valid return (a required value missing, a child
            without referrals, rows whose child or referral is not there); every problem is listed, and
            no file is left at ``path``.

    Returns:
        The path written.
    """
    if year not in YEARS:
        raise ValueError(f"careflow writes CIN census years 2022 (2021-22) to 2026 (2025-26), not {year!r}")
    if not re.fullmatch(r"\d{3}", la_code):
        raise ValueError(f"la_code must be the three-digit DfE local authority number (e.g. '201'), not {la_code!r}")
    writer = _Writer(data, year)
    out = Path(path)
    # Stream to a temporary file beside the target, so that a large return is never whole in memory and a
    # failed write leaves no half-written file under the requested name.
    partial = out.with_name(out.name + ".partial")
    try:
        with etree.xmlfile(str(partial), encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element("Message"):
                header = _header(year, la_code)
                etree.indent(header, space="  ", level=1)
                xf.write("\n  ", header, "\n  ")
                with xf.element("Children"):
                    for row in writer.children:
                        el = writer.child(row)
                        etree.indent(el, space="  ", level=2)
                        xf.write("\n    ", el)
                    xf.write("\n  ")
                xf.write("\n")  # inside Message, before its end tag
        if writer.problems:
            shown = "\n".join(f"  {p.message}" for p in writer.problems[:20])
            more = f"\n  … and {len(writer.problems) - 20} more" if len(writer.problems) > 20 else ""
            raise ReturnFormatError(
                f"cannot write a valid {_label(year)} CIN census: {len(writer.problems)} problem(s)\n"
                f"{shown}{more}",
                writer.problems,
            )
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out
