"""Clerical review, in the record, of the partner records ``careflow link`` could not decide about.

``careflow link`` puts a partner record whose best match falls in the uncertain band (or an NHS-number match the
other identifiers contradict) in its review queue; ``careflow admin load-partner-links`` keeps the queue's
candidates for people of the record. Here a reviewer sees, for a child of their team (or allocated to them), each
waiting record with its identifiers set beside those of the candidate people of the family, which agree, and the
match probability: agreement of identifiers only, never a score of the child or family. They confirm the record as
one named person of the family, or reject it, with a reason. A confirmation links the record's contact at once (the
MAST view shows it as "clerical review", by whom and when); a rejection takes it out of the queue. Decisions are new
rows, kept across loads of the linkage output (:func:`careflow.share.mast.load_linked`).

Who reviews: a team manager. The role model has no front-door (MASH) role (``/work/shared/reference/notes_000.md``
line 101: the seed never names the MASH; ``notes_001a.md`` line 120: front-door decisions stay at the local
authority), and linking another agency's record to a child changes what every practitioner on the case sees, a
decision about the record itself that the role model gives to the team manager (``docs/ARCHITECTURE.md``, roles).
Access is otherwise the record's (:func:`careflow.record.services.access.load_child`, for writing: a child who is
not yours is a 404), and every read of the queue and every decision is audited.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from careflow.record.errors import AccessDenied, InvalidInput, NotFound, StaleVersion
from careflow.record.models import PartnerLink, PartnerRecord, PartnerReview, PartnerReviewDecision, Person
from careflow.record.pathway import Role
from careflow.record.services.access import load_child, require_role
from careflow.record.services.context import Ctx
from careflow.share import mast as queries

__all__ = ["REVIEW_ROLES", "Candidate", "DecisionCreate", "DecisionPublic", "FieldAgreement", "ReviewItem",
           "ReviewQueue", "decide", "review_queue"]

REVIEW_ROLES = frozenset({Role.TEAM_MANAGER})
_FIELD_LABELS = {"first_name": "first name", "last_name": "last name", "dob": "date of birth", "sex": "sex",
                 "postcode": "postcode", "nhs_number": "NHS number", "upn": "unique pupil number"}


class FieldAgreement(BaseModel):
    """One identifier of the partner record beside the person's; ``agrees`` is None when either side is blank."""

    field: str
    label: str
    record_value: str | None
    person_value: str | None
    agrees: bool | None


class Candidate(BaseModel):
    """A person of the family the partner record may be."""

    person_id: int
    name: str
    relationship: str
    match_probability: float
    reason: str | None
    fields: list[FieldAgreement]


class ReviewItem(BaseModel):
    """A partner record waiting for review; ``version`` is the number of decisions on it (send it back to decide)."""

    agency: str
    source_record_id: str
    version: int
    candidates: list[Candidate]


class ReviewQueue(BaseModel):
    """The partner records waiting for review that may be a child's or their family's."""

    child_id: int
    child_name: str
    items: list[ReviewItem]
    people: list[tuple[int, str]]  # (person id, "name (relationship)"): whom a record may be confirmed as


class DecisionCreate(BaseModel):
    """Confirm a partner record as ``person_id`` (a person of the child's family), or reject it; with a reason."""

    decision: Literal["confirmed", "rejected"]
    person_id: int | None = None
    reason: str = Field(min_length=1, max_length=500)
    version: int = Field(ge=0)


class DecisionPublic(BaseModel):
    """A decision as written."""

    id: int
    agency: str
    source_record_id: str
    sequence: int
    decision: str
    person_id: int | None
    reason: str
    decided_by: str
    decided_at: dt.datetime
    linked: bool


def _norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _person_fields(person: Person) -> dict[str, str | None]:
    dob = person.date_of_birth.isoformat() if person.date_of_birth else None
    return {"first_name": person.given_name, "last_name": person.family_name, "dob": dob, "sex": person.sex,
            "postcode": person.postcode, "nhs_number": person.nhs_number, "upn": None}


def _agreement(record: dict[str, str], person: Person) -> list[FieldAgreement]:
    mine = _person_fields(person)
    out = []
    for field in queries.COMPARED_FIELDS:
        theirs = (record.get(field) or "").strip() or None
        ours = (mine.get(field) or "").strip() or None
        if theirs is None and ours is None:
            continue
        agrees = None if theirs is None or ours is None else _norm(theirs) == _norm(ours)
        out.append(FieldAgreement(field=field, label=_FIELD_LABELS[field], record_value=theirs, person_value=ours,
                                  agrees=agrees))
    return out


