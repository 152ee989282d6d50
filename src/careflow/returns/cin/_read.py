"""Read a CIN census XML return into canonical tables, reporting every problem as an Issue."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field, replace
from functools import cache
from os import PathLike
from pathlib import Path
from typing import Any

import polars as pl
from lxml import etree

from careflow.issues import Issue, Severity
from careflow.returns.cin._codes import cin_codes, explain
from careflow.returns.cin._layout import YEARS, Block, Leaf, layout, layout_year, union_children, xsd_path
from careflow.returns.common import ReadResult, decode
from careflow.tables import CareData, Source, schema, validate

__all__ = ["CIN_TABLES", "read_cin_census"]

#: The canonical tables a CIN census fills.
CIN_TABLES: tuple[str, ...] = (
    "children",
    "referrals",
    "assessments",
    "child_in_need_plans",
    "section47_enquiries",
    "child_protection_plans",
    "pre_proceedings",
)

#: Issues of one kind in one field are reported one by one up to this many, then summarised.
MAX_PER_KIND = 200

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_COUNT = re.compile(r"^\+?\d+$")
_TRUE = frozenset({"true", "TRUE", "1"})
_FALSE = frozenset({"false", "FALSE", "0"})
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _repeated_tags() -> frozenset[str]:
    tags: set[str] = set()
    for year in YEARS:
        for block in layout(year).walk():
            for node in block.children:
                if isinstance(node, Block) and node.repeated:
                    tags.add(node.element)
                elif isinstance(node, Leaf) and node.item:
                    tags.add(node.item)
    return frozenset(tags)


_REPEATED = _repeated_tags()


def element_path(el: Any) -> str:
    """The path of an element as careflow names it: repeatable elements always carry a 1-based index.

    Example: ``/Message/Children/Child[3]/CINdetails[1]/ReferralSource``.
    """
    parts: list[str] = []
    node = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else "?"
        if tag in _REPEATED or (node.getparent() is not None and _has_namesakes(node)):
            index = 1 + sum(1 for s in node.itersiblings(preceding=True) if s.tag == tag)
            parts.append(f"{tag}[{index}]")
        else:
            parts.append(tag)
        node = node.getparent()
    return "/" + "/".join(reversed(parts))


def _has_namesakes(el: Any) -> bool:
    return any(s.tag == el.tag for s in el.itersiblings()) or any(
        s.tag == el.tag for s in el.itersiblings(preceding=True)
    )


@dataclass
class _Issues:
    """Issues found while reading, capped per (code, field) with a closing count of what was left out."""

    file: str
    items: list[Issue] = field(default_factory=list)
    counts: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    #: Leaf element paths that a specific issue (bad date, bad code, …) already describes.
    covered: set[str] = field(default_factory=set)

    def add(
        self,
        code: str,
        severity: Severity,
        message: str,
        *,
        element: str | None = None,
        field: str | None = None,
        value: str | None = None,
        line: int | None = None,
        table: str | None = None,
    ) -> None:
        key = (code, field)
        self.counts[key] += 1
        if self.counts[key] > MAX_PER_KIND:
            return
        if line is not None:
            message = f"{message} (line {line})"
        self.items.append(Issue(code, severity, message, file=self.file, element=element, field=field,
                                value=value, table=table))

    def summaries(self) -> list[Issue]:
        out = []
        for (code, fld), n in self.counts.items():
            if n > MAX_PER_KIND:
                first = next(i for i in self.items if i.code == code and i.field == fld)
                out.append(Issue(code, first.severity, f"… and {n - MAX_PER_KIND} more with the same problem",
                                 file=self.file, field=fld, table=first.table))
        return out


# --- decoding and parsing ---------------------------------------------------------------------------------


def _decode_xml(raw: bytes, file: str) -> tuple[str, list[Issue]]:
    """Text of an XML file: UTF-16 by its BOM, the declared encoding if it is not UTF-8, else UTF-8 (or
    Windows-1252 with a warning, as :func:`careflow.returns.common.decode` does)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), []
    match = _DECLARED.match(raw[:300])
    if match:
        declared = match.group(1).decode("ascii")
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = "utf-8"
        if name not in ("utf-8", "utf-8-sig"):
            try:
                return raw.decode(name), []
            except UnicodeDecodeError as exc:
                text, issues = decode(raw, file)
                return text, [
                    Issue("encoding", Severity.WARNING,
                          f"declares encoding {declared!r} but byte {exc.start} is not valid in it; "
                          "read as UTF-8 or Windows-1252 instead. Save the file as UTF-8.", file=file),
                    *issues,
                ]
    return decode(raw, file)


