"""The SSDA903 XML return (``<EXPSSDA903>``): reading it into raw tables, and writing canonical tables to it.

The layout follows the DfE's XML as used by the DfE validator (data-to-insight/csc-validator-be-903,
``lac_validator/ingress.py`` and ``tests/fake_data/fake_903.xml``)::

    <EXPSSDA903>
      <CHILD>
        <HEADER>
          CHILDID UPN SEX DOB ETHNIC UASC DUC                   (header; UASC/DUC: the uasc table)
          IN_TOUCH ACTIV ACCOM                                  (OC3, when present)
          DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR   (AD1, when present)
          <AMISSING> MISSING MIS_START MIS_END </AMISSING>*
          <AREVIEW> REVIEW REVIEW_CODE </AREVIEW>*
          MOTHER MC_DOB
          <PERMANENCE> PREV_PERM LA_PERM DATE_PERM </PERMANENCE>
          <OC2> SDQ_SCORE SDQ_REASON CONVICTED … INTERVENTION_OFFERED </OC2>
          <AD_PLACED> DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED </AD_PLACED>*
        </HEADER>
        <EPISODE> DECOM RNE LS CIN PL PL_POST HOME_POST URN PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE </EPISODE>*
      </CHILD>*
    </EXPSSDA903>

Social worker episodes and deprivation of liberty orders have no place in this layout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from careflow.errors import ReturnFormatError
from careflow.issues import Issue, Severity
from careflow.returns.common import decode
from careflow.returns.ssda903._layout import BY_KEY, Layout
from careflow.returns.ssda903._parse import RawTable, to_text
from careflow.tables import CareData

__all__ = ["ROOT", "XML_KEYS", "read_xml", "root_tag", "write_xml", "xml_problems"]

ROOT = "EXPSSDA903"

# Fields of each group element, in the order written.
_EPISODE = (
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PL",
    "PL_POST",
    "HOME_POST",
    "URN",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
)
_GROUPS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    # element: (layout key, its fields)
    "AMISSING": ("missing", ("MISSING", "MIS_START", "MIS_END")),
    "AREVIEW": ("reviews", ("REVIEW", "REVIEW_CODE")),
    "PERMANENCE": ("previous_permanence", ("PREV_PERM", "LA_PERM", "DATE_PERM")),
    "OC2": (
        "oc2",
        (
            "SDQ_SCORE",
            "SDQ_REASON",
            "CONVICTED",
            "HEALTH_CHECK",
            "IMMUNISATIONS",
            "TEETH_CHECK",
            "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED",
        ),
    ),
    "AD_PLACED": ("placed_for_adoption", ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED")),
}
# Leaves of HEADER that belong to one-row-per-child tables, present only when the child has that row.
_OC3 = ("IN_TOUCH", "ACTIV", "ACCOM")
_AD1 = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
_HEADER_LEAVES = ("CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DUC", *_OC3, *_AD1, "MOTHER", "MC_DOB")
#: Tables read from XML, in the order of LAYOUTS.
XML_KEYS = (
    "header",
    "episodes",
    "uasc",
    "reviews",
    "oc2",
    "oc3",
    "ad1",
    "placed_for_adoption",
    "previous_permanence",
    "missing",
)

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_MAX_PARSE_ERRORS = 20


def root_tag(raw: bytes) -> str | None:
    """The name of the first element of an XML document, from its first few kilobytes (None if not XML)."""
    head = raw[:8192].decode("utf-8", errors="replace")
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.S)
    match = re.match(r"\s*(?:\ufeff)?\s*<([A-Za-z_][\w.:-]*)", head)
    return match.group(1).split(":")[-1] if match else None


def _text(raw: bytes, file: str) -> tuple[str, list[Issue]]:
    declared = _DECLARATION.match(raw)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if declared:
        try:
            return body.decode(declared.group(1).decode("ascii")), []
        except (LookupError, UnicodeDecodeError):
            text, issues = decode(raw, file)
            return text, [
                Issue(
                    "encoding",
                    Severity.WARNING,
                    f"the file says it is {declared.group(1).decode('ascii')} but is not; "
                    + (issues[0].message if issues else "it was read as UTF-8."),
                    file=file,
                )
            ]
    return decode(raw, file)


def read_xml(raw: bytes, file: str) -> tuple[list[RawTable], list[Issue]]:
    """Read an SSDA903 XML return into raw text tables, reporting what is not well-formed or not expected.

    A document that is not well-formed (cut short, a tag left open) is read as far as the XML parser can
    recover it; each parser error is reported with its line and column.
    """
    from lxml import etree  # here, not at import: only XML returns need lxml
    text, issues = _text(raw, file)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        root = None
        issues.append(Issue("malformed-xml", Severity.ERROR, f"is not XML that can be read: {exc}", file=file))
    last_line = text.count("\n") + 1
    for n, error in enumerate(parser.error_log):
        if n == _MAX_PARSE_ERRORS:
            issues.append(
                Issue(
                    "malformed-xml",
                    Severity.ERROR,
                    f"… and {len(parser.error_log) - _MAX_PARSE_ERRORS} more XML errors",
                    file=file,
                )
            )
            break
        cut = "Premature end" in error.message or error.line >= last_line - 1
        issues.append(
            Issue(
                "malformed-xml",
                Severity.ERROR,
                f"line {error.line}, column {error.column}: the XML is not well-formed ({error.message.strip()})"
                + (
                    "; the file looks cut short. Elements before this point were read."
                    if cut
                    else ". What the parser could recover was read; check the data from this point on."
                ),
                file=file,
            )
        )
    if root is None:
        return [], issues
    tag = etree.QName(root).localname
    if tag != ROOT:
        issues.append(
            Issue(
                "unknown-file",
                Severity.ERROR,
                f"the root element is <{tag}>, not <{ROOT}>: this is not an SSDA903 XML return.",
                file=file,
            )
        )
        return [], issues
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in XML_KEYS}
    counters: dict[str, int] = {}
    for node in root:
        if not isinstance(node.tag, str):
            continue  # comments, processing instructions
        name = etree.QName(node).localname
        counters[name] = counters.get(name, 0) + 1
        path = f"/{ROOT}/{name}[{counters[name]}]"
        if name != "CHILD":
            issues.append(_unexpected(file, path, node))
            continue
        issues.extend(_child(node, path, rows, file))
    raws = []
    for key in XML_KEYS:
        layout = BY_KEY[key]
        schema = {f.name: pl.String for f in layout.fields} | {"_element": pl.String}
        frame = pl.DataFrame(rows[key], schema=schema, orient="row") if rows[key] else pl.DataFrame(schema=schema)
        inherited = frozenset() if key == "header" else frozenset({"DOB", "SEX"})
        raws.append(RawTable(layout, file, frame, xml=True, inherited=inherited, present=layout.names))
    return raws, issues


def _local(node: Any) -> str:
    from lxml import etree  # here, not at import: only XML returns need lxml
    return str(etree.QName(node).localname)


def _value(node: Any) -> str | None:
    text = (node.text or "").strip()
    return text or None


def _unexpected(file: str, path: str, node: Any) -> Issue:
    value = _value(node)
    shown = f" holding {value!r}" if value is not None else ""
    return Issue(
        "extra-field",
        Severity.WARNING,
        f"unexpected element <{_local(node)}>{shown}; it is not part of the SSDA903 XML layout and was not read.",
        file=file,
        element=path,
        value=value,
    )


def _leaves(node: Any, path: str, allowed: tuple[str, ...], file: str, issues: list[Issue]) -> dict[str, Any]:
    """The leaf values under ``node`` by tag (``None`` for an empty element), reporting strays and repeats."""
    out: dict[str, Any] = {}
    for leaf in node:
        if not isinstance(leaf.tag, str):
            continue
        tag = _local(leaf)
        if tag in _GROUPS or tag not in allowed:
            if tag not in _GROUPS:
                issues.append(_unexpected(file, f"{path}/{tag}", leaf))
            continue
        if tag in out:
            issues.append(
                Issue(
                    "repeated-field",
                    Severity.WARNING,
                    f"<{tag}> appears more than once; the first ({out[tag]!r}) was read, {_value(leaf)!r} was not.",
                    file=file,
                    element=path,
                    field=tag,
                    value=_value(leaf),
                )
            )
            continue
        out[tag] = _value(leaf)
    return out


def _child(node: Any, path: str, rows: dict[str, list[dict[str, Any]]], file: str) -> list[Issue]:
    issues: list[Issue] = []
    counters: dict[str, int] = {}
    header_node = None
    episodes = []
    for part in node:
        if not isinstance(part.tag, str):
            continue
        name = _local(part)
        counters[name] = counters.get(name, 0) + 1
        part_path = f"{path}/{name}[{counters[name]}]"
        if name == "HEADER" and header_node is None:
            header_node = part
        elif name == "EPISODE":
            episodes.append((part, part_path))
        else:
            issues.append(_unexpected(file, part_path, part))
    header_path = f"{path}/HEADER"
    leaves: dict[str, Any] = {}
    if header_node is None:
        issues.append(
            Issue(
                "missing-element",
                Severity.ERROR,
                "this CHILD has no HEADER, so the child's id and date of birth are unknown; its episodes were "
                "read without a child id.",
                file=file,
                element=path,
            )
        )
    else:
        leaves = _leaves(header_node, header_path, _HEADER_LEAVES, file, issues)
    child, dob, sex = leaves.get("CHILDID"), leaves.get("DOB"), leaves.get("SEX")
    base = {"CHILD": child, "DOB": dob}
    rows["header"].append(
        {
            "CHILD": child,
            "SEX": sex,
            "DOB": dob,
            "ETHNIC": leaves.get("ETHNIC"),
            "UPN": leaves.get("UPN"),
            "MOTHER": leaves.get("MOTHER"),
            "MC_DOB": leaves.get("MC_DOB"),
            "_element": header_path,
        }
    )
    if leaves.get("UASC") not in (None, "0") or leaves.get("DUC") is not None:
        rows["uasc"].append({**base, "SEX": sex, "DUC": leaves.get("DUC"), "_element": header_path})
    if any(tag in leaves for tag in _OC3):
        rows["oc3"].append({**base, **{tag: leaves.get(tag) for tag in _OC3}, "_element": header_path})
    if any(tag in leaves for tag in _AD1):
        rows["ad1"].append({**base, **{tag: leaves.get(tag) for tag in _AD1}, "_element": header_path})
    if header_node is not None:
        group_counts: dict[str, int] = {}
        for part in header_node:
            if not isinstance(part.tag, str) or _local(part) not in _GROUPS:
                continue
            tag = _local(part)
            key, fields = _GROUPS[tag]
            group_counts[tag] = group_counts.get(tag, 0) + 1
            part_path = f"{header_path}/{tag}[{group_counts[tag]}]"
            values = _leaves(part, part_path, fields, file, issues)
            rows[key].append({**base, **{f: values.get(f) for f in fields}, "_element": part_path})
    for part, part_path in episodes:
        values = _leaves(part, part_path, _EPISODE, file, issues)
        row = {"CHILD": child, **{("PLACE" if f == "PL" else f): values.get(f) for f in _EPISODE}}
        rows["episodes"].append({**row, "_element": part_path})
    return issues


# --- writing ---------------------------------------------------------------------------------------------

_ONE_PER_CHILD = ("uasc", "oc2", "oc3", "ad1", "previous_permanence")


def xml_problems(data: CareData) -> list[str]:
    """What in ``data`` the SSDA903 XML layout cannot hold (empty if it can hold all of it)."""
    problems: list[str] = []
    for layout in (BY_KEY["sw_episodes"], BY_KEY["DoLo"]):
        if data[layout.table].height:
            problems.append(
                f"{layout.table} has {data[layout.table].height} rows, but the XML layout has no place for "
                f"{layout.key}; write CSV to keep them"
            )
    children = data["children"]
    for name in data.names():
        frame = data[name]
        for column in ("local_authority", "collection_year"):
            if column in frame.columns and frame[column].null_count() < frame.height:
                problems.append(f"{name}.{column} is set, but the XML layout has no LA or YEAR")
    if children["child_id"].null_count():
        problems.append("children has rows without a child_id (CHILDID)")
    if children["child_id"].is_duplicated().any():
        problems.append("children has the same child_id more than once; XML holds one CHILD per child")
    known = children.select("child_id", "date_of_birth", "sex").unique("child_id", keep="first")
    for key in XML_KEYS[1:]:
        layout = BY_KEY[key]
        frame = data[layout.table]
        if frame.height == 0:
            continue
        unknown = frame.filter(~pl.col("child_id").is_in(known["child_id"].implode()) | pl.col("child_id").is_null())
        if unknown.height:
            problems.append(
                f"{layout.table} has {unknown.height} rows for children not in children (e.g. "
                f"{unknown['child_id'][0]!r}); in XML every row sits under its child's HEADER"
            )
        if key in _ONE_PER_CHILD and frame["child_id"].is_duplicated().any():
            problems.append(f"{layout.table} has more than one row for a child; XML holds one per child")
        if key != "episodes":
            joined = frame.join(known, on="child_id", how="inner", suffix="_header")
            checks = ["date_of_birth"] + (["sex"] if key == "uasc" else [])
            for column in checks:
                differs = joined.filter(~pl.col(column).eq_missing(pl.col(f"{column}_header")))
                if differs.height:
                    problems.append(
                        f"{layout.table}.{column} differs from the child's header for {differs.height} rows "
                        f"(e.g. child {differs['child_id'][0]!r}); XML holds it once, in HEADER"
                    )
    return problems


def _by_child(layout: Layout, data: CareData) -> dict[str, list[dict[str, Any]]]:
    frame = data[layout.table]
    if frame.height == 0:
        return {}
    texts = to_text(layout, frame, provenance=False)
    return texts.rows_by_key("CHILD", named=True, include_key=True)


def _leaf(parent: Any, tag: str, value: str | None) -> None:
    from lxml import etree  # here, not at import: only XML returns need lxml
    leaf = etree.SubElement(parent, tag)
    if value is not None:
        leaf.text = value


def write_xml(data: CareData, path: Path) -> Path:
    """Write ``data`` as one SSDA903 XML return; raise if the layout cannot hold it (see :func:`xml_problems`)."""
    from lxml import etree  # here, not at import: only XML returns need lxml
    problems = xml_problems(data)
    if problems:
        raise ReturnFormatError(
            "These tables cannot be written as SSDA903 XML without losing data:\n  " + "\n  ".join(problems),
            [Issue("xml-layout", Severity.ERROR, p) for p in problems],
        )
    grouped = {key: _by_child(BY_KEY[key], data) for key in XML_KEYS[1:]}
    root = etree.Element(ROOT)
    for header in to_text(BY_KEY["header"], data["children"], provenance=False).iter_rows(named=True):
        child_id = header["CHILD"]
        child = etree.SubElement(root, "CHILD")
        head = etree.SubElement(child, "HEADER")
        _leaf(head, "CHILDID", child_id)
        for tag in ("UPN", "SEX", "DOB", "ETHNIC"):
            _leaf(head, tag, header[tag])
        uasc = grouped["uasc"].get(child_id)
        _leaf(head, "UASC", "1" if uasc else None)
        if uasc and uasc[0]["DUC"] is not None:
            _leaf(head, "DUC", uasc[0]["DUC"])
        for key, tags in (("oc3", _OC3), ("ad1", _AD1)):
            for row in grouped[key].get(child_id, []):
                for tag in tags:
                    _leaf(head, tag, row[tag])
        for tag in ("AMISSING", "AREVIEW"):
            key, fields = _GROUPS[tag]
            for row in grouped[key].get(child_id, []):
                group = etree.SubElement(head, tag)
                for f in fields:
                    _leaf(group, f, row[f])
        _leaf(head, "MOTHER", header["MOTHER"])
        _leaf(head, "MC_DOB", header["MC_DOB"])
        for tag in ("PERMANENCE", "OC2", "AD_PLACED"):
            key, fields = _GROUPS[tag]
            for row in grouped[key].get(child_id, []):
                group = etree.SubElement(head, tag)
                for f in fields:
                    _leaf(group, f, row[f])
        for row in grouped["episodes"].get(child_id, []):
            episode = etree.SubElement(child, "EPISODE")
            for f in _EPISODE:
                _leaf(episode, f, row["PLACE" if f == "PL" else f])
    path.parent.mkdir(parents=True, exist_ok=True)
    etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="utf-8", pretty_print=True)
    return path
