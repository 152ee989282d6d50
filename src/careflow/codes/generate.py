"""Write ``careflow/codes/enums.py`` from the YAML code lists: one ``StrEnum`` per list.

Run ``python -m careflow.codes.generate`` after editing a YAML file; a test fails while enums.py is stale.
Each enum holds the union of the list's codes over every collection year (a retired code keeps its member,
so old returns still read). Where a code's name changed between years, the latest year's name wins.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from careflow.codes import COLLECTIONS, CollectionYear, code_list, list_names, years
from careflow.errors import CodeListError, UnknownCodeListError

__all__ = ["ENUMS_PATH", "class_name", "main", "render"]

ENUMS_PATH = Path(__file__).parent / "enums.py"


def class_name(list_name: str, collection: str) -> str:
    """The enum class for a list: PascalCase, with a ``Cin`` prefix where a CIN list shares an SSDA903 name.

    Example:
        >>> class_name("legal_status", "ssda903"), class_name("sex", "cin")
        ('LegalStatus', 'CinSex')
    """
    base = "".join(part.capitalize() for part in list_name.split("_"))
    if collection == "ssda903":
        return base
    if list_name in list_names("ssda903"):
        return collection.capitalize() + base
    return base


def _members(list_name: str, collection: str) -> tuple[list[tuple[str, str, str]], str, str]:
    """(name, code, label) over all years, with the latest field and description.

    The latest year's name and label of a code win. Where two codes share a name across years (sex ``1``
    then ``M``, both MALE), the code valid in the latest year keeps the name and the other gets its code as
    a suffix (``MALE_1``).
    """
    by_code: dict[str, tuple[str, str, int]] = {}
    field = description = ""
    for year in years(collection):
        lst = code_list(list_name, year, collection) if list_name in _names_in(collection, year) else None
        if lst is None:
            continue
        field, description = lst.field, lst.description
        for entry in lst:
            by_code[entry.code] = (entry.name, entry.label, int(year))
    holder: dict[str, str] = {}
    for code, (name, _, last) in by_code.items():
        if name not in holder or last > by_code[holder[name]][2]:
            holder[name] = code
    members: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for code, (name, label, _) in by_code.items():
        final = name if holder[name] == code else f"{name}_{_suffix(code)}"
        if final in taken:
            raise CodeListError(
                f"{collection} {list_name}: two codes end up named {final}; give one a distinct name in the YAML."
            )
        taken.add(final)
        members.append((final, code, label))
    return members, field, description


def _names_in(collection: str, year: CollectionYear) -> set[str]:
    return {name for name in list_names(collection) if _holds(collection, year, name)}


def _holds(collection: str, year: CollectionYear, name: str) -> bool:
    try:
        code_list(name, year, collection)
    except UnknownCodeListError:
        return False
    return True


def _suffix(code: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in code.upper())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render() -> str:
    """The full text of enums.py."""
    lines = [
        '"""Code lists as enums, generated from careflow/codes/data by `python -m careflow.codes.generate`.',
        "",
        "Do not edit: change the YAML and regenerate. Each enum is the union of its list over every collection",
        "year; use :func:`careflow.codes.is_valid` to ask whether a code is valid in a given year.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from enum import StrEnum",
        "",
    ]
    names: list[str] = []
    blocks: list[list[str]] = []
    for collection in COLLECTIONS:
        for list_name in list_names(collection):
            cls = class_name(list_name, collection)
            members, field, description = _members(list_name, collection)
            names.append(cls)
            block = [
                "",
                "",
                f"class {cls}(StrEnum):",
                f'    """{collection} {list_name} ({field}): {description.rstrip(".")}."""'.replace('"""', '"""', 1),
                "",
            ]
            for name, code, label in members:
                block.extend(textwrap.wrap(label, width=104, initial_indent="    # ", subsequent_indent="    # "))
                block.append(f"    {name} = {_quote(code)}")
            blocks.append(block)
    lines.append("__all__ = [")
    lines.extend(f'    "{n}",' for n in sorted(names))
    lines.append("]")
    for block in blocks:
        lines.extend(block)
    return "\n".join(_wrap_docstrings(lines)) + "\n"


def _wrap_docstrings(lines: list[str]) -> list[str]:
    """Keep generated lines under the project's 110-character limit (ruff E501)."""
    out: list[str] = []
    for line in lines:
        if len(line) <= 110 or not line.lstrip().startswith('"""'):
            out.append(line)
            continue
        text = line.strip()[3:-3]
        words = text.split()
        current = '    """'
        for word in words:
            if len(current) + 1 + len(word) > 106:
                out.append(current.rstrip())
                current = "    " + word
            else:
                current = f"{current}{word}" if current.endswith('"""') else f"{current} {word}"
        out.append(current)
        out.append('    """')
    return out


def main(argv: list[str] | None = None) -> int:
    """Write enums.py, or with ``--check`` exit 1 if it is out of date."""
    parser = argparse.ArgumentParser(prog="python -m careflow.codes.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check that enums.py is up to date")
    args = parser.parse_args(argv)
    text = render()
    current = ENUMS_PATH.read_text(encoding="utf-8") if ENUMS_PATH.exists() else ""
    if args.check:
        if current != text:
            sys.stderr.write(f"{ENUMS_PATH} is out of date: run python -m careflow.codes.generate\n")
            return 1
        return 0
    if current != text:
        ENUMS_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