def _parse(text: str, file: str) -> tuple[Any, list[Issue]]:
    parser = etree.XMLParser(
        recover=True, encoding="utf-8", resolve_entities=False, no_network=True, huge_tree=True,
        remove_blank_text=True,
    )
    issues: list[Issue] = []
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        root = None
        issues.append(Issue("xml-malformed", Severity.ERROR, f"not XML: {exc.msg} (line {exc.lineno})",
                            file=file))
    for n, entry in enumerate(parser.error_log):
        if n >= MAX_PER_KIND:
            issues.append(Issue("xml-malformed", Severity.ERROR,
                                f"… and {len(parser.error_log) - MAX_PER_KIND} more XML syntax errors", file=file))
            break
        issues.append(
            Issue(
                "xml-malformed", Severity.ERROR,
                f"XML syntax error: {entry.message.strip()} (line {entry.line}, column {entry.column}); "
                "careflow read what it could recover. Fix the XML so that every element is closed and "
                "nothing stands outside one.",
                file=file,
            )
        )
    if root is None and not issues:
        issues.append(Issue("xml-malformed", Severity.ERROR, "the file holds no XML element", file=file))
    if root is not None and isinstance(root.tag, str) and root.tag.startswith("{"):
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.startswith("{"):
                el.tag = etree.QName(el).localname
        etree.cleanup_namespaces(root)
        issues.append(Issue("xml-namespace", Severity.WARNING,
                            "elements carry an XML namespace, which the CIN census does not use; "
                            "read ignoring it", file=file))
    return root, issues


def _load(raw: bytes, file: str) -> tuple[Any, list[Issue]]:
    """Parse the file: straight from its bytes when it is well-formed UTF-8 (the usual case, and the one
    that needs no copy of a large file), else decoded with care and parsed in recovery mode."""
    declared = _DECLARED.match(raw[:300])
    utf8 = declared is None or declared.group(1).decode("ascii").lower().replace("_", "-") in ("utf-8", "utf8")
    if utf8 and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Blank text between elements is dropped: it is most of a large tree's nodes, and means nothing.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)
        try:
            root = etree.fromstring(raw, parser)
        except etree.XMLSyntaxError:
            root = None
        if root is not None and not (isinstance(root.tag, str) and root.tag.startswith("{")):
            return root, []
    text, issues = _decode_xml(raw, file)
    del raw
    root, parse_issues = _parse(text, file)
    return root, issues + parse_issues


# --- the collection year ----------------------------------------------------------------------------------


def _first_text(root: Any, *path: str) -> str | None:
    node = root
    for name in path:
        node = next((c for c in node if c.tag == name), None)
        if node is None:
            return None
    text = (node.text or "").strip()
    return text or None


