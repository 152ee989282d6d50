"""Render the CIN census XSD of each collection year from careflow's layout and code lists.

Run ``python -m careflow.returns.cin.xsd_build`` after changing the layout (``_layout.py``) or the CIN code
lists in :mod:`careflow.codes`; ``--check`` exits 1 if a committed XSD is out of date (a test does the same).
The enumerations in each XSD are the codes careflow.codes holds for that year, so the XSD and the code lists
cannot disagree.
"""

from __future__ import annotations

import argparse
import sys
from xml.sax.saxutils import escape, quoteattr

from careflow.returns.cin._codes import cin_codes
from careflow.returns.cin._layout import XSD_DIR, YEARS, Block, Leaf, layout, xsd_path

__all__ = ["XSD_DIR", "main", "render_xsd", "xsd_path"]

_BUILTIN = {
    "date": "xs:date",
    "datetime": "xs:dateTime",
    "gyear": "xs:gYear",
    "bool": "YesNo",
    "count": "xs:nonNegativeInteger",
    "upn": "UPN",
    "id": "NonEmptyString",
    "text": "xs:string",
}


def _label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def _code_type(name: str) -> str:
    return "Code_" + "".join(part.capitalize() for part in name.split("_"))


def _occurs(min_occurs: int, max_occurs: int | None) -> str:
    out = f' minOccurs="{min_occurs}"'
    out += ' maxOccurs="unbounded"' if max_occurs is None else f' maxOccurs="{max_occurs}"'
    return out


def _leaf_type(leaf: Leaf) -> str:
    if leaf.kind == "code":
        assert leaf.code_list is not None  # the layout gives every code element its list
        return _code_type(leaf.code_list)
    return _BUILTIN[leaf.kind]


def _leaf(leaf: Leaf, indent: str) -> list[str]:
    occurs = _occurs(leaf.min_occurs, 1)
    if leaf.is_list:
        return [
            f'{indent}<xs:element name="{leaf.element}"{occurs}>',
            f"{indent}  <xs:complexType>",
            f"{indent}    <xs:sequence>",
            f'{indent}      <xs:element name="{leaf.item}" type="{_leaf_type(leaf)}"{_occurs(1, None)}/>',
            f"{indent}    </xs:sequence>",
            f"{indent}  </xs:complexType>",
            f"{indent}</xs:element>",
        ]
    if leaf.kind in ("fixed", "pattern"):
        facets = (
            [f"{indent}      <xs:enumeration value={quoteattr(v)}/>" for v in leaf.values]
            if leaf.kind == "fixed"
            else [f"{indent}      <xs:pattern value={quoteattr(leaf.pattern or '')}/>"]
        )
        return [
            f'{indent}<xs:element name="{leaf.element}"{occurs}>',
            f"{indent}  <xs:simpleType>",
            f'{indent}    <xs:restriction base="xs:string">',
            *facets,
            f"{indent}    </xs:restriction>",
            f"{indent}  </xs:simpleType>",
            f"{indent}</xs:element>",
        ]
    return [f'{indent}<xs:element name="{leaf.element}" type="{_leaf_type(leaf)}"{occurs}/>']


def _complex_type(block: Block) -> list[str]:
    lines = [f'  <xs:complexType name="{block.type_name}">', "    <xs:sequence>"]
    for node in block.children:
        if isinstance(node, Block):
            lines.append(
                f'      <xs:element name="{node.element}" type="{node.type_name}"'
                f"{_occurs(node.min_occurs, node.max_occurs)}/>"
            )
        else:
            lines.extend(_leaf(node, "      "))
    lines += ["    </xs:sequence>", "  </xs:complexType>", ""]
    return lines


def _code_lists(root: Block) -> list[str]:
    names: dict[str, None] = {}
    for block in root.walk():
        for node in block.children:
            if isinstance(node, Leaf) and node.kind == "code" and node.code_list:
                names[node.code_list] = None
    return list(names)


def _simple_types(year: int, names: list[str]) -> list[str]:
    lines = [
        '  <xs:simpleType name="NonEmptyString">',
        '    <xs:restriction base="xs:string">',
        '      <xs:minLength value="1"/>',
        "    </xs:restriction>",
        "  </xs:simpleType>",
        "",
        "  <!-- The census accepts true/false in either case, or 1/0. -->",
        '  <xs:simpleType name="YesNo">',
        '    <xs:restriction base="xs:string">',
        *[f'      <xs:enumeration value="{v}"/>' for v in ("true", "false", "TRUE", "FALSE", "1", "0")],
        "    </xs:restriction>",
        "  </xs:simpleType>",
        "",
        "  <!-- Unique pupil number: a letter, eleven digits, then a digit or a letter (a temporary UPN). -->",
        '  <xs:simpleType name="UPN">',
        '    <xs:restriction base="xs:string">',
        r'      <xs:pattern value="[A-Za-z]\d{11}[A-Za-z0-9]"/>',
        "    </xs:restriction>",
        "  </xs:simpleType>",
        "",
    ]
    for name in names:
        codes = cin_codes(name, year)
        lines.append(f'  <xs:simpleType name="{_code_type(name)}">')
        if codes is None:
            lines += [
                f"    <!-- careflow.codes holds no CIN list {name!r} for {_label(year)}: values are not"
                " enumerated here. -->",
                '    <xs:restriction base="NonEmptyString"/>',
            ]
        else:
            lines.append(f'    <!-- careflow.codes, collection cin, {_label(year)}, list {name}. -->')
            lines.append('    <xs:restriction base="xs:string">')
            for code, label in codes.items():
                lines.append(
                    f"      <xs:enumeration value={quoteattr(code)}><xs:annotation>"
                    f"<xs:documentation>{escape(label)}</xs:documentation></xs:annotation></xs:enumeration>"
                )
            lines.append("    </xs:restriction>")
        lines += ["  </xs:simpleType>", ""]
    return lines


def render_xsd(year: int) -> str:
    """The XSD text of collection year ``year`` (ending 31 March), as committed under ``xsd/``."""
    if year not in YEARS:
        raise ValueError(f"careflow has no CIN census layout for {year} (years: {', '.join(map(str, YEARS))})")
    root = layout(year)
    names = _code_lists(root)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!--",
        f"  CIN census {_label(year)} (collection year ending 31 March {year}): XML schema.",
        "",
        f"  This is careflow's rendering of the DfE children in need census specification for {_label(year)};",
        "  it is not DfE's file. Element names, order and occurrence follow the DfE specification;",
        "  the enumerations are the CIN code lists careflow.codes holds for this year.",
        "",
        "  Generated by `python -m careflow.returns.cin.xsd_build` from careflow/returns/cin/_layout.py",
        "  and careflow.codes. Do not edit by hand: change those and regenerate.",
        "-->",
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">',
        "",
        f'  <xs:element name="{root.element}" type="{root.type_name}"/>',
        "",
    ]
    body: list[str] = []
    for block in root.walk():
        body.extend(_complex_type(block))
    return "\n".join([*head, *body, *_simple_types(year, names), "</xs:schema>", ""])


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the XSD of every year. Returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m careflow.returns.cin.xsd_build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed XSD is out of date")
    args = parser.parse_args(argv)
    stale = []
    for year in YEARS:
        path = xsd_path(year)
        text = render_xsd(year)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        sys.stderr.write(f"out of date: {', '.join(stale)}; run python -m careflow.returns.cin.xsd_build\n")
        return 1
    if stale:
        sys.stdout.write(f"wrote {', '.join(stale)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
