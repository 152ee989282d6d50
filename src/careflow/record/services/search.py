"""Finding a child: by name (forgiving spelling and word order), date of birth, NHS number, UPN or postcode, among
the children the user may see; and the possible-duplicate check when a new record is opened.

Names are narrowed in the database by the phonetic key of each word (:mod:`careflow.record.names`, on every
backend) and, on PostgreSQL with ``pg_trgm``, also by trigram word similarity, which catches a wrong first letter
that Soundex keeps apart ("Filippa" for "Philippa"; on SQLite such a search needs the right first letter);
candidates are then ordered by a similarity ratio in Python. Every search is audited with the children it showed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, text
from sqlalchemy.orm import Session

from careflow.record import clocks, names
from careflow.record.errors import InvalidInput, TransitionNotAllowed
from careflow.record.identifiers import clean_nhs_number, nhs_number_problem, upn_problem
from careflow.record.models import Child, Person, Team, User
from careflow.record.pathway import Role, Stage
from careflow.record.services import access
from careflow.record.services.context import Ctx

__all__ = ["Found", "ParsedQuery", "check_duplicate", "parse_query", "search_children"]

MAX_QUERY = 200
MIN_SIMILARITY = 0.6  # below this a phonetic match is a coincidence ("Lee" and "Lia")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y")


@dataclass
class ParsedQuery:
    """What a search box's text asks for."""

    words: list[str] = field(default_factory=list)
    date_of_birth: dt.date | None = None
    nhs_number: str | None = None
    upn: str | None = None
    postcode: str | None = None

    @property
    def kinds(self) -> list[str]:
        """What the query searches by, in words (for the page and the audit)."""
        out = []
        if self.words:
            out.append("name")
        for name, value in (("date of birth", self.date_of_birth), ("NHS number", self.nhs_number),
                            ("UPN", self.upn), ("postcode", self.postcode)):
            if value:
                out.append(name)
        return out


