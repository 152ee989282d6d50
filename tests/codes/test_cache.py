"""Parsed code lists are kept beside their YAML (like bytecode) and read again whenever the YAML changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from careflow import codes
from careflow.codes import _parse_cached
from careflow.codes._model import parse_file
from careflow.errors import CodeListError

SOURCE = codes.DATA_DIR / "ssda903" / "2024-25.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "ssda903"
    folder.mkdir()
    return Path(shutil.copy(SOURCE, folder / SOURCE.name))


def test_cached_equals_parsed_and_is_reused(copy: Path) -> None:
    first = _parse_cached(copy)
    assert first == parse_file(copy)
    kept = list((copy.parent / "__pycache__").glob("2024-25.*.pickle"))
    assert len(kept) == 1
    again = _parse_cached(copy)
    assert again == first and again is not first  # read back from the cache, the same lists


def test_a_changed_file_is_read_again(copy: Path) -> None:
    before = _parse_cached(copy)
    text = copy.read_text(encoding="utf-8")
    assert "Interim care order" in text
    copy.write_text(text.replace("Interim care order", "Interim care order (edited)"), encoding="utf-8")
    after = _parse_cached(copy)
    assert after != before
    assert after.lists["legal_status"].label("C1") == "Interim care order (edited)"
    assert len(list((copy.parent / "__pycache__").glob("2024-25.*.pickle"))) == 1  # the stale one is gone


def test_a_broken_file_is_still_an_error(copy: Path) -> None:
    _parse_cached(copy)
    copy.write_text("collection: ssda903\nyear: [", encoding="utf-8")
    with pytest.raises(CodeListError, match="not valid YAML"):
        _parse_cached(copy)


def test_a_damaged_cache_is_ignored(copy: Path) -> None:
    good = _parse_cached(copy)
    for kept in (copy.parent / "__pycache__").glob("*.pickle"):
        kept.write_bytes(b"not a pickle")
    assert _parse_cached(copy) == good


def test_an_unwritable_folder_still_reads(copy: Path) -> None:
    (copy.parent / "__pycache__").write_text("a file where the cache folder would be")
    assert _parse_cached(copy) == parse_file(copy)