def _iso_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def _resolve_year(root: Any, given: int | None, file: str) -> tuple[int, list[Issue]]:
    """The collection year: ``given``, else ReferenceDate (31 March Y is year Y), else Year, else a guess."""
    issues: list[Issue] = []
    where = "/Message/Header/CollectionDetails"
    year_text = _first_text(root, "Header", "CollectionDetails", "Year")
    ref_text = _first_text(root, "Header", "CollectionDetails", "ReferenceDate")
    declared = int(year_text) if year_text and re.fullmatch(r"\d{4}", year_text) else None
    reference = _iso_date(ref_text)
    from_reference = reference.year if reference and (reference.month, reference.day) == (3, 31) else None
    if reference is not None and from_reference is None:
        expected = f"{declared}-03-31" if declared else "31 March of the year the collection ends"
        issues.append(Issue(
            "header-reference-date", Severity.WARNING,
            f"ReferenceDate {ref_text} is not 31 March; the census reference date is 31 March of the year the "
            f"collection ends (expected {expected})",
            file=file, element=f"{where}/ReferenceDate", field="ReferenceDate", value=ref_text,
        ))
    if from_reference and declared and from_reference != declared:
        issues.append(Issue(
            "header-year-mismatch", Severity.WARNING,
            f"Year {declared} disagrees with ReferenceDate {ref_text}: a census whose reference date is 31 March "
            f"{from_reference} is the {_label(from_reference)} collection, whose Year is {from_reference}. "
            f"Read as {_label(from_reference)}; correct Year, or pass year= to read it as another year",
            file=file, element=f"{where}/Year", field="Year", value=year_text,
        ))
    header_year = from_reference or declared
    if given is not None:
        if header_year is not None and header_year != given:
            issues.append(Issue(
                "header-year-overridden", Severity.INFO,
                f"the header gives {_label(header_year)}; read as {_label(given)} as asked (year={given})",
                file=file, element=where,
            ))
        return given, issues
    if header_year is not None:
        return header_year, issues
    names = {el.tag for el in root.iter() if isinstance(el.tag, str)}
    guess = 2026 if "PreProceedingsandFGDM" in names else 2025 if "Sex" in names else 2024
    issues.append(Issue(
        "header-year", Severity.ERROR,
        f"the header gives no usable Year or ReferenceDate (found Year {year_text!r}, ReferenceDate "
        f"{ref_text!r}); read with the {_label(guess)} layout, guessed from the elements present. "
        "Give CollectionDetails/ReferenceDate as 31 March of the collection year, or pass year=",
        file=file, element=where,
    ))
    return guess, issues


# --- XSD validation -------------------------------------------------------------------------------------


@cache
def _schema(year: int) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(xsd_path(year)))


@dataclass
class _XsdIssue:
    issue: Issue
    #: For a value error: the path of the element whose value is wrong. For a structural error: the path
    #: of the parent and the child tag concerned, as "parent/child".
    key: str
    is_value: bool


@cache
def _fast_schema(year: int) -> Any:
    return etree.XMLSchema(file=str(xsd_path(year)))


_CHILD_PATH = re.compile(r"^/Message/Children/Child(?:\[(\d+)\])?(?:/|$)")


def _suspects(root: Any, year: int) -> tuple[Any, dict[int, Any]] | None:
    """What xmlschema must look at: None if the document is valid; else (a document, copy → original).

    libxml2 checks the whole document first, which is fast. xmlschema, whose messages careflow reports, then
    checks only the header and the children libxml2 found fault with, copied into a small document; when a
    fault lies elsewhere it checks the whole document.
    """
    fast = _fast_schema(year)
    if fast.validate(root.getroottree()):
        return None
    children = next((c for c in root if c.tag == "Children"), None)
    if root.tag != "Message" or children is None:
        return root, {}
    bad: set[int] = set()
    for entry in fast.error_log:
        match = _CHILD_PATH.match(entry.path or "")
        if match:
            bad.add(int(match.group(1) or 1))
        elif not (entry.path or "").startswith("/Message/Header"):
            return root, {}
    small = etree.Element("Message")
    # Keyed by id(): lxml hands out the same proxy object for a node only while one is alive, so the
    # mapping holds the copies' proxies (as values, beside their originals) to keep them alive.
    originals: dict[int, Any] = {}

    def copy(el: Any, parent: Any) -> None:
        twin = deepcopy(el)
        parent.append(twin)
        for a, b in zip(twin.iter(), el.iter(), strict=True):
            originals[id(a)] = (b, a)

    for el in root:
        if el is children:
            box = etree.SubElement(small, "Children")
            originals[id(box)] = (children, box)
            number = 0
            for child in children:
                if child.tag == "Child":
                    number += 1
                    if number in bad:
                        copy(child, box)
        else:
            copy(el, small)
    originals[id(small)] = (root, small)
    return small, originals


def _xsd_issues(root: Any, year: int, file: str) -> list[_XsdIssue]:
    suspects = _suspects(root, year)
    if suspects is None:
        return []
    document, originals = suspects
    out = _xmlschema_issues(document, originals, year, file)
    if not out and document is not root:  # the small document hid the fault: check everything
        out = _xmlschema_issues(root, {}, year, file)
    return out


