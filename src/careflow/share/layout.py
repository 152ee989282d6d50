"""The columns of ``careflow link``'s output files, which :mod:`careflow.share.mast` loads into the case record.

One definition for the writer (:mod:`careflow.share.link`) and the reader, kept in a module of its own so that
loading linkage output does not import the linkage engine (splink, DuckDB).
"""

from __future__ import annotations

__all__ = ["COMPARED", "CONTACT_COLUMNS", "LINK_COLUMNS"]

#: ``links.csv``: a partner record linked to a person of the record, how and how surely.
LINK_COLUMNS = ("agency", "source_record_id", "person_id", "match_probability", "match_weight", "method")
#: ``contacts.csv``: what the partner record says, and whom at the agency to call.
CONTACT_COLUMNS = ("agency", "source_record_id", "event_date", "event_type", "summary", "agency_contact_name",
                   "agency_contact_role", "agency_contact_phone")
#: The identifiers linkage compares; ``review_queue.csv`` holds each as ``<field>_record`` and ``<field>_person``.
COMPARED = ("first_name", "last_name", "dob", "sex", "postcode", "nhs_number", "upn")
