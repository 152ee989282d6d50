"""Loading the code lists, the API over them, and real year-to-year changes."""

from __future__ import annotations

import pytest

import careflow.codes as codes
from careflow.codes import CollectionYear, code_list, explain, is_valid, replaced_by, valid_years
from careflow.errors import CodeListError, UnknownCodeListError

SSDA903_LISTS = [
    "reason_new_episode",
    "legal_status",
    "placement_type",
    "placement_provider",
    "reason_episode_ceased",
    "reason_placement_change",
    "category_of_need",
    "sex",
    "ethnicity",
    "review_participation",
    "missing_type",
    "care_leaver_in_touch",
    "care_leaver_activity",
    "care_leaver_accommodation",
    "previous_permanence",
    "sdq_reason",
    "adopter_sex",
    "adopter_legal_status",
    "reason_placed_for_adoption_ceased",
    "social_worker_change_reason",
]
CIN_LISTS = [
    "sex",
    "ethnicity",
    "disability",
    "referral_source",
    "primary_need",
    "assessment_factors",
    "category_of_abuse",
    "reason_for_closure",
    "upn_unknown",
]


@pytest.mark.parametrize("collection", ["ssda903", "cin"])
def test_every_year_2021_22_to_2025_26_loads(collection: str) -> None:
    labels = [y.label for y in codes.years(collection)]
    for label in ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]:
        assert label in labels
    for year in codes.years(collection):
        for name in codes.list_names(collection):
            try:
                lst = code_list(name, year, collection)
            except UnknownCodeListError:
                continue  # a list that did not exist that year (e.g. social worker reasons before 2023-24)
            assert lst.year == year
            assert lst.collection == collection
            assert len(lst) > 0


def test_expected_list_names() -> None:
    assert set(SSDA903_LISTS) <= set(codes.list_names("ssda903"))
    assert set(CIN_LISTS) <= set(codes.list_names("cin"))


def test_lookup_and_labels() -> None:
    legal_status = code_list("legal_status", "2024-25")
    assert "C1" in legal_status
    assert "Z9" not in legal_status
    assert legal_status.label("C1") == "Interim care order"
    assert legal_status.field == "LS"
    assert legal_status.codes["C1"].name == "INTERIM_CARE_ORDER"
    with pytest.raises(CodeListError, match="not a legal_status code in 2024-25"):
        legal_status.label("Z9")


def test_unknown_name_suggests_the_nearest() -> None:
    with pytest.raises(UnknownCodeListError, match="Did you mean 'legal_status'"):
        code_list("legal_stat", 2025)
    with pytest.raises(KeyError):  # callers catching KeyError keep working
        code_list("placement_typ", 2025)


def test_unknown_year_and_collection() -> None:
    with pytest.raises(UnknownCodeListError, match="2010-11"):
        code_list("legal_status", "2010-11")
    with pytest.raises(UnknownCodeListError, match="Did you mean 'cin'"):
        code_list("sex", 2025, collection="cinn")


def test_list_absent_in_a_year_says_when_it_exists() -> None:
    with pytest.raises(UnknownCodeListError, match="2023-24"):
        code_list("social_worker_change_reason", "2022-23")
    assert is_valid("social_worker_change_reason", "MANAGE", "2022-23") is False
    assert is_valid("social_worker_change_reason", "MANAGE", "2023-24") is True


def test_ssda903_sex_changed_in_2024_25() -> None:
    assert is_valid("sex", "1", "2023-24")
    assert is_valid("sex", 2, "2023-24")
    assert not is_valid("sex", "M", "2023-24")
    assert is_valid("sex", "M", "2024-25")
    assert not is_valid("sex", "1", "2024-25")
    assert replaced_by("sex", "1") == ("M",)
    assert replaced_by("sex", "2") == ("F",)
    assert [y.label for y in valid_years("sex", "1")] == ["2021-22", "2022-23", "2023-24"]


def test_cin_sex_changed_in_2024_25() -> None:
    assert is_valid("sex", "9", "2023-24", collection="cin")
    assert not is_valid("sex", "9", "2024-25", collection="cin")
    assert replaced_by("sex", "0", collection="cin") == ("U",)
    assert code_list("sex", "2024-25", "cin").field == "Sex"
    assert code_list("sex", "2023-24", "cin").field == "GenderCurrent"


def test_placement_codes_2025_26() -> None:
    assert is_valid("placement_type", "H5", "2024-25")
    assert not is_valid("placement_type", "H5", "2025-26")
    assert replaced_by("placement_type", "H5") == ("K3",)
    assert replaced_by("placement_type", "Z1") == ("Z11", "Z12", "Z13", "Z14")
    assert replaced_by("placement_type", "P2") == ()
    assert is_valid("placement_type", "K3", "2025-26")
    assert is_valid("placement_type", "Z12", "2025-26")
    assert not is_valid("placement_type", "Z12", "2024-25")
    assert is_valid("placement_type", "R5", "2025-26")  # young offender institution is still a placement type
    assert replaced_by("placement_type", "U1") == ()


def test_cin_rc9_from_2022_23() -> None:
    assert not is_valid("reason_for_closure", "RC9", "2021-22", "cin")
    assert is_valid("reason_for_closure", "RC9", "2022-23", "cin")


def test_explain_retired_code() -> None:
    message = explain("placement_type", "H5", "2025-26")
    assert message is not None
    assert message.startswith(
        "'H5' is not a valid placement_type in 2025-26 (valid 2021-22 to 2024-25; replaced by K3)"
    )
    z1 = explain("placement_type", "Z1", 2026)
    assert z1 is not None and "replaced by Z11, Z12, Z13, Z14" in z1
    p2 = explain("placement_type", "P2", 2026)
    assert p2 is not None and "retired, no replacement" in p2


def test_explain_code_before_it_existed() -> None:
    assert explain("placement_type", "Z11", "2024-25") == (
        "'Z11' is not a valid placement_type in 2024-25 (valid 2025-26; introduced in 2025-26)"
    )


def test_explain_never_valid_and_valid() -> None:
    assert explain("placement_type", "U1", "2025-26") is None
    message = explain("placement_type", "ZZ", "2025-26")
    assert message is not None
    assert message.startswith("'ZZ' is not a placement_type code in any year (expected one of A3, A4, ")


def test_is_valid_is_exact() -> None:
    assert not is_valid("legal_status", "c1", 2025)
    assert not is_valid("legal_status", " C1", 2025)


def test_yaml_reads_numeric_codes_as_text() -> None:
    activity = code_list("care_leaver_activity", "2023-24")
    assert "0" in activity
    assert 0 in activity
    assert is_valid("referral_source", "10", "2023-24", "cin")


def test_code_lists_are_cached() -> None:
    assert code_list("legal_status", 2025) is code_list("legal_status", "2024-25")


def test_years_are_collection_years() -> None:
    assert all(isinstance(y, CollectionYear) for y in codes.years())
    assert codes.years() == sorted(codes.years())
