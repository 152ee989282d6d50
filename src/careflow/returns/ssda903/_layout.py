"""The SSDA903 tables as the DfE lays them out, and where each return field goes in the canonical tables.

This is the only place where SSDA903 field names (``DECOM``, ``RNE``, ``PL``) meet canonical column names
(``start_date``, ``reason_new_episode``, ``placement_type``). Field order is the DfE's CSV column order, as used
by the DfE's own validator (data-to-insight/csc-validator-be-903, ``lac_validator/config.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "date", "int", "flag"]

#: Pooled (regional) files add these columns; they map to the canonical provenance columns.
PROVENANCE_FIELDS: Mapping[str, tuple[str, Kind]] = {
    "LA": ("local_authority", "str"),
    "YEAR": ("collection_year", "int"),
}

#: Field names that differ in the XML return.
XML_NAMES: Mapping[str, str] = {"CHILD": "CHILDID", "PLACE": "PL"}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an SSDA903 table.

    Attributes:
        name: the return's field name (CSV column), e.g. ``DECOM``.
        column: the canonical column it fills, e.g. ``start_date``.
        kind: how its text is read: a string, a date, an integer, or a 0/1 flag.
    """

    name: str
    column: str
    kind: Kind = "str"


@dataclass(frozen=True, slots=True)
class Layout:
    """One SSDA903 table: its file, its fields in DfE order, and the canonical table it fills.

    Attributes:
        key: short name, also the CSV file stem the writer uses (``episodes``).
        table: canonical table name (``looked_after_episodes``).
        fields: the fields, in DfE column order.
        aliases: lower-case fragments of file names that hint at this table.
        in_xml: the EXPSSDA903 XML layout carries this table.
    """

    key: str
    table: str
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()
    in_xml: bool = True

    @property
    def file_name(self) -> str:
        """The CSV file name the writer uses."""
        return f"{self.key}.csv"

    @property
    def names(self) -> list[str]:
        """The field names in order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """A field by its return name, provenance fields included."""
        for f in self.fields:
            if f.name == name:
                return f
        if name in PROVENANCE_FIELDS:
            column, kind = PROVENANCE_FIELDS[name]
            return Field(name, column, kind)
        raise KeyError(name)

    def return_names(self, *, xml: bool = False) -> dict[str, str]:
        """Canonical column → the field name as the return spells it (for issue locations)."""
        out = {f.column: (XML_NAMES.get(f.name, f.name) if xml else f.name) for f in self.fields}
        out.update({column: name for name, (column, _) in PROVENANCE_FIELDS.items()})
        return out


_CHILD = Field("CHILD", "child_id")
_DOB = Field("DOB", "date_of_birth", "date")

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "header",
        "children",
        (
            _CHILD,
            Field("SEX", "sex"),
            _DOB,
            Field("ETHNIC", "ethnicity"),
            Field("UPN", "upn"),
            Field("MOTHER", "is_mother", "flag"),
            Field("MC_DOB", "mothers_child_date_of_birth", "date"),
        ),
        ("header",),
    ),
    Layout(
        "episodes",
        "looked_after_episodes",
        (
            _CHILD,
            Field("DECOM", "start_date", "date"),
            Field("RNE", "reason_new_episode"),
            Field("LS", "legal_status"),
            Field("CIN", "category_of_need"),
            Field("PLACE", "placement_type"),
            Field("PLACE_PROVIDER", "placement_provider"),
            Field("DEC", "end_date", "date"),
            Field("REC", "reason_episode_ceased"),
            Field("REASON_PLACE_CHANGE", "reason_placement_change"),
            Field("HOME_POST", "home_postcode"),
            Field("PL_POST", "placement_postcode"),
            Field("URN", "urn"),
        ),
        ("episodes", "episode"),
    ),
    Layout(
        "uasc",
        "uasc",
        (_CHILD, Field("SEX", "sex"), _DOB, Field("DUC", "date_uasc_ceased", "date")),
        ("uasc",),
    ),
    Layout(
        "reviews",
        "looked_after_reviews",
        (_CHILD, _DOB, Field("REVIEW", "review_date", "date"), Field("REVIEW_CODE", "participation")),
        ("reviews", "review"),
    ),
    Layout(
        "oc2",
        "looked_after_outcomes",
        (
            _CHILD,
            _DOB,
            Field("SDQ_SCORE", "sdq_score", "int"),
            Field("SDQ_REASON", "sdq_reason"),
            Field("CONVICTED", "is_convicted", "flag"),
            Field("HEALTH_CHECK", "has_health_check", "flag"),
            Field("IMMUNISATIONS", "has_immunisations", "flag"),
            Field("TEETH_CHECK", "has_teeth_check", "flag"),
            Field("HEALTH_ASSESSMENT", "has_health_assessment", "flag"),
            Field("SUBSTANCE_MISUSE", "has_substance_misuse", "flag"),
            Field("INTERVENTION_RECEIVED", "is_intervention_received", "flag"),
            Field("INTERVENTION_OFFERED", "is_intervention_offered", "flag"),
        ),
        ("oc2",),
    ),
    Layout(
        "oc3",
        "care_leavers",
        (_CHILD, _DOB, Field("IN_TOUCH", "in_touch"), Field("ACTIV", "activity"), Field("ACCOM", "accommodation")),
        ("oc3",),
    ),
    Layout(
        "ad1",
        "adoptions",
        (
            _CHILD,
            _DOB,
            Field("DATE_INT", "date_decision_to_place", "date"),
            Field("DATE_MATCH", "date_matched", "date"),
            Field("FOSTER_CARE", "is_foster_care_adoption", "flag"),
            Field("NB_ADOPTR", "number_of_adopters", "int"),
            Field("SEX_ADOPTR", "sex_of_adopters"),
            Field("LS_ADOPTR", "legal_status_of_adopters"),
        ),
        ("ad1",),
    ),
    Layout(
        "placed_for_adoption",
        "placed_for_adoption",
        (
            _CHILD,
            _DOB,
            Field("DATE_PLACED", "date_placed", "date"),
            Field("DATE_PLACED_CEASED", "date_placed_ceased", "date"),
            Field("REASON_PLACED_CEASED", "reason_placed_ceased"),
        ),
        ("placed_for_adoption", "placedadoption", "placed"),
    ),
    Layout(
        "previous_permanence",
        "previous_permanence",
        (
            _CHILD,
            _DOB,
            Field("PREV_PERM", "previous_permanence"),
            Field("LA_PERM", "la_of_permanence"),
            # Kept as text: the DfE allows a partial date ('zz/MM/YYYY') when the day is not known.
            Field("DATE_PERM", "date_of_permanence"),
        ),
        ("previous_permanence", "prevperm", "prev_perm", "permanence"),
    ),
    Layout(
        "missing",
        "missing_episodes",
        (
            _CHILD,
            _DOB,
            Field("MISSING", "missing_type"),
            Field("MIS_START", "start_date", "date"),
            Field("MIS_END", "end_date", "date"),
        ),
        ("missing",),
    ),
    Layout(
        "sw_episodes",
        "social_worker_episodes",
        (
            _CHILD,
            _DOB,
            Field("SW_ID", "social_worker_id"),
            Field("SW_DECOM", "start_date", "date"),
            Field("SW_DEC", "end_date", "date"),
            Field("SW_REASON", "reason"),
        ),
        ("sw_episodes", "swepisodes", "social_worker"),
        in_xml=False,
    ),
    Layout(
        "DoLo",
        "deprivation_of_liberty",
        (_CHILD, _DOB, Field("DOLO_START", "start_date", "date"), Field("DOLO_END", "end_date", "date")),
        ("dolo", "deprivation"),
        in_xml=False,
    ),
)

BY_KEY: Mapping[str, Layout] = {layout.key: layout for layout in LAYOUTS}
BY_TABLE: Mapping[str, Layout] = {layout.table: layout for layout in LAYOUTS}

#: The tables the writer always writes, even when empty.
ALWAYS_WRITTEN: tuple[str, ...] = ("header", "episodes")