def _versions(ctx: Ctx, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    agencies = sorted({a for a, _ in keys})
    records = sorted({r for _, r in keys})
    return {(a, r): int(n) for a, r, n in ctx.session.execute(
        select(PartnerReviewDecision.agency, PartnerReviewDecision.source_record_id, func.count())
        .where(PartnerReviewDecision.agency.in_(agencies), PartnerReviewDecision.source_record_id.in_(records))
        .group_by(PartnerReviewDecision.agency, PartnerReviewDecision.source_record_id)) if (a, r) in keys}


def _family_people(ctx: Ctx, child_id: int) -> tuple[str, dict[int, tuple[str, str]]]:
    require_role(ctx, REVIEW_ROLES, "review uncertain matches of partner records")
    child = load_child(ctx, child_id, write=True)
    return f"{child.person.given_name} {child.person.family_name}", queries.family_people(ctx.session, child)


def review_queue(ctx: Ctx, child_id: int) -> ReviewQueue:
    """The partner records waiting for review that may be the child or a person of their network (audited).

    Raises:
        AccessDenied: the role does not review matches.
        NotFound: no child with that id the user may see (audited as a refusal).
    """
    child_name, family = _family_people(ctx, child_id)
    rows = ctx.session.scalars(
        select(PartnerReview).where(PartnerReview.person_id.in_(list(family)), ~queries.decided_items())
        .order_by(PartnerReview.agency, PartnerReview.source_record_id, PartnerReview.match_probability.desc())).all()
    people = {p.id: p for p in ctx.session.scalars(select(Person).where(Person.id.in_(list(family))))}
    items: dict[tuple[str, str], list[Candidate]] = {}
    for r in rows:
        name, relationship = family[r.person_id]
        items.setdefault((r.agency, r.source_record_id), []).append(Candidate(
            person_id=r.person_id, name=name, relationship=relationship.replace("_", " "),
            match_probability=round(r.match_probability, 4), reason=r.reason,
            fields=_agreement(r.compared or {}, people[r.person_id])))
    versions = _versions(ctx, set(items))
    out = [ReviewItem(agency=a, source_record_id=s, version=versions.get((a, s), 0), candidates=c)
           for (a, s), c in items.items()]
    ctx.audit("read", child_id=child_id, entity="mast_review",
              detail={"items": [f"{i.agency}:{i.source_record_id}" for i in out][:200]})
    return ReviewQueue(child_id=child_id, child_name=child_name, items=out,
                       people=[(pid, f"{n} ({k.replace('_', ' ')})") for pid, (n, k) in family.items()])


def decide(ctx: Ctx, child_id: int, agency: str, source_record_id: str, body: DecisionCreate) -> DecisionPublic:
    """Confirm or reject a waiting partner record (audited). A confirmation links the record to the person at once.

    Raises:
        AccessDenied: the role does not review matches.
        NotFound: no child the user may see, or no such record waiting for review for this child's family.
        StaleVersion: another reviewer decided the record since ``body.version`` was read (409; nothing written).
        InvalidInput: a confirmation without a person of the family, or the record's contact was not loaded.
    """
    _, family = _family_people(ctx, child_id)
    candidates = ctx.session.scalars(select(PartnerReview).where(
        PartnerReview.agency == agency, PartnerReview.source_record_id == source_record_id,
        PartnerReview.person_id.in_(list(family)))).all()
    if not candidates:
        raise NotFound(f"no {agency[:40]} record {source_record_id[:80]} waiting for review for child {child_id}'s "
                       "family: reload the review queue")
    current = _versions(ctx, {(agency, source_record_id)}).get((agency, source_record_id), 0)
    if current != body.version:
        raise StaleVersion(f"{agency} record {source_record_id} was decided by another reviewer since you read it "
                           "(nothing was written): reload the review queue", current_version=current)
    record = None
    if body.decision == "confirmed":
        if body.person_id is None or body.person_id not in family:
            raise InvalidInput("Person: confirm the record as one person of the child's family", "person_id")
        record = ctx.session.scalar(select(PartnerRecord).where(PartnerRecord.agency == agency,
                                                                PartnerRecord.source_record_id == source_record_id))
        if record is None:
            raise InvalidInput(f"{agency} record {source_record_id}: its contact is not in the loaded linkage output "
                               "(contacts.csv); load the output again", "source_record_id")
    if ctx.actor.user_id is None:  # only a signed-in user reaches here; a decision must name who made it
        raise AccessDenied("a review decision needs a signed-in reviewer")
    decision = PartnerReviewDecision(
        agency=agency, source_record_id=source_record_id, sequence=current + 1, decision=body.decision,
        person_id=body.person_id if body.decision == "confirmed" else None, reason=body.reason.strip()[:500],
        decided_by=ctx.actor.user_id, decided_at=dt.datetime.now(dt.UTC))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(decision)
            ctx.session.flush()
    except IntegrityError:  # a reviewer who read the same version wrote first
        raise StaleVersion(f"{agency} record {source_record_id} was decided by another reviewer at the same time "
                           "(nothing was written): reload the review queue", current_version=current + 1) from None
    if record is not None:
        probability = max((c.match_probability for c in candidates if c.person_id == body.person_id), default=1.0)
        ctx.session.add(PartnerLink(load_id=record.load_id, record_id=record.id, person_id=body.person_id,
                                    method="clerical", match_probability=probability, match_weight=None,
                                    event_date=record.event_date, decision_id=decision.id))
    ctx.audit("review", child_id=child_id, entity="partner_review_decision", entity_id=decision.id,
              detail={"agency": agency, "source_record_id": source_record_id, "decision": body.decision,
                      "person_id": decision.person_id, "sequence": decision.sequence})
    return DecisionPublic(id=decision.id, agency=agency, source_record_id=source_record_id,
                          sequence=decision.sequence, decision=decision.decision, person_id=decision.person_id,
                          reason=decision.reason, decided_by=ctx.actor.username or "", decided_at=decision.decided_at,
                          linked=record is not None)