def _date(token: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None


def parse_query(q: str) -> ParsedQuery:
    """Split a search into a name, a date of birth, an NHS number, a UPN and a postcode.

    Example:
        >>> p = parse_query("Lilly Browne 01/09/2017")
        >>> p.words, p.date_of_birth
        (['lilly', 'browne'], datetime.date(2017, 9, 1))
    """
    text_ = " ".join(q.split())
    if not text_:
        raise InvalidInput("Search: type a name, a date of birth, an NHS number, a UPN or a postcode", "q")
    if len(text_) > MAX_QUERY:
        raise InvalidInput(f"Search: at most {MAX_QUERY} characters", "q")
    parsed = ParsedQuery()
    digits = clean_nhs_number(text_)
    if digits.isdigit() and len(digits) == 10:
        problem = nhs_number_problem(digits)
        if problem:
            raise InvalidInput(f"Search: {problem}", "q")
        parsed.nhs_number = digits
        return parsed
    upper = text_.upper()
    if len(upper) == 13 and upper[0].isalpha() and upper[1:12].isdigit():
        problem = upn_problem(upper)
        if problem:
            raise InvalidInput(f"Search: {problem}", "q")
        parsed.upn = upper
        return parsed
    tokens = text_.split(" ")
    # a whole date written with spaces ("1 Sep 2017") or a postcode ("LS1 4AB") may span tokens
    rest: list[str] = []
    i = 0
    while i < len(tokens):
        three = " ".join(tokens[i:i + 3])
        two = " ".join(tokens[i:i + 2]).upper()
        if len(tokens) - i >= 3 and _date(three):
            parsed.date_of_birth, i = _date(three), i + 3
            continue
        if len(tokens) - i >= 2 and _POSTCODE.match(two):
            m = _POSTCODE.match(two)
            assert m is not None
            parsed.postcode, i = f"{m.group(1)} {m.group(2)}", i + 2
            continue
        token = tokens[i]
        if _date(token):
            parsed.date_of_birth = _date(token)
        elif _POSTCODE.match(token.upper()):
            m = _POSTCODE.match(token.upper())
            assert m is not None
            parsed.postcode = f"{m.group(1)} {m.group(2)}"
        else:
            rest.append(token)
        i += 1
    parsed.words = names.words(" ".join(rest))
    if not parsed.kinds:
        raise InvalidInput("Search: type a name, a date of birth, an NHS number, a UPN or a postcode", "q")
    return parsed


@dataclass
class Found:
    """A child a search found."""

    child_id: int
    la_child_id: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    age: int | None
    postcode: str | None
    stage: str
    team: str | None
    score: float

    @property
    def stage_label(self) -> str:
        """The stage as people say it."""
        return Stage(self.stage).label


_TRGM: dict[str, str | None] = {}


def _trigram_schema(session: Session) -> str | None:
    """The schema holding pg_trgm's functions on this PostgreSQL database, or None (SQLite, or not installed)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    key = str(bind.engine.url)
    if key not in _TRGM:
        _TRGM[key] = session.scalar(text(
            "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace "
            "where e.extname = 'pg_trgm'"))
    return _TRGM[key]


def _name_condition(session: Session, words: list[str]) -> ColumnElement[bool]:
    trgm = _trigram_schema(session)
    conditions: list[ColumnElement[bool]] = []
    for word in words:
        code = names.soundex(word)
        alike: list[ColumnElement[bool]] = [Person.phonetic_key.like(f"% {code} %")]
        if trgm is not None and len(word) >= 3:
            similarity = text(f'"{trgm}".word_similarity(:w_{len(conditions)}, people.name_key) >= 0.5')
            alike.append(similarity.bindparams(**{f"w_{len(conditions)}": word}))  # type: ignore[arg-type]
        conditions.append(or_(*alike))
    return and_(*conditions)


def _conditions(session: Session, parsed: ParsedQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Child.stage != Stage.NONE.value]
    if parsed.nhs_number:
        where.append(Person.nhs_number == parsed.nhs_number)
    if parsed.upn:
        where.append(Person.upn == parsed.upn)
    if parsed.date_of_birth:
        where.append(or_(Person.date_of_birth == parsed.date_of_birth,
                         Person.expected_date_of_birth == parsed.date_of_birth))
    if parsed.postcode:
        where.append(Person.postcode == parsed.postcode)
    if parsed.words:
        where.append(_name_condition(session, parsed.words))
    return where


def _rank(parsed: ParsedQuery, rows: list[Any], today: dt.date) -> list[Found]:
    out = []
    for r in rows:
        score = names.name_similarity(" ".join(parsed.words), r.given_name, r.family_name) if parsed.words else 1.0
        if score < MIN_SIMILARITY:
            continue
        out.append(Found(r.id, r.la_child_id, r.given_name, r.family_name, r.date_of_birth,
                         clocks.age_on(r.date_of_birth, today) if r.date_of_birth else None, r.postcode, r.stage,
                         r.team, round(score, 3)))
    return sorted(out, key=lambda f: (-f.score, f.family_name, f.given_name, f.child_id))


def _query(where: list[ColumnElement[bool]]) -> Any:
    return (select(Child.id, Child.la_child_id, Child.stage, Person.given_name, Person.family_name,
                   Person.date_of_birth, Person.postcode, Team.name.label("team"))
            .join(Person, Person.id == Child.person_id).outerjoin(Team, Team.id == Child.team_id)
            .where(*where))


def search_children(ctx: Ctx, q: str, *, limit: int = 50) -> tuple[ParsedQuery, list[Found]]:
    """The children the actor may see that match ``q``, best first (audited, with the children shown)."""
    access.require_role(ctx, access.READ_ROLES, "search children's records")
    parsed = parse_query(q)
    where = [*_conditions(ctx.session, parsed), access.child_scope(ctx)]
    rows = ctx.session.execute(_query(where).limit(1000)).all()
    found = _rank(parsed, list(rows), ctx.today)[:limit]
    ctx.audit("search", entity="children", detail={"by": parsed.kinds, "query": q[:MAX_QUERY],
                                                   "children": [f.child_id for f in found]})
    return parsed, found


def check_duplicate(ctx: Ctx, values: dict[str, Any]) -> None:
    """Refuse (409) a new record that may be a child already held: same NHS number or UPN, or the same date of
    birth and names that sound alike. Names the match if the actor may see it; otherwise says which team holds it
    and whom to ask. The worker may go on (``is_not_a_duplicate``) unless an identifier is the same."""
    same_id = [c for c in (Person.nhs_number == values["nhs_number"] if values.get("nhs_number") else None,
                           Person.upn == values["upn"] if values.get("upn") else None) if c is not None]
    dob = values.get("date_of_birth") or values.get("expected_date_of_birth")
    by_name = None
    if dob is not None:
        parsed = ParsedQuery(words=names.words(f"{values['given_name']} {values['family_name']}"))
        by_name = and_(or_(Person.date_of_birth == dob, Person.expected_date_of_birth == dob),
                       _name_condition(ctx.session, parsed.words))
    candidates = [c for c in [*same_id, by_name] if c is not None]
    if not candidates:
        return
    rows = ctx.session.execute(_query([Child.stage != Stage.NONE.value, or_(*candidates)]).add_columns(
        Person.nhs_number, Person.upn, Child.team_id).limit(20)).all()
    identical = [r for r in rows if (values.get("nhs_number") and r.nhs_number == values["nhs_number"])
                 or (values.get("upn") and r.upn == values["upn"])]
    alike = [f for f in _rank(ParsedQuery(words=names.words(f"{values['given_name']} {values['family_name']}")),
                              [r for r in rows if r not in identical], ctx.today)]
    if not identical and (not alike or values.get("is_not_a_duplicate")):
        return
    match_id = identical[0].id if identical else alike[0].child_id
    row = next(r for r in rows if r.id == match_id)
    visible = ctx.session.scalar(select(Child.id).where(Child.id == match_id, access.child_scope(ctx))) is not None
    if visible:
        who = (f"{row.given_name} {row.family_name}, born {row.date_of_birth:%d %b %Y}, record {row.la_child_id}"
               if row.date_of_birth else f"{row.given_name} {row.family_name}, record {row.la_child_id}")
        where_ = f"open their record ({who}) and record a new conversation there"
    else:
        manager = ctx.session.scalar(select(User.display_name).where(
            User.team_id == row.team_id, User.role == Role.TEAM_MANAGER.value, User.is_active.is_(True)).limit(1))
        where_ = (f"a record is held by {row.team or 'another team'}; ask "
                  f"{'its team manager, ' + manager if manager else 'its team manager'} for access")
    ctx.audit("duplicate_warning", child_id=match_id, entity="child", entity_id=match_id,
              detail={"visible": visible, "identifier": bool(identical)})
    if identical:
        what = "NHS number" if values.get("nhs_number") and row.nhs_number == values["nhs_number"] else "UPN"
        raise TransitionNotAllowed(f"A child with this {what} already has a record: {where_}.", needs=[where_])
    raise TransitionNotAllowed(
        f"This may be a child who already has a record (the same date of birth and a name like theirs): {where_}. "
        "If they are a different child, tick “Not the same child” and open the record again.",
        needs=[where_],
    )