def _xmlschema_issues(document: Any, originals: dict[int, Any], year: int, file: str) -> list[_XsdIssue]:
    from xmlschema.validators.exceptions import XMLSchemaChildrenValidationError

    def original(el: Any) -> Any:
        return originals.get(id(el), (el,))[0] if el is not None else None

    out: list[_XsdIssue] = []
    for error in _schema(year).iter_errors(document):
        elem = original(error.elem)
        path = element_path(elem) if elem is not None else "/"
        line = elem.sourceline if elem is not None else error.sourceline
        # xmlschema quotes patterns as a Python list's repr, doubling each backslash; show them as written.
        reason = (error.reason or str(error)).strip().replace("\\\\", "\\")
        if isinstance(error, XMLSchemaChildrenValidationError):
            child: Any = original(error.invalid_child)
            tag = child.tag if child is not None and isinstance(child.tag, str) else None
            expected = [t for t in (error.expected_tags or []) if t]
            if child is not None and getattr(child, "sourceline", None):
                line = child.sourceline
            message, fld = _children_message(elem, tag, expected, reason, year)
            out.append(_XsdIssue(
                Issue("xsd", Severity.ERROR, f"{message} (line {line})", file=file, element=path, field=fld),
                f"{path}/{fld}", False,
            ))
            continue
        value = elem.text.strip() if elem is not None and elem.text is not None else None
        if elem is not None and len(elem) and "character data" in reason:
            stray = " ".join(t.strip() for t in elem.xpath("text()") if t.strip())
            message = f"text {stray!r} stands between elements of {elem.tag}, where only elements are allowed"
            value, fld, is_value = stray, None, False
        else:
            message = f"{value!r} is not valid here: {reason}" if value is not None else reason
            fld, is_value = (elem.tag if elem is not None else None), True
        out.append(_XsdIssue(
            Issue("xsd", Severity.ERROR, f"{message} (line {line})", file=file, element=path, field=fld,
                  value=value),
            path, is_value,
        ))
    return out


def _layout_block(elem: Any, year: int) -> Block | None:
    """The layout block of an element (by its tag path from the root), or None if the layout has none."""
    names = []
    node = elem
    while node is not None:
        names.append(node.tag)
        node = node.getparent()
    block: Block | Leaf | None = layout(year)
    names.reverse()
    if not names or names[0] != "Message":
        return None
    for name in names[1:]:
        block = block.child(name) if isinstance(block, Block) else None
    return block if isinstance(block, Block) else None


def _children_message(
    elem: Any, tag: str | None, expected: list[str], reason: str, year: int
) -> tuple[str, str | None]:
    """A plain-words account of an XSD content error in ``elem`` (missing, misplaced or unknown child)."""
    label = _label(year)
    block = _layout_block(elem, year)
    order = ", ".join(n.element for n in block.children) if block is not None else ""
    present = {c.tag for c in elem if isinstance(c.tag, str)}
    where = f"{elem.tag} in the {label} layout"
    if tag is not None and block is not None and block.child(tag) is None:
        hint = f" (expected {' or '.join(expected)} here)" if expected else ""
        return f"{tag} is not part of {where}{hint}; its elements are, in order: {order}", tag
    missing = [t for t in expected if t not in present]
    if missing:
        after = f" before {tag}" if tag is not None else " at the end"
        return f"{' or '.join(missing)} is missing: {where} requires it{after} [{reason}]", missing[0]
    if tag is not None:
        wanted = f"; expected {' or '.join(expected)} here" if expected else ""
        return (f"{tag} is out of order or repeated{wanted}; {where} takes, in order: {order} [{reason}]",
                tag)
    return reason, None


# --- mapping into canonical tables ------------------------------------------------------------------------


@dataclass
class _Rows:
    rows: list[dict[str, Any]] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)


