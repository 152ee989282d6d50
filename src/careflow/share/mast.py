"""The multi-agency safeguarding tracker's data: partner records linked to the record's people, loaded from a
``careflow link`` output folder, and the queries the MAST view runs (``002_880cb965cd4cce85.txt:1790-1822``).

The record keeps only what the view needs (``docs/ARCHITECTURE.md``: ``share`` stores no other agency data beyond
that): the partner records that were linked to a person of the record (a child, or a family member in a child's
network), each as one contact (date, kind, one-line summary, who to call in the agency) with how it was linked.
Who may see what is decided elsewhere: :mod:`careflow.record.services.mast` applies access, allocation and the
sharing rules (:mod:`careflow.share.rules`) and audits every view.

People in ``links.csv`` are named as the record's people frame names them (:func:`people_frame`): a child by their
record id (``"123"``), a family member by ``"person-<id>"`` (their id in the record's ``people`` table).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import CompoundSelect, Select, delete, exists, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from careflow.errors import CareflowError
from careflow.record import audit
from careflow.record.audit import SYSTEM, Actor
from careflow.record.models import (
    AuditChain,
    Child,
    PartnerLink,
    PartnerLoad,
    PartnerRecord,
    PartnerReview,
    PartnerReviewDecision,
    Person,
    Relationship,
    User,
)
from careflow.share.layout import COMPARED as COMPARED_FIELDS
from careflow.share.layout import CONTACT_COLUMNS, LINK_COLUMNS

if TYPE_CHECKING:
    import polars as pl

__all__ = ["COMPARED_FIELDS", "CONTACT_COLUMNS", "LINK_COLUMNS", "LINK_METHODS", "LinkedContact", "LoadResult",
           "PartnerLinkError", "agency_counts_by_child", "decided_items", "family_people", "linked_contacts",
           "load_linked", "people_frame", "person_key", "review_counts"]

LINK_METHODS = frozenset({"nhs_number", "probabilistic", "clerical"})
_CHILD_KEY = re.compile(r"^\d{1,18}$")
_PERSON_KEY = re.compile(r"^person-(\d{1,18})$")
_BATCH = 5000


class PartnerLinkError(CareflowError, ValueError):
    """A ``careflow link`` output folder cannot be loaded at all (a file missing, a header wrong)."""


def person_key(*, child_id: int | None = None, person_id: int | None = None) -> str:
    """How the record names a person to ``careflow link``: a child by record id, a family member by person id.

    >>> person_key(child_id=12), person_key(person_id=40)
    ('12', 'person-40')
    """
    if child_id is not None:
        return str(child_id)
    return f"person-{person_id}"


@dataclass
class LoadResult:
    """What a load kept and what it left out (every problem names the file, row and field)."""

    load_id: int
    records: int
    links: int
    people: int
    by_agency: dict[str, int]
    reviews: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def left_out(self) -> int:
        """How many rows were kept out of the record (each has a problem)."""
        return len(self.problems)


def _read_csv(path: Path, columns: Sequence[str]) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """Rows of ``path`` (row number counting the header as row 1) and its SHA-256; the header must hold the
    interface's columns (others are refused by name, so a changed layout is never half read)."""
    if not path.exists():
        raise PartnerLinkError(f"{path}: missing (careflow link --out writes it)")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PartnerLinkError(f"{path}: not UTF-8 (byte {exc.start}); careflow link writes UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    header = list(reader.fieldnames or [])
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise PartnerLinkError(f"{path}: {'; '.join(parts)} (expected {', '.join(columns)})")
    return [(number, row) for number, row in enumerate(reader, start=2)], digest


def _resolve_people(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The record's person id of each key that names a child or a family member in a child's network."""
    child_ids = {int(k) for k in keys if _CHILD_KEY.match(k)}
    person_ids = {int(m.group(1)) for k in keys if (m := _PERSON_KEY.match(k))}
    out: dict[str, int] = {}
    for start in range(0, len(child_ids), _BATCH):
        chunk = sorted(child_ids)[start:start + _BATCH]
        for cid, pid in session.execute(select(Child.id, Child.person_id).where(Child.id.in_(chunk))):
            out[str(cid)] = int(pid)
    for start in range(0, len(person_ids), _BATCH):
        chunk = sorted(person_ids)[start:start + _BATCH]
        for (pid,) in session.execute(select(Relationship.person_id).where(Relationship.person_id.in_(chunk))
                                      .distinct()):
            out[f"person-{pid}"] = int(pid)
    return out


def _number(text: str, *, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def _parse_links(rows: list[tuple[int, dict[str, str]]], people: dict[str, int],
                 problems: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in rows:
        where = f"links.csv row {number}"
        key = (row["agency"].strip(), row["source_record_id"].strip())
        if not key[0] or not key[1]:
            problems.append(f"{where}, agency/source_record_id: empty; the link is left out")
            continue
        if len(key[0]) > 40 or len(key[1]) > 80:
            problems.append(f"{where}, agency/source_record_id: longer than 40/80 characters; the link is left out")
            continue
        person = people.get(row["person_id"].strip())
        if person is None:
            problems.append(f"{where}, person_id: {row['person_id'].strip()[:40]!r} is not a child's record id nor "
                            "a family member (person-<id>) in the record; the link is left out")
            continue
        probability = _number(row["match_probability"], low=0.0, high=1.0)
        if probability is None:
            problems.append(f"{where}, match_probability: {row['match_probability'][:20]!r} is not a number from "
                            "0 to 1; the link is left out")
            continue
        weight_text = row["match_weight"].strip()
        try:  # an NHS-number match may carry an infinite weight (certain); never NaN
            weight = float(weight_text) if weight_text else None
        except ValueError:
            weight = math.nan
        if weight is not None and math.isnan(weight):
            problems.append(f"{where}, match_weight: {weight_text[:20]!r} is not a number; the link is left out")
            continue
        method = row["method"].strip()
        if method not in LINK_METHODS:
            problems.append(f"{where}, method: {method[:20]!r} is not one of {', '.join(sorted(LINK_METHODS))}; "
                            "the link is left out")
            continue
        if key in links:
            problems.append(f"{where}: {key[0]} record {key[1]} is linked twice (row {links[key]['row']} too); "
                            "both are left out")
            links[key]["duplicate"] = True
            continue
        links[key] = {"row": number, "person_id": person, "match_probability": probability,
                      "match_weight": weight, "method": method}
    return {k: v for k, v in links.items() if not v.get("duplicate")}


def _parse_contacts(rows: list[tuple[int, dict[str, str]]], links: dict[tuple[str, str], dict[str, Any]],
                    problems: list[str], queued: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    contacts: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in rows:
        key = (row["agency"].strip(), row["source_record_id"].strip())
        if key not in links and key not in queued:
            continue  # neither linked to anyone in the record nor awaiting review: the record keeps none of it
        where = f"contacts.csv row {number}"
        try:
            day = dt.date.fromisoformat(row["event_date"].strip())
        except ValueError:
            problems.append(f"{where}, event_date: {row['event_date'][:20]!r} is not a date (expected YYYY-MM-DD); "
                            f"{key[0]} record {key[1]} is left out")
            continue
        kind = row["event_type"].strip()
        if not kind:
            problems.append(f"{where}, event_type: empty; {key[0]} record {key[1]} is left out")
            continue
        if key in contacts:
            problems.append(f"{where}: {key[0]} record {key[1]} appears twice (row {contacts[key]['row']} too); "
                            "the first is kept")
            continue
        contacts[key] = {"row": number, "agency": key[0], "source_record_id": key[1], "event_date": day,
                         "event_type": kind[:80], "summary": row["summary"].strip() or None,
                         "contact_name": row["agency_contact_name"].strip()[:120] or None,
                         "contact_role": row["agency_contact_role"].strip()[:120] or None,
                         "contact_phone": row["agency_contact_phone"].strip()[:40] or None}
    for key, link in links.items():
        if key not in contacts and not any(p.endswith(f"{key[0]} record {key[1]} is left out") for p in problems):
            problems.append(f"links.csv row {link['row']}: {key[0]} record {key[1]} is not in contacts.csv; the link "
                            "is left out")
    return contacts


def _read_reviews(session: Session, path: Path, problems: list[str]) -> list[dict[str, Any]]:
    """The review queue's candidates for people of the record (agency, record id, probability, reason, and the
    partner record's compared identifiers for the reviewer). A missing queue is an empty one."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    try:
        reader = csv.DictReader(raw.decode("utf-8-sig").splitlines())
    except UnicodeDecodeError as exc:
        raise PartnerLinkError(f"{path}: not UTF-8 (byte {exc.start}); careflow link writes UTF-8") from None
    missing = [c for c in (*LINK_COLUMNS, "reason") if c not in (reader.fieldnames or [])]
    if missing:
        raise PartnerLinkError(f"{path}: missing column(s) {', '.join(missing)}")
    rows = list(enumerate(reader, start=2))
    people = _resolve_people(session, {row["person_id"].strip() for _, row in rows})
    out = []
    for number, row in rows:
        where = f"review_queue.csv row {number}"
        agency, record = row["agency"].strip(), row["source_record_id"].strip()
        person = people.get(row["person_id"].strip())
        probability = _number(row["match_probability"], low=0.0, high=1.0)
        if person is None:
            problems.append(f"{where}, person_id: {row['person_id'].strip()[:40]!r} is not a child's record id nor a "
                            "family member (person-<id>) in the record; the candidate is left out")
        elif probability is None:
            problems.append(f"{where}, match_probability: {row['match_probability'][:20]!r} is not a number from 0 "
                            "to 1; the candidate is left out")
        elif not agency or not record or len(agency) > 40 or len(record) > 80:
            problems.append(f"{where}, agency/source_record_id: empty or too long; the candidate is left out")
        else:
            compared = {f: (row.get(f"{f}_record") or "").strip()[:120] for f in COMPARED_FIELDS
                        if f"{f}_record" in row}
            out.append({"person_id": person, "agency": agency, "source_record_id": record,
                        "match_probability": probability, "reason": (row["reason"] or "").strip()[:200] or None,
                        "compared": compared})
    return out


def decided_items() -> Any:
    """A SQL condition true for a queued candidate (a :class:`PartnerReview` row) whose partner record a reviewer
    has decided: such a record has left the queue, whichever load put it there."""
    return exists(select(PartnerReviewDecision.id).where(
        PartnerReviewDecision.agency == PartnerReview.agency,
        PartnerReviewDecision.source_record_id == PartnerReview.source_record_id))


def review_counts(session: Session, person_ids: Sequence[int]) -> dict[str, int]:
    """How many partner records awaiting clerical review (not yet decided) may be one of ``person_ids``, by
    agency."""
    if not person_ids:
        return {}
    return {str(agency): int(n) for agency, n in session.execute(
        select(PartnerReview.agency, func.count(func.distinct(PartnerReview.source_record_id)))
        .where(PartnerReview.person_id.in_(list(person_ids)), ~decided_items()).group_by(PartnerReview.agency))}


def _latest_decisions(session: Session) -> dict[tuple[str, str], PartnerReviewDecision]:
    """Each decided partner record's latest decision."""
    out: dict[tuple[str, str], PartnerReviewDecision] = {}
    for d in session.scalars(select(PartnerReviewDecision).order_by(PartnerReviewDecision.sequence)):
        out[(d.agency, d.source_record_id)] = d
    return out


def load_linked(session: Session, link_dir: Path | str, *, actor: Actor = SYSTEM,
                audit_chains: int | None = None) -> LoadResult:
    """Put ``links.csv`` and ``contacts.csv`` of a ``careflow link`` output folder into the record's partner tables,
    replacing the partner data held before (a link run is the whole current picture), in the session's transaction,
    with one audit entry (the files' SHA-256, what was kept and what was left out).

    Rows that cannot be used (a person not in the record, a bad date or probability, a method not known, a record
    linked twice) are left out and each is named in :attr:`LoadResult.problems` (file, row, field); nothing is
    dropped silently. Partner records linked to nobody in the record are not kept, except those in the clerical review
    queue (or confirmed by a reviewer before): they are kept unlinked, and shown only once a reviewer links them.
    Reviewers' decisions (:class:`~careflow.record.models.PartnerReviewDecision`) are never replaced: a record
    confirmed before is linked again ("clerical", naming the decision) and a rejected one stays out of the queue.

    Raises:
        PartnerLinkError: a file is missing or its columns are not the interface's.
    """
    folder = Path(link_dir)
    link_rows, links_sha = _read_csv(folder / "links.csv", LINK_COLUMNS)
    contact_rows, contacts_sha = _read_csv(folder / "contacts.csv", CONTACT_COLUMNS)
    problems: list[str] = []
    people = _resolve_people(session, {row["person_id"].strip() for _, row in link_rows})
    links = _parse_links(link_rows, people, problems)
    reviews = _read_reviews(session, folder / "review_queue.csv", problems)
    decisions = _latest_decisions(session)
    confirmed = {k: d for k, d in decisions.items() if d.decision == "confirmed" and d.person_id is not None}
    # Records awaiting review, or confirmed by a reviewer before, are kept too (not shown unless linked), so that a
    # confirmation links the record's contact at once and a reload keeps it linked.
    queued = {(r["agency"], r["source_record_id"]) for r in reviews} | set(confirmed)
    contacts = _parse_contacts(contact_rows, links, problems, queued - set(links))
    quality: dict[str, Any] = {}
    if (folder / "quality.json").exists():
        import json

        try:
            quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"quality.json: not JSON ({exc}); the link quality is not shown")
    session.execute(delete(PartnerLink))
    session.execute(delete(PartnerRecord))
    session.execute(delete(PartnerReview))
    load = PartnerLoad(loaded_at=dt.datetime.now(dt.UTC), source=str(folder.resolve())[:500],
                       files={"links.csv": links_sha, "contacts.csv": contacts_sha}, counts={}, quality=quality)
    session.add(load)
    session.flush()
    # Each person's records side by side on disk: the MAST view then reads a person's few records from one or
    # two pages rather than one page each (benchmarks/bench_mast.py).
    kept = sorted((c for k, c in contacts.items() if k in links),
                  key=lambda c: (links[(c["agency"], c["source_record_id"])]["person_id"], c["event_date"]))
    links_kept = list(kept)
    kept += [c for k, c in contacts.items() if k not in links]
    for start in range(0, len(kept), _BATCH):
        session.execute(insert(PartnerRecord), [{k: v for k, v in c.items() if k != "row"} | {"load_id": load.id}
                                                for c in kept[start:start + _BATCH]])
    ids = {(a, s): i for i, a, s in session.execute(
        select(PartnerRecord.id, PartnerRecord.agency, PartnerRecord.source_record_id)
        .where(PartnerRecord.load_id == load.id))}
    rows = [{"load_id": load.id, "record_id": ids[key], "person_id": link["person_id"], "method": link["method"],
             "match_probability": link["match_probability"], "match_weight": link["match_weight"],
             "event_date": contacts[key]["event_date"]}
            for key, link in links.items() if key in contacts]
    # A reviewer's confirmation outlives the load: the record is linked again as they decided, unless careflow link
    # now links it itself.
    queued_probability = {(r["agency"], r["source_record_id"], r["person_id"]): r["match_probability"]
                          for r in reviews}
    relinked = [{"load_id": load.id, "record_id": ids[key], "person_id": d.person_id, "method": "clerical",
                 "match_probability": queued_probability.get((*key, d.person_id), 1.0), "match_weight": None,
                 "event_date": contacts[key]["event_date"],
                 "decision_id": d.id}
                for key, d in confirmed.items() if key in contacts and key not in links]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(PartnerLink), rows[start:start + _BATCH])
    if relinked:
        session.execute(insert(PartnerLink), relinked)
    for start in range(0, len(reviews), _BATCH):
        session.execute(insert(PartnerReview), [r | {"load_id": load.id} for r in reviews[start:start + _BATCH]])
    by_agency = dict(sorted(Counter(key[0] for key in links if key in contacts).items()))
    linked_people = len({r["person_id"] for r in rows})
    load.counts = {"records": len(links_kept), "links": len(rows), "people": linked_people, "by_agency": by_agency,
                   "awaiting_review": len(reviews), "left_out": len(problems), "problems": problems[:200]}
    chains = audit_chains or int(session.scalar(select(func.count()).select_from(AuditChain)) or 1)
    audit.append(session, actor, "import", chains=chains, entity="partner_links", entity_id=load.id,
                 detail={"links_sha256": links_sha, "contacts_sha256": contacts_sha, "records": len(links_kept),
                         "links": len(rows), "awaiting_review": len(reviews), "left_out": len(problems),
                         "relinked_by_review": len(relinked)})
    return LoadResult(load.id, len(links_kept), len(rows), linked_people, by_agency, reviews=len(reviews),
                      problems=problems)


