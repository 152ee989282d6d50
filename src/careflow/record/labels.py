"""Words for people: field labels, code labels from the code lists, dates as "14 Feb 2026", money as "£180.50".

Every page and the printed chronology use these, so no field name, code or ISO date reaches the screen.

Example:
    >>> field_label("nhs_number"), field_label("supervising_social_worker_id"), field_label("weekly_funding_gbp")
    ('NHS number', 'Supervising social worker', 'Weekly funding (£)')
    >>> value_label("primary_need", "N1", dt.date(2025, 6, 1))
    'Abuse or neglect'
    >>> human_date(dt.date(2026, 2, 14))
    '14 Feb 2026'
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from careflow import codes

__all__ = ["CODED_FIELDS", "field_label", "human_date", "validation_message", "value_label", "words"]

# Coded fields and the code list (collection, name) whose codes they take.
CODED_FIELDS: dict[str, tuple[str, str]] = {
    "referral_source": ("cin", "referral_source"),
    "primary_need": ("cin", "primary_need"),
    "category_of_abuse": ("cin", "category_of_abuse"),
    "latest_category_of_abuse": ("cin", "category_of_abuse"),
    "factors": ("cin", "assessment_factors"),
    "reason_for_closure": ("cin", "reason_for_closure"),
    "placement_type": ("ssda903", "placement_type"),
    "placement_provider": ("ssda903", "placement_provider"),
    "legal_status": ("ssda903", "legal_status"),
    "reason_placement_change": ("ssda903", "reason_placement_change"),
    "reason_episode_ceased": ("ssda903", "reason_episode_ceased"),
    "participation": ("ssda903", "review_participation"),
    "sex": ("ssda903", "sex"),
    "ethnicity": ("ssda903", "ethnicity"),
    "previous_permanence": ("ssda903", "previous_permanence"),
    "reason_for_change": ("ssda903", "social_worker_change_reason"),
    "sex_of_adopters": ("ssda903", "adopter_sex"),
    "legal_status_of_adopters": ("ssda903", "adopter_legal_status"),
    "reason_adoption_decision_reversed": ("ssda903", "reason_placed_for_adoption_ceased"),
    "reason_no_score": ("ssda903", "sdq_reason"),
    "in_touch": ("ssda903", "care_leaver_in_touch"),
    "activity": ("ssda903", "care_leaver_activity"),
    "accommodation": ("ssda903", "care_leaver_accommodation"),
}

_LABELS = {
    "nhs_number": "NHS number",
    "upn": "UPN (unique pupil number)",
    "urn": "URN (Ofsted unique reference number)",
    "la_child_id": "Record number",
    "occurred_on": "Date",
    "date_of_birth": "Date of birth",
    "expected_date_of_birth": "Expected date of birth (unborn child)",
    "given_name": "Given name",
    "family_name": "Family name",
    "postcode": "Home postcode",
    "placement_postcode": "Placement postcode",
    "referral_source": "Who is worried (referral source)",
    "primary_need": "Main need",
    "factors": "Assessment factors",
    "category_of_abuse": "Category of abuse",
    "latest_category_of_abuse": "Category of abuse now",
    "user_id": "Worker",
    "advocate_id": "Advocate",
    "carer_person_id": "Carer",
    "person_id": "Person",
    "corrects_event_id": "Entry",
    "signed_off_event_id": "Entry signed off",
    "weekly_funding_gbp": "Weekly funding (£)",
    "weekly_allowance_gbp": "Weekly allowance (£)",
    "weekly_gain_gbp": "Weekly gain (£)",
    "amount_gbp": "Amount (£)",
    "is_seen_alone": "Child seen alone",
    "is_plan_continued": "Plan continues",
    "is_same_carer": "Same carer",
    "is_unaccompanied_asylum_seeking": "Unaccompanied asylum-seeking child",
    "is_immunisations_up_to_date": "Immunisations up to date",
    "is_foster_carer_adoption": "Adoption by the foster carer",
    "is_intervention_offered": "Intervention offered",
    "is_intervention_received": "Intervention received",
    "is_not_a_duplicate": "Not the same child as a record already held",
    "has_parental_responsibility": "Has parental responsibility",
    "has_legal_aid": "Legal aid",
    "has_employment_leave": "Leave from work",
    "has_peer_support": "Peer support",
    "previous_permanence_local_authority": "Local authority of the earlier order (3-digit code)",
    "previous_permanence_date": "Date of the earlier order",
    "letter_before_proceedings_on": "Letter before proceedings sent",
    "offered_on": "Meeting offered on",
    "planned_end_on": "Planned end",
    "ends_on": "Until",
    "corrected_occurred_on": "Correct date",
    "corrected_values": "Corrected values",
    "reason_no_score": "Why there is no score",
    "in_touch": "In touch",
    "accommodation": "Accommodation",
    "sex": "Sex",
    "role_on_case": "Role on the case",
    "reason_for_change": "Why the social worker changed",
    "supervising_social_worker_id": "Supervising social worker",
    "item": "Kind of support",
    "provided_by": "Who provides it",
    "recipient": "For whom",
    "possible_foster_carers": "Adults known to the child who might foster",
    "adult_services_contact": "Adult services contact",
    "parents_needs": "Parents' own needs",
    "family_relationships": "Family relationships",
    "household": "Household (who lives with the child)",
}


def words(value: str) -> str:
    """A code word as people write it: ``support_at_home`` → "Support at home"."""
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else text


def field_label(name: str) -> str:
    """A field's label for people."""
    if name in _LABELS:
        return _LABELS[name]
    text = name
    for suffix, replacement in (("_id", ""), ("_gbp", " (£)"), ("_on", " date")):
        if text.endswith(suffix):
            text = text[: -len(suffix)] + replacement
    if text.startswith("is_"):
        text = text[3:]
    return words(text)


