"""Code health: every list carries what an analyst needs, and the enums match the data."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from careflow.codes import (
    COLLECTIONS,
    CodeList,
    code_list,
    enums,
    is_valid,
    list_names,
    replaced_by,
    valid_years,
    years,
)
from careflow.codes.generate import ENUMS_PATH, class_name, render
from careflow.errors import UnknownCodeListError


def all_lists() -> list[CodeList]:
    found = []
    for collection in COLLECTIONS:
        for year in years(collection):
            for name in list_names(collection):
                try:
                    found.append(code_list(name, year, collection))
                except UnknownCodeListError:
                    continue
    return found


LISTS = all_lists()


def test_every_list_has_field_description_and_reference() -> None:
    for lst in LISTS:
        where = f"{lst.collection} {lst.year.label} {lst.name}"
        assert lst.field.strip(), where
        assert len(lst.description) > 10, where
        assert lst.reference is not None and lst.reference.title, where
        assert lst.reference.url, where


def test_every_code_has_a_name_and_label() -> None:
    for lst in LISTS:
        for code in lst:
            assert code.name and code.name.isupper(), (lst.name, code.code)
            assert code.label.strip(), (lst.name, code.code)
            assert code.label != code.code, (lst.name, code.code)


def test_retired_codes_were_valid_before() -> None:
    for lst in LISTS:
        for code, replacements in lst.retired.items():
            earlier = [y for y in valid_years(lst.name, code, lst.collection) if y < lst.year]
            assert earlier, f"{lst.collection} {lst.name}: {code} retired in {lst.year.label} but never valid"
            assert all(r in lst for r in replacements)


def test_a_dropped_code_is_recorded_as_retired() -> None:
    """A code valid in one year and gone the next must say so (under retired) in the later year."""
    for collection in COLLECTIONS:
        held = years(collection)
        for before, after in itertools.pairwise(held):
            for name in list_names(collection):
                try:
                    old, new = code_list(name, before, collection), code_list(name, after, collection)
                except UnknownCodeListError:
                    continue
                dropped = set(old.codes) - set(new.codes)
                assert dropped <= set(new.retired), f"{collection} {name} {after.label}: {dropped - set(new.retired)}"


def test_enums_are_up_to_date() -> None:
    assert ENUMS_PATH.read_text(encoding="utf-8") == render(), (
        "careflow/codes/enums.py is out of date: run python -m careflow.codes.generate"
    )


def test_enums_cover_every_code_of_every_year() -> None:
    for lst in LISTS:
        enum = getattr(enums, class_name(lst.name, lst.collection))
        values = {member.value for member in enum}
        assert set(lst.codes) <= values
        assert set(lst.retired) <= values


def test_readable_enum_names() -> None:
    assert enums.LegalStatus.INTERIM_CARE_ORDER == "C1"
    assert enums.PlacementType.FOSTER_RELATIVE_FRIEND_LONG_TERM == "U1"
    assert enums.PlacementType.REGISTERED_SUPPORTED_ACCOMMODATION == "K3"
    assert enums.Sex.MALE == "M"
    assert enums.Sex.MALE_1 == "1"  # the pre-2024-25 code keeps a member, suffixed with its code
    assert enums.CinSex.NOT_RECORDED_OR_UNBORN == "0"
    assert enums.PrimaryNeed.NOT_STATED == "N0"
    assert class_name("sex", "cin") == "CinSex"
    assert class_name("primary_need", "cin") == "PrimaryNeed"


list_and_year = st.sampled_from([(lst.collection, lst.name, lst.year) for lst in LISTS])


@settings(max_examples=200)
@given(list_and_year, st.data())
def test_every_valid_code_is_in_its_years_list(key: tuple[str, str, object], data: st.DataObject) -> None:
    collection, name, year = key
    lst = code_list(name, year, collection)  # type: ignore[arg-type]
    code = data.draw(st.sampled_from(sorted(lst.codes)))
    assert is_valid(name, code, year, collection)  # type: ignore[arg-type]
    assert code in code_list(name, year, collection)  # type: ignore[arg-type]
    assert year in valid_years(name, code, collection)
    for replacement in replaced_by(name, code, collection):  # a replacement is valid somewhere after it
        assert max(valid_years(name, replacement, collection)) > lst.year


@given(st.text(min_size=1, max_size=6))
def test_random_text_is_valid_only_if_listed(text: str) -> None:
    for year in years("ssda903"):
        assert is_valid("legal_status", text, year) == (text in code_list("legal_status", year).codes)