class _Mapper:
    """Walks the document along the union of every year's layout, filling rows of the canonical tables."""

    def __init__(self, issues: _Issues, year: int) -> None:
        self.issues = issues
        self.year = year
        self.tables: dict[str, _Rows] = {name: _Rows() for name in CIN_TABLES}
        self.referral_counts: Counter[str | None] = Counter()
        self.child_fields: dict[str, str] = {}  # canonical column → XML element, for children issues

    @staticmethod
    def _elements(el: Any) -> Iterator[Any]:
        """The children of an element, without comments and processing instructions."""
        return el.iterchildren(etree.Element)

    def read(self, root: Any) -> None:
        path = f"/{root.tag}"
        for el in self._elements(root):
            if el.tag == "Header":
                self._walk(el, ("Message", "Header"), f"{path}/Header", None, None)
            elif el.tag == "Children":
                counts: Counter[str] = Counter()
                for child in self._elements(el):
                    cpath = f"{path}/Children/{child.tag}"
                    if child.tag == "Child":
                        counts["Child"] += 1
                        self._child(child, f"{cpath}[{counts['Child']}]")
                    else:
                        self._unmapped(child, cpath)
            else:
                self._unmapped(el, f"{path}/{el.tag}")

    def _unmapped(self, el: Any, path: str) -> None:
        text = " ".join(t.strip() for t in el.itertext() if t.strip())
        shown = text if len(text) <= 60 else text[:57] + "…"
        self.issues.add(
            "unmapped-element", Severity.WARNING,
            f"{el.tag} is not an element of any CIN census layout careflow reads (2021-22 to 2025-26) at this "
            f"place; its content{f' ({shown!r})' if shown else ''} was not read",
            element=path, field=el.tag, value=shown or None, line=el.sourceline,
        )

    def _child(self, el: Any, path: str) -> None:
        row: dict[str, Any] = {}
        made: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
        self._walk(el, ("Message", "Children", "Child"), path, row, made, table="children")
        child_id = row.get("child_id")
        self.tables["children"].rows.append(row)
        self.tables["children"].elements.append(path)
        # Referrals are numbered within the child across the whole return, so that a repeated LAchildID
        # is reported once (on the child) rather than as clashing referral keys.
        base = self.referral_counts[child_id]
        referrals = 0
        for table, sub, parent in made:
            sub["child_id"] = child_id
            if table == "referrals":
                referrals += 1
                sub["referral_id"] = base + referrals
            elif parent is not None:
                sub["referral_id"] = parent["referral_id"]
        self.referral_counts[child_id] += referrals

    def _walk(
        self,
        el: Any,
        names: tuple[str, ...],
        path: str,
        row: dict[str, Any] | None,
        made: list[tuple[str, dict[str, Any], dict[str, Any] | None]] | None,
        *,
        table: str | None = None,
        referral: dict[str, Any] | None = None,
    ) -> None:
        allowed = union_children(names)
        counts: dict[str, int] = {}
        for child in el.iterchildren(etree.Element):
            tag = child.tag
            node = allowed.get(tag)
            if node is None:
                self._unmapped(child, f"{path}/{tag}")
                continue
            if isinstance(node, Leaf):
                if row is not None and node.column is not None:
                    self._leaf(child, node, path, row, table)
                continue
            if node.repeated:
                counts[tag] = counts.get(tag, 0) + 1
                cpath = f"{path}/{tag}[{counts[tag]}]"
            else:
                cpath = f"{path}/{tag}"
            if node.table is not None and node.table != table:
                sub: dict[str, Any] = {}
                assert node.sequence is not None  # every repeated table block is numbered
                if node.table != "referrals":
                    sub[node.sequence] = counts[tag]
                self.tables[node.table].rows.append(sub)
                self.tables[node.table].elements.append(cpath)
                if made is not None:  # before the walk: a referral is numbered before its assessments
                    made.append((node.table, sub, referral if node.table != "referrals" else None))
                self._walk(child, (*names, tag), cpath, sub, made, table=node.table,
                           referral=sub if node.table == "referrals" else referral)
            else:
                self._walk(child, (*names, tag), cpath, row, made, table=table, referral=referral)

    def _leaf(self, el: Any, leaf: Leaf, parent: str, row: dict[str, Any], table: str | None) -> None:
        column = leaf.column
        assert column is not None
        if table == "children":
            self.child_fields.setdefault(column, leaf.element)
        path = f"{parent}/{leaf.element}"
        if column in row:
            self.issues.add(
                "duplicate-element", Severity.WARNING,
                f"{leaf.element} appears more than once here; the first was read and this one ignored "
                f"({(el.text or '').strip()!r})",
                element=path, field=leaf.element, value=(el.text or "").strip() or None, line=el.sourceline,
                table=table,
            )
            return
        if leaf.is_list:
            values = []
            counts = 0
            for item in self._elements(el):
                if item.tag != leaf.item:
                    self._unmapped(item, f"{path}/{item.tag}")
                    continue
                counts += 1
                value = self._value(item, leaf, f"{path}/{item.tag}[{counts}]", table)
                if value is not None:
                    values.append(value)
            row[column] = values
            return
        row[column] = self._value(el, leaf, path, table)

    def _value(self, el: Any, leaf: Leaf, path: str, table: str | None) -> Any:
        text = (el.text or "").strip()
        if not text:
            return None
        kind = leaf.kind
        name = leaf.item or leaf.element
        if kind == "date":
            if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the usual YYYY-MM-DD, quickly
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    pass
            match = _DATE.match(text)
            problem = None
            if not match:
                problem = f"{text!r} is not a date in the form YYYY-MM-DD (e.g. 2024-03-31)"
            else:
                try:
                    return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    problem = f"{text!r} is not a real date (expected YYYY-MM-DD, e.g. 2024-03-31)"
            self.issues.add("date-format", Severity.ERROR, f"{problem}; read as missing", element=path,
                            field=name, value=text, line=el.sourceline, table=table)
            self.issues.covered.add(path)
            return None
        if kind == "bool":
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            self.issues.add("boolean-format", Severity.ERROR,
                            f"{text!r} is not true or false (expected true, false, TRUE, FALSE, 1 or 0); "
                            "read as missing",
                            element=path, field=name, value=text, line=el.sourceline, table=table)
            self.issues.covered.add(path)
            return None
        if kind == "count":
            if _COUNT.match(text) and int(text) < 2**15:
                return int(text)
            self.issues.add("number-format", Severity.ERROR,
                            f"{text!r} is not a whole number from 0 to 32767 (e.g. 2); read as missing",
                            element=path, field=name, value=text, line=el.sourceline, table=table)
            self.issues.covered.add(path)
            return None
        if kind == "code" and leaf.code_list is not None:
            valid = cin_codes(leaf.code_list, self.year)
            if valid is not None and text not in valid:
                message = explain(leaf.code_list, text, self.year) or f"{text!r} is not a valid {leaf.code_list}"
                self.issues.add("invalid-code", Severity.ERROR, message, element=path, field=name, value=text,
                                line=el.sourceline, table=table)
                self.issues.covered.add(path)
        return text

    def frames(self) -> tuple[CareData, dict[str, Source]]:
        data = CareData()
        sources: dict[str, Source] = {}
        for name, rows in self.tables.items():
            table = schema(name)
            frame = pl.DataFrame(rows.rows, schema=table.polars_schema, orient="row") if rows.rows else table.empty()
            data[name] = frame
            fields = _fields(name, self.year)
            if name == "children":
                fields.update(self.child_fields)
            sources[name] = Source(file=self.issues.file, elements=rows.elements, fields=fields)
        return data, sources


