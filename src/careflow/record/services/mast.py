"""The multi-agency safeguarding tracker (MAST) view of a child or family, and the team's multi-agency list.

For a child (or the family: the child and the people in their network) over a window (the partnership's, 12
months by default, ``002_880cb965cd4cce85.txt:1795``): the minimum data set, whether a children's social care case
is open (``:1821-1822``), the count and timeline of contacts with each agency, the named contact in each agency
(``:1810-1812``), and how sure each link is. Every item is shown only when a sharing rule allows it for the
purpose the user declared, the child's situation and age, on the day, under an information-sharing agreement of the
partnership in force (:mod:`careflow.share.rules`); the view names the rule, its lawful basis and the agreement for
what it shows and the reason for what it withholds.

Access is the record's (:func:`careflow.record.services.access.load_child`: role and allocation; a child who is
not yours is a 404), and the purposes a role may declare are the rules'. Every view is audited with the purpose.

The team's list names the children, among those the user may see, whose family had contacts with at least the
partnership's number of agencies in the window: a count of contacts, never a score of the child.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from careflow.record import clocks
from careflow.record.errors import AccessDenied, InvalidInput
from careflow.record.models import Allocation, Child, PartnerLoad, Person, Referral, Team, User
from careflow.record.pathway import OPEN_STAGES, Stage
from careflow.record.services.access import WRITE_ROLES, child_ids_in_scope, load_child, require_role
from careflow.record.services.context import Ctx
from careflow.share import mast as queries
from careflow.share.rules import Decision, Partnership, SharingRules, load_rules

__all__ = ["AGENCY_ITEMS", "CSC", "MastView", "TeamMastView", "child_mast", "purposes_for", "team_mast",
           "window_of"]

CSC = "childrens_social_care"
#: The items the view shows for each partner agency (the record's own items are CSC's).
AGENCY_ITEMS = ("contact_counts", "agency_contact", "link_confidence", "contact_details")
MAX_MONTHS = 60
_METHOD_LABELS = {"nhs_number": "NHS number", "probabilistic": "probabilistic", "clerical": "clerical review"}


class RuleUsed(BaseModel):
    """An item shown, and the rule, lawful basis and agreement it was shown under."""

    item: str
    item_label: str
    agency: str
    agency_label: str
    rule: str
    lawful_basis: str
    agreement: str | None


class Withheld(BaseModel):
    """An item withheld, and why."""

    item: str
    item_label: str
    agency: str
    agency_label: str
    reason: str


class MinimumDataSet(BaseModel):
    """One person of the minimum data set."""

    relationship: str
    name: str
    date_of_birth: dt.date | None
    sex: str | None
    nhs_number: str | None
    postcode: str | None


class CscCase(BaseModel):
    """Whether a children's social care case is open, since when, at what stage, and who holds it."""

    is_open: bool
    stage: str
    stage_label: str
    since: dt.date
    opened: dt.date | None
    closed: dt.date | None
    team: str | None
    workers: list[str]


class AgencyRow(BaseModel):
    """An agency's contacts in the window and who to call; None where the item is withheld."""

    agency: str
    label: str
    contacts: int | None
    first_contact: dt.date | None
    last_contact: dt.date | None
    contact_name: str | None
    contact_role: str | None
    contact_phone: str | None
    link_methods: str | None
    lowest_match_probability: float | None
    awaiting_review: int | None  # partner records that may be this family's, waiting for a clerical reviewer


class ContactRow(BaseModel):
    """One contact in the window (its kind and summary only where a rule allows them)."""

    event_date: dt.date
    agency: str
    agency_label: str
    person: str
    event_type: str | None
    summary: str | None
    method: str | None
    match_probability: float | None
    linked_by: str | None = None  # the reviewer who confirmed a clerical link, and when
    linked_at: dt.datetime | None = None


class MastView(BaseModel):
    """The MAST view of a child (or family) for one declared purpose."""

    child_id: int
    child_name: str
    purpose: str
    purpose_label: str
    months: int
    window_start: dt.date
    window_end: dt.date
    family: bool
    partnership: str
    minimum_data_set: list[MinimumDataSet] | None
    csc_case: CscCase | None
    agencies: list[AgencyRow]
    contacts: list[ContactRow]
    shown: list[RuleUsed]
    withheld: list[Withheld]
    partner_data_loaded_at: dt.datetime | None
    link_quality: dict[str, Any] | None