# --- the queries the MAST view runs ---------------------------------------------------------------------------


def family_people(session: Session, child: Child) -> dict[int, tuple[str, str]]:
    """The child's person and the people in their network: person id -> (name, relationship)."""
    out = {child.person_id: (f"{child.person.given_name} {child.person.family_name}", "child")}
    for pid, given, family, kind in session.execute(
        select(Person.id, Person.given_name, Person.family_name, Relationship.kind)
        .join(Relationship, Relationship.person_id == Person.id).where(Relationship.child_id == child.id)
    ):
        out.setdefault(int(pid), (f"{given} {family}", str(kind)))
    return out


@dataclass(frozen=True)
class LinkedContact:
    """One partner record linked to a person of the child's family, with how sure the link is."""

    person_id: int
    agency: str
    event_date: dt.date
    event_type: str
    summary: str | None
    contact_name: str | None
    contact_role: str | None
    contact_phone: str | None
    method: str
    match_probability: float
    linked_by: str | None = None  # the reviewer, for a clerical link
    linked_at: dt.datetime | None = None


def linked_contacts(session: Session, person_ids: Sequence[int], start: dt.date, end: dt.date) -> list[LinkedContact]:
    """The partner records linked to ``person_ids`` dated from ``start`` to ``end``, oldest first (one index range
    scan a person on ``partner_links (person_id, event_date)``, then the records by primary key)."""
    if not person_ids:
        return []
    rows = session.execute(
        select(PartnerLink.person_id, PartnerRecord.agency, PartnerRecord.event_date, PartnerRecord.event_type,
               PartnerRecord.summary, PartnerRecord.contact_name, PartnerRecord.contact_role,
               PartnerRecord.contact_phone, PartnerLink.method, PartnerLink.match_probability, User.display_name,
               PartnerReviewDecision.decided_at)
        .join(PartnerRecord, PartnerRecord.id == PartnerLink.record_id)
        .outerjoin(PartnerReviewDecision, PartnerReviewDecision.id == PartnerLink.decision_id)
        .outerjoin(User, User.id == PartnerReviewDecision.decided_by)
        .where(PartnerLink.person_id.in_(list(person_ids)), PartnerLink.event_date.between(start, end))
        .order_by(PartnerLink.event_date, PartnerRecord.agency, PartnerRecord.id)
    ).all()
    return [LinkedContact(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], float(r[9]), r[10], r[11])
            for r in rows]