@cache
def _leaf_paths(table: str, year: int) -> tuple[tuple[str, str, str], ...]:
    """(column, element, path relative to the row's element) of every leaf filling a row of ``table``."""
    out: list[tuple[str, str, str]] = []

    def visit(block: Block, prefix: str) -> None:
        for node in block.children:
            if isinstance(node, Leaf):
                if node.column is not None:
                    out.append((node.column, node.element, f"{prefix}{node.element}"))
            elif node.table == table and not node.repeated:
                visit(node, f"{prefix}{node.element}/")

    for block in layout(year).walk():
        if block.table == table and block.repeated:
            visit(block, "")
    return tuple(out)


def _fields(table: str, year: int) -> dict[str, str]:
    """Canonical column → XML element name for ``table``, as ``year`` names it (else as other years do)."""
    fields: dict[str, str] = {}
    for each in (year, *reversed(YEARS)):
        for column, element, _relative in _leaf_paths(table, layout_year(each)):
            fields.setdefault(column, element)
    fields.setdefault("child_id", "LAchildID")
    return fields


# --- checks across elements -------------------------------------------------------------------------------

_PERIODS: tuple[tuple[str, str, str], ...] = (
    ("referrals", "referral_date", "closure_date"),
    ("assessments", "start_date", "authorisation_date"),
    ("child_in_need_plans", "start_date", "end_date"),
    ("child_protection_plans", "start_date", "end_date"),
)