class TeamMastRow(BaseModel):
    """A child whose family's contacts in the window reached the threshold: the counts, never a score."""

    child_id: int
    name: str
    stage_label: str
    agencies: list[str]
    agency_count: int
    contacts: int


class TeamMastView(BaseModel):
    """The children (of those the user may see) whose families had contacts with many agencies in the window."""

    purpose: str
    purpose_label: str
    months: int
    window_start: dt.date
    window_end: dt.date
    min_agencies: int
    partnership: str
    children: list[TeamMastRow]
    withheld: list[Withheld]


def _rules(ctx: Ctx) -> tuple[SharingRules, Partnership]:
    rules = load_rules()
    return rules, rules.partnership(ctx.settings.partnership)


def purposes_for(ctx: Ctx) -> list[tuple[str, str, str]]:
    """The purposes the user may declare: (id, label, description)."""
    rules = load_rules()
    return [(p.id, p.label, p.description) for p in rules.purposes_for(ctx.actor.role)]


def _purpose(ctx: Ctx, rules: SharingRules, purpose: str | None) -> str:
    require_role(ctx, WRITE_ROLES, "see what partner agencies hold")
    allowed = rules.purposes_for(ctx.actor.role)
    if not purpose:
        raise InvalidInput("Purpose: say why you are looking (" + ", ".join(p.id for p in allowed) + ")", "purpose")
    if purpose not in rules.purposes:
        raise InvalidInput(f"Purpose: no purpose {purpose[:40]!r} (one of {', '.join(rules.purposes)})", "purpose")
    if all(p.id != purpose for p in allowed):
        raise AccessDenied(f"{ctx.actor.role} may not declare the purpose {rules.purposes[purpose].label!r}")
    return purpose


def window_of(ctx: Ctx, partnership: Partnership, months: int | None) -> tuple[int, dt.date, dt.date]:
    """The window: ``months`` (default: the partnership's) back from the service's today."""
    end = ctx.today
    if months is None:
        months = int(partnership.window_months.value_at(end))
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"Months: from 1 to {MAX_MONTHS}", "months")
    return months, clocks.add_months(end, -months) + dt.timedelta(days=1), end


def _label(rules: SharingRules, agency: str) -> str:
    return rules.agencies[agency].label if agency in rules.agencies else agency.replace("_", " ").capitalize()


class _Decider:
    """Decides each (item, agency) once for a view and keeps what was shown and withheld."""

    def __init__(self, rules: SharingRules, partnership: Partnership, purpose: str, situations: frozenset[str],
                 age: int | None, on: dt.date) -> None:
        self.rules, self.partnership, self.purpose = rules, partnership, purpose
        self.situations, self.age, self.on = situations, age, on
        self.decisions: dict[tuple[str, str], Decision] = {}

    def __call__(self, item: str, agency: str) -> bool:
        key = (item, agency)
        if key not in self.decisions:
            self.decisions[key] = self.rules.decide(item, agency, purpose=self.purpose, situations=self.situations,
                                                    age=self.age, on=self.on, partnership=self.partnership)
        return self.decisions[key].allowed

    def shown(self) -> list[RuleUsed]:
        return [RuleUsed(item=d.item, item_label=self.rules.items[d.item].label, agency=d.agency,
                         agency_label=_label(self.rules, d.agency), rule=d.rule.id if d.rule else "",
                         lawful_basis=d.basis_text, agreement=d.agreement.id if d.agreement else None)
                for d in self.decisions.values() if d.allowed]

    def withheld(self) -> list[Withheld]:
        return [Withheld(item=d.item, item_label=self.rules.items[d.item].label, agency=d.agency,
                         agency_label=_label(self.rules, d.agency), reason=d.reason)
                for d in self.decisions.values() if not d.allowed]