def human_date(day: dt.date | dt.datetime | None) -> str:
    """A date as people write it: 14 Feb 2026 (empty for none)."""
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}"


def _year(day: dt.date, collection: str) -> codes.CollectionYear:
    held = codes.years(collection)
    return min(max(codes.CollectionYear.of_date(day), held[0]), held[-1])


def code_label(name: str, code: str, day: dt.date) -> str:
    """The label of ``code`` in the code list of field ``name`` (the code itself when the list lacks it)."""
    collection, list_name = CODED_FIELDS[name]
    try:
        listing = codes.code_list(list_name, _year(day, collection), collection)
    except KeyError:
        return code
    found = listing.codes.get(code)
    return found.label if found is not None else code


def value_label(name: str, value: Any, day: dt.date, people: dict[str, str] | None = None) -> str:
    """A stored value as people read it: code labels, yes/no, dates, money, names of people."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if name in CODED_FIELDS:
        if isinstance(value, list):
            return ", ".join(code_label(name, str(v), day) for v in value)
        return code_label(name, str(value), day)
    if people is not None and f"{name}:{value}" in people:
        return people[f"{name}:{value}"]
    if name.endswith("_gbp"):
        try:
            return f"£{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if isinstance(value, str):
        if name.endswith(("_on", "_date")) or name == "date_of_birth":
            try:
                return human_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if (value.replace("_", "").isalpha() and value.islower() and "_" in value) or value in (
                "plan", "none", "approved", "informal", "missing", "service"):
            return words(value)
        return value
    if isinstance(value, list):
        return ", ".join(value_label(name, v, day, people) for v in value)
    return str(value)


def _error_text(error: dict[str, Any]) -> str:
    kind, msg = str(error.get("type", "")), str(error.get("msg", ""))
    if kind == "missing" or (kind == "string_too_short" and error.get("input") in ("", None)):
        return "this is needed"
    if kind.startswith("literal"):
        return "choose one of the options"
    if kind == "extra_forbidden":
        return "is not a field of this form"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg[:1].lower() + msg[1:]


def validation_message(errors: Any) -> str:
    """Pydantic's errors as one message naming each field in words ("Reason: this is needed")."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if str(p) not in ("body", "query", "path")]
        # a tagged union puts the form's kind before the field: keep the field
        name = loc[-1] if loc else ""
        parts.append(f"{field_label(name) if name else 'Form'}: {_error_text(error)}")
    return "; ".join(parts)