def _logic(data: CareData, sources: dict[str, Source], year: int, issues: _Issues) -> None:
    """Ends before starts, and dates after the census reference date (31 March of the collection year)."""
    reference = dt.date(year, 3, 31)
    for table, start, end in _PERIODS:
        frame = data[table].with_row_index("_i")
        source = sources[table]
        back = frame.filter(pl.col(end) < pl.col(start))
        for row in back.iter_rows(named=True):
            issues.add(
                "end-before-start", Severity.ERROR,
                f"{source.fields.get(end, end)} {row[end]:%d/%m/%Y} is before "
                f"{source.fields.get(start, start)} {row[start]:%d/%m/%Y}",
                element=_element(source, row["_i"]), field=source.fields.get(end, end),
                value=row[end].isoformat(), table=table,
            )
    for table in CIN_TABLES:
        frame = data[table]
        source = sources[table]
        for column in schema(table).columns:
            if column.name == "expected_date_of_birth" or column.name not in frame.columns:
                continue
            if column.dtype == pl.Date:
                late = frame.with_row_index("_i").filter(pl.col(column.name) > reference)
            elif column.dtype == pl.List(pl.Date):
                late = (frame.with_row_index("_i").select("_i", column.name).explode(column.name)
                        .filter(pl.col(column.name) > reference))
            else:
                continue
            name = source.fields.get(column.name, column.name)
            for row in late.iter_rows(named=True):
                issues.add(
                    "after-reference-date", Severity.ERROR,
                    f"{name} {row[column.name]:%d/%m/%Y} is after the census reference date "
                    f"{reference:%d/%m/%Y}; every date in the {_label(year)} return must be on or before it",
                    element=_element(source, row["_i"]), field=name, value=row[column.name].isoformat(),
                    table=table,
                )


def _dfe_rules(data: CareData, sources: dict[str, Source], year: int, issues: _Issues) -> None:
    """DfE's validation rules careflow checks itself (careflow.returns.dfe_rules): what a census year holds and
    the order of an episode's events."""
    from careflow.returns.dfe_rules import cin_findings

    for f in cin_findings(data, year):
        source = sources[f.table]
        value = f.value.isoformat() if isinstance(f.value, dt.date) else (None if f.value is None else str(f.value))
        issues.add(f.code, Severity.ERROR, f"DfE rule {f.rule}: {f.message}", element=_element(source, f.index),
                   field=source.fields.get(f.column, f.column), value=value, table=f.table)


def _element(source: Source, index: int) -> str | None:
    return source.elements[index] if source.elements is not None else None


# --- the reader ---------------------------------------------------------------------------------------------


def _empty(file: str, issues: list[Issue], year: int | None) -> ReadResult:
    data = CareData({name: schema(name).empty() for name in CIN_TABLES})
    return ReadResult(data, issues, [file], "cin", year)


