"""The strict schema: every bad file is paired with the message it must produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from careflow.codes._model import parse_file
from careflow.errors import CodeListError

GOOD = """\
collection: ssda903
year: 2024-25
valid_from: 2024-04-01
reference:
  title: Children looked after return 2024 to 2025 guide
  url: https://www.gov.uk/
lists:
  legal_status:
    field: LS
    description: Legal status.
    codes:
      C1: {name: INTERIM_CARE_ORDER, label: Interim care order}
      C2: {name: FULL_CARE_ORDER, label: Full care order}
    retired:
      X9: {replaced_by: [C1], note: An invented retired code.}
"""


def write(tmp_path: Path, text: str, name: str = "2024-25.yaml", folder: str = "ssda903") -> Path:
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_parses(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, GOOD))
    lst = parsed.lists["legal_status"]
    assert lst.retired == {"X9": ("C1",)}
    assert lst.retired_notes == {"X9": "An invented retired code."}
    assert str(lst.reference) == "Children looked after return 2024 to 2025 guide (https://www.gov.uk/)"


BAD = [
    (GOOD.replace("valid_from:", "colour: blue\nvalid_from:"), "unknown key(s) colour"),
    (GOOD.replace("    field: LS\n", "    field: LS\n    unit: code\n"), "lists.legal_status: unknown key(s) unit"),
    (
        GOOD.replace("label: Interim care order}", "label: Interim care order, colour: red}"),
        "lists.legal_status.codes.C1: unknown key(s) colour",
    ),
    (GOOD.replace("note: An invented", "why: An invented"), "lists.legal_status.retired.X9: unknown key(s) why"),
    (GOOD.replace("  url: https://www.gov.uk/\n", "  url: https://www.gov.uk/\n  page: 3\n"), "unknown key(s) page"),
    (GOOD.replace("    field: LS\n", ""), "missing key(s) field"),
    (GOOD.replace("year: 2024-25", "year: 2023-24"), "does not match the file name"),
    (GOOD.replace("collection: ssda903", "collection: cin"), "does not match its folder"),
    (GOOD.replace("valid_from: 2024-04-01", "valid_from: April"), "expected a date"),
    (GOOD.replace("name: INTERIM_CARE_ORDER", "name: Interim care order"), "not an UPPER_SNAKE_CASE name"),
    (GOOD.replace("name: FULL_CARE_ORDER", "name: INTERIM_CARE_ORDER"), "already the name of 'C1'"),
    (GOOD.replace("X9: {replaced_by", "C2: {replaced_by"), "retired but still listed under codes"),
    (GOOD.replace("replaced_by: [C1]", "replaced_by: [C7]"), "C7 not valid this year"),
    (GOOD.replace("  legal_status:", "  LegalStatus:"), "spelled-out snake_case"),
    (GOOD.replace("label: Full care order", "label: ''"), "expected non-empty text"),
    ("lists: [\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_files_are_rejected_with_a_message(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CodeListError) as raised:
        parse_file(write(tmp_path, text))
    assert message in str(raised.value)
    assert "2024-25.yaml" in str(raised.value)