def _csc_case(ctx: Ctx, child: Child) -> CscCase:
    workers = ctx.session.execute(
        select(User.display_name, Allocation.role_on_case).join(User, User.id == Allocation.user_id)
        .where(Allocation.child_id == child.id, Allocation.end_date.is_(None)).order_by(Allocation.id)).all()
    team = ctx.session.scalar(select(Team.name).where(Team.id == child.team_id)) if child.team_id else None
    stage = Stage(child.stage)
    referrals = ctx.session.execute(select(Referral.referral_date, Referral.closure_date)
                                    .where(Referral.child_id == child.id)).all()
    is_open = stage in OPEN_STAGES
    still_open = [opened for opened, closed in referrals if closed is None]
    opened = min(still_open) if is_open and still_open else child.stage_since if is_open else (
        max((o for o, _ in referrals), default=None))
    closed = None if is_open else max((c for _, c in referrals if c is not None), default=child.stage_since)
    return CscCase(is_open=is_open, stage=stage.value, stage_label=stage.label, since=child.stage_since,
                   opened=opened, closed=closed, team=team,
                   workers=[f"{name} ({role.replace('_', ' ')})" for name, role in workers])


def _minimum_data_set(ctx: Ctx, child: Child, family: dict[int, tuple[str, str]], show_family: bool
                      ) -> list[MinimumDataSet]:
    ids = list(family) if show_family else [child.person_id]
    people = {p.id: p for p in ctx.session.scalars(select(Person).where(Person.id.in_(ids)))}
    out = []
    for pid in ids:
        person = people.get(pid)
        if person is None:
            continue
        out.append(MinimumDataSet(relationship=family[pid][1].replace("_", " "), name=family[pid][0],
                                  date_of_birth=person.date_of_birth, sex=person.sex, nhs_number=person.nhs_number,
                                  postcode=person.postcode))
    return out


def _latest_load(ctx: Ctx) -> PartnerLoad | None:
    return ctx.session.scalar(select(PartnerLoad).order_by(PartnerLoad.id.desc()).limit(1))


def child_mast(ctx: Ctx, child_id: int, *, purpose: str | None, months: int | None = None,
               family: bool = True) -> MastView:
    """The MAST view of a child (``family``: with the people in their network) for the declared ``purpose``.

    Raises:
        InvalidInput: no purpose declared, or an unknown one, or a window outside 1 to 60 months.
        AccessDenied: the role may not declare the purpose (or see partner data at all).
        NotFound: no child with that id the user may see (audited as a refusal).
    """
    rules, partnership = _rules(ctx)
    purpose = _purpose(ctx, rules, purpose)
    months, start, end = window_of(ctx, partnership, months)
    child = load_child(ctx, child_id, write=False)
    person = child.person
    age = clocks.age_on(person.date_of_birth, end) if person.date_of_birth else None
    decide = _Decider(rules, partnership, purpose, rules.situations_of(child.stage), age, end)
    people = queries.family_people(ctx.session, child)
    if not family:
        people = {child.person_id: people[child.person_id]}
    show_mds = decide("minimum_data_set", CSC)
    mds = _minimum_data_set(ctx, child, people, family) if show_mds else None
    csc = _csc_case(ctx, child) if decide("csc_case_status", CSC) else None
    contacts = queries.linked_contacts(ctx.session, list(people), start, end)
    in_review = queries.review_counts(ctx.session, list(people))
    parties = {p for a in partnership.agreements for p in a.parties} - {CSC}
    agencies = sorted({c.agency for c in contacts} | parties | set(in_review))
    agency_rows: list[AgencyRow] = []
    rows: list[ContactRow] = []
    for agency in agencies:
        mine = [c for c in contacts if c.agency == agency]
        counts = decide("contact_counts", agency)
        who = decide("agency_contact", agency)
        sure = decide("link_confidence", agency)
        decide("contact_details", agency)
        latest = max(mine, key=lambda c: c.event_date) if mine else None
        methods = Counter(_METHOD_LABELS.get(c.method, c.method) for c in mine)
        agency_rows.append(AgencyRow(
            agency=agency, label=_label(rules, agency), contacts=len(mine) if counts else None,
            first_contact=mine[0].event_date if counts and mine else None,
            last_contact=latest.event_date if counts and latest else None,
            contact_name=latest.contact_name if who and latest else None,
            contact_role=latest.contact_role if who and latest else None,
            contact_phone=latest.contact_phone if who and latest else None,
            link_methods=", ".join(f"{m} {n}" for m, n in sorted(methods.items())) if sure and mine else None,
            lowest_match_probability=min(c.match_probability for c in mine) if sure and mine else None,
            awaiting_review=in_review.get(agency, 0) if sure else None))
    for c in contacts:
        if not decide("contact_counts", c.agency):
            continue
        details = decide("contact_details", c.agency)
        sure = decide("link_confidence", c.agency)
        name, relationship = people[c.person_id]
        person_label = "the child" if relationship == "child" else relationship.replace("_", " ")
        if show_mds:
            person_label = f"{name} ({person_label})"
        rows.append(ContactRow(event_date=c.event_date, agency=c.agency, agency_label=_label(rules, c.agency),
                               person=person_label, event_type=c.event_type if details else None,
                               summary=c.summary if details else None, method=c.method if sure else None,
                               match_probability=round(c.match_probability, 4) if sure else None,
                               linked_by=c.linked_by if sure else None, linked_at=c.linked_at if sure else None))
    load = _latest_load(ctx)
    shown, withheld = decide.shown(), decide.withheld()
    ctx.audit("read", child_id=child.id, entity="mast",
              detail={"purpose": purpose, "months": months, "family": family, "contacts": len(rows),
                      "shown": sorted({f"{s.item}:{s.agency}" for s in shown}),
                      "withheld": sorted({f"{w.item}:{w.agency}" for w in withheld})})
    return MastView(
        child_id=child.id, child_name=f"{person.given_name} {person.family_name}", purpose=purpose,
        purpose_label=rules.purposes[purpose].label, months=months, window_start=start, window_end=end,
        family=family, partnership=partnership.name, minimum_data_set=mds, csc_case=csc, agencies=agency_rows,
        contacts=rows, shown=shown, withheld=withheld,
        partner_data_loaded_at=load.loaded_at if load else None,
        link_quality={k: load.quality[k] for k in ("threshold", "precision", "recall", "f1")
                      if k in load.quality} if load and load.quality else None)