def read_cin_census(
    path: str | PathLike[str], *, year: int | None = None, strict: bool = False, provenance: bool = False
) -> ReadResult:
    """Read a CIN census XML return into canonical tables, with every issue found.

    The collection year is ``year`` if given, else the header's ReferenceDate (31 March Y is collection
    year Y, i.e. Y-1 to Y), else its Year. The document is checked against that year's XSD (each error an
    ``xsd`` issue naming the element path, line, field, value and what was expected), then read as far as
    it can be, even when invalid or malformed: a bad date becomes a ``date-format`` issue and a null, an
    unknown code an ``invalid-code`` issue (the value is kept), an element careflow does not map an
    ``unmapped-element`` warning. Referrals (``CINdetails``), assessments, plans, enquiries and
    pre-proceedings are numbered from 1 in document order within their child or referral.

    Args:
        path: the XML file.
        year: the collection year (ending 31 March: 2026 is 2025-26) to read it as, overriding the header.
        strict: raise :class:`~careflow.errors.ReturnFormatError` listing every error instead of returning.
        provenance: fill ``local_authority`` (the header's LEA) and ``collection_year`` in every row, for
            pooling returns of several authorities or years. Off by default, so that a return written by
            :func:`write_cin_census` reads back as the tables it was written from.

    Returns:
        The canonical tables (children, referrals, assessments, child_in_need_plans, section47_enquiries,
        child_protection_plans, pre_proceedings) and the issues, in the order found.
    """
    file = Path(path)
    name = file.name
    root, issues = _load(file.read_bytes(), name)
    if root is None:
        result = _empty(name, issues, year)
        return result.raise_for_errors() if strict else result
    resolved, header_issues = _resolve_year(root, year, name)
    issues.extend(header_issues)
    used = layout_year(resolved)
    if used != resolved:
        issues.append(Issue(
            "unsupported-year", Severity.WARNING,
            f"careflow has CIN census layouts for 2021-22 to 2025-26, not {_label(resolved)}; checked against "
            f"the {_label(used)} XSD",
            file=name,
        ))
    found = _Issues(name)
    mapper = _Mapper(found, resolved)
    mapper.read(root)
    data, sources = mapper.frames()
    if provenance:
        lea = _first_text(root, "Header", "Source", "LEA")
        for table in data.names():
            data[table] = data[table].with_columns(
                pl.lit(lea, pl.String).alias("local_authority"),
                pl.lit(resolved, pl.Int16).alias("collection_year"),
            )
    _logic(data, sources, resolved, found)
    _dfe_rules(data, sources, resolved, found)
    xsd = _xsd_issues(root, used, name)
    checked = [
        _point_at_element(i, sources)
        for i in validate(data, year=resolved, sources=sources, check_codes=False)
        # A missing LAchildID is reported once, on the child, not again on each of its referrals.
        if not (i.code == "missing-value" and i.table != "children" and i.field == "LAchildID")
    ]
    structural = {x.key for x in xsd if not x.is_value}
    kept_checks = [
        i for i in checked
        if not (i.code == "missing-value" and _leaf_key(i, resolved) in structural | found.covered)
    ]
    covered = found.covered | {k for i in kept_checks if (k := _leaf_key(i, resolved))}
    kept_xsd = _capped([x.issue for x in xsd if not (x.is_value and x.key in covered)])
    issues.extend(kept_xsd)
    issues.extend(found.items)
    issues.extend(found.summaries())
    issues.extend(kept_checks)
    result = ReadResult(data, issues, [name], "cin", resolved)
    return result.raise_for_errors() if strict else result


_FIRST_AT = re.compile(r"\(first at row index (\d+)\)")


def _point_at_element(issue: Issue, sources: dict[str, Source]) -> Issue:
    """Name the first duplicate by its element path rather than its row index in the table."""
    match = _FIRST_AT.search(issue.message)
    source = sources.get(issue.table or "")
    if match is None or source is None or source.elements is None:
        return issue
    first = source.elements[int(match.group(1))]
    return replace(issue, message=_FIRST_AT.sub(f"(first at {first})", issue.message))


def _leaf_key(issue: Issue, year: int) -> str:
    """The path of the element an issue from :func:`validate` is about (row element + the field's place)."""
    if issue.element is None or issue.field is None or issue.table is None:
        return ""
    for _column, element, relative in _leaf_paths(issue.table, year):
        if element == issue.field:
            return f"{issue.element}/{relative}"
    return f"{issue.element}/{issue.field}"


def _capped(items: Iterable[Issue]) -> list[Issue]:
    counts: Counter[str | None] = Counter()
    out: list[Issue] = []
    for issue in items:
        counts[issue.field] += 1
        if counts[issue.field] <= MAX_PER_KIND:
            out.append(issue)
    for fld, n in counts.items():
        if n > MAX_PER_KIND:
            out.append(Issue("xsd", Severity.ERROR, f"… and {n - MAX_PER_KIND} more XSD errors on {fld}",
                             file=out[0].file, field=fld))
    return out