def agency_counts_by_child(session: Session, child_ids: Select[Any] | CompoundSelect[Any], start: dt.date,
                           end: dt.date, *, family: bool = True) -> dict[int, dict[str, int]]:
    """For each child whose id ``child_ids`` selects, the number of linked partner contacts from ``start`` to
    ``end`` by agency: the child's own, and with ``family`` their network's too.

    Two steps: the people of those children (and their networks), then their links counted by person and agency
    with the people named in the query, so each is one range of the ``(person_id, event_date)`` index whatever the
    size of the partner tables (a join the planner could turn into a scan of every link in the window)."""
    ids = child_ids.subquery("scope")
    members: list[Any] = [select(Child.id, Child.person_id).where(Child.id.in_(select(ids.c[0])))]
    if family:
        members.append(select(Relationship.child_id, Relationship.person_id)
                       .where(Relationship.child_id.in_(select(ids.c[0]))))
    children_of: dict[int, set[int]] = {}
    query: Any = union_all(*members) if len(members) > 1 else members[0]
    for child_id, person_id in session.execute(query):
        children_of.setdefault(int(person_id), set()).add(int(child_id))
    out: dict[int, dict[str, int]] = {}
    people = sorted(children_of)
    for first in range(0, len(people), _BATCH):
        chunk = people[first:first + _BATCH]
        for person_id, agency, n in session.execute(
            select(PartnerLink.person_id, PartnerRecord.agency, func.count(literal(1)))
            .join(PartnerRecord, PartnerRecord.id == PartnerLink.record_id)
            .where(PartnerLink.person_id.in_(chunk), PartnerLink.event_date.between(start, end))
            .group_by(PartnerLink.person_id, PartnerRecord.agency)
        ):
            for child_id in children_of[int(person_id)]:
                per = out.setdefault(child_id, {})
                per[str(agency)] = per.get(str(agency), 0) + int(n)
    return out