def team_mast(ctx: Ctx, *, purpose: str | None, months: int | None = None) -> TeamMastView:
    """The children the user may see whose families had contacts with at least the partnership's number of
    agencies (children's social care not counted) in the window, most agencies first (audited with the children
    listed). Agencies whose contact counts the rules withhold for the purpose are not counted."""
    rules, partnership = _rules(ctx)
    purpose = _purpose(ctx, rules, purpose)
    months, start, end = window_of(ctx, partnership, months)
    threshold = int(partnership.min_agencies.value_at(end))
    counts = queries.agency_counts_by_child(ctx.session, child_ids_in_scope(ctx), start, end)
    decide = _Decider(rules, partnership, purpose, frozenset(), None, end)
    agencies = sorted({a for per in counts.values() for a in per})
    allowed = {a for a in agencies if decide("contact_counts", a) and a != CSC}
    wanted = {cid: {a: n for a, n in per.items() if a in allowed} for cid, per in counts.items()}
    wanted = {cid: per for cid, per in wanted.items() if len(per) >= threshold}
    rows: list[TeamMastRow] = []
    if wanted:
        found = ctx.session.execute(
            select(Child.id, Child.stage, Person.given_name, Person.family_name, Person.date_of_birth)
            .join(Person, Person.id == Child.person_id).where(Child.id.in_(list(wanted)))).all()
        for cid, stage, given, family_name, dob in found:
            if dob is not None and clocks.age_on(dob, end) >= min(
                    (r.ends_at_age.value_at(end) for r in rules.rules if r.purpose == purpose
                     and "contact_counts" in r.items), default=18):
                continue  # sharing has ended for this child
            per = wanted[cid]
            rows.append(TeamMastRow(child_id=cid, name=f"{given} {family_name}", stage_label=Stage(stage).label,
                                    agencies=[_label(rules, a) for a in sorted(per)], agency_count=len(per),
                                    contacts=sum(per.values())))
    rows.sort(key=lambda r: (-r.agency_count, -r.contacts, r.name))
    ctx.audit("read", entity="mast_team",
              detail={"purpose": purpose, "months": months, "min_agencies": threshold,
                      "children": [r.child_id for r in rows][:1000]})
    return TeamMastView(purpose=purpose, purpose_label=rules.purposes[purpose].label, months=months,
                        window_start=start, window_end=end, min_agencies=threshold, partnership=partnership.name,
                        children=rows, withheld=decide.withheld())