# --- the people the record sends to careflow link -------------------------------------------------------------


def _synthetic_nhs_number(seed: int) -> str:
    """A valid NHS number (modulus 11) in the 999 range, which the NHS does not issue: for demo people the record
    holds none for."""
    from careflow.synth.partners import nhs_check_digit

    n = seed
    while True:
        nine = f"999{n % 1_000_000:06d}"
        check = nhs_check_digit(nine)
        if check is not None:
            return nine + str(check)
        n += 1_000_003


_POSTCODE_AREAS = ("LS", "M", "SK", "B", "WS", "BS", "NE", "S", "L", "NG")


def people_frame(session: Session, *, child_ids: Sequence[int] | None = None) -> pl.DataFrame:
    """The record's children and the family members in their networks in ``careflow link``'s people layout
    (``person_id, family_id, role, first_name, last_name, dob, sex, postcode, nhs_number, upn``).

    A child is named by record id, a family member ``person-<id>``; each child and their network is one family.
    Where the record holds no NHS number, date of birth, sex or postcode (the demo's relatives), a stand-in is
    made from the person's id (NHS numbers in the unissued 999 range), so the synthetic partner data can be made
    and linked; the record itself is not changed.
    """
    import polars as pl

    condition = Child.id.in_(list(child_ids)) if child_ids is not None else literal(True)
    children = session.execute(
        select(Child.id, Person.id, Person.given_name, Person.family_name, Person.date_of_birth, Person.sex,
               Person.postcode, Person.nhs_number, Person.upn)
        .join(Person, Person.id == Child.person_id).where(condition).order_by(Child.id)).all()
    relatives = session.execute(
        select(Relationship.child_id, Person.id, Person.given_name, Person.family_name, Person.date_of_birth,
               Person.sex, Person.postcode, Person.nhs_number, Relationship.kind)
        .join(Person, Person.id == Relationship.person_id).join(Child, Child.id == Relationship.child_id)
        .where(condition).order_by(Relationship.child_id, Person.id)).all()
    rows: list[dict[str, Any]] = []
    postcodes: dict[int, str] = {}
    for cid, pid, given, family, dob, sex, postcode, nhs, upn in children:
        area = _POSTCODE_AREAS[cid % len(_POSTCODE_AREAS)]
        postcodes[cid] = postcode or f"{area}{cid % 20 + 1} {cid % 9 + 1}{'ABDEFGHJLNPQRSTUWXYZ'[cid % 20]}" \
                                     f"{'ABDEFGHJLNPQRSTUWXYZ'[(cid // 20) % 20]}"
        upn_ok = upn if upn and not upn.startswith("UN") else None
        rows.append({"person_id": str(cid), "family_id": f"family-{cid}", "role": "child",
                     "first_name": given, "last_name": family,
                     "dob": dob or dt.date(2015, 1, 1) + dt.timedelta(days=pid % 3000),
                     "sex": sex if sex in ("M", "F") else ("F" if pid % 2 else "M"), "postcode": postcodes[cid],
                     "nhs_number": nhs if nhs and len(nhs) == 10 else _synthetic_nhs_number(pid), "upn": upn_ok})
    seen: set[int] = set()
    for cid, pid, given, family, dob, sex, postcode, nhs, kind in relatives:
        if pid in seen or not (given or family):
            continue
        seen.add(pid)
        female = kind in ("mother", "grandmother", "aunt", "sister") or (kind not in ("father", "grandfather",
                                                                                        "uncle", "brother")
                                                                          and pid % 2 == 1)
        rows.append({"person_id": f"person-{pid}", "family_id": f"family-{cid}",
                     "role": "adult" if kind not in ("own_child", "sibling", "brother", "sister") else "child",
                     "first_name": given or "Alex", "last_name": family or "Taylor",
                     "dob": dob or dt.date(1985, 1, 1) + dt.timedelta(days=pid % 5000),
                     "sex": sex if sex in ("M", "F") else ("F" if female else "M"),
                     "postcode": postcode or postcodes.get(cid, "LS1 1AA"),
                     "nhs_number": nhs if nhs and len(nhs) == 10 else _synthetic_nhs_number(pid), "upn": None})
    schema = {"person_id": pl.String, "family_id": pl.String, "role": pl.String, "first_name": pl.String,
              "last_name": pl.String, "dob": pl.Date, "sex": pl.String, "postcode": pl.String,
              "nhs_number": pl.String, "upn": pl.String}
    return pl.DataFrame(rows, schema=schema)
