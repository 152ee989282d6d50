"""Who may see which child: by role, team and allocation. The one place these rules live.

* Family Help workers, social workers, ECPPs and team managers see the children of their team and any child
  they are allocated to; they write where they see (the pathway then says which decisions are theirs).
* Advocates see only the children they advocate for, and only read.
* Analysts never see a named child: they get pseudonymised lists (no names, identifiers, dates of birth or
  free text) and nothing else.
* Administrators manage users and teams and check the audit log; they do not read children's records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, exists, false, or_, select

from careflow.record.errors import AccessDenied, NotFound
from careflow.record.models import Allocation, Child
from careflow.record.pathway import Role
from careflow.record.services.context import Ctx

__all__ = ["PRACTITIONERS", "READ_ROLES", "WRITE_ROLES", "child_ids_in_scope", "child_scope", "load_child",
           "require_child", "require_role"]

PRACTITIONERS = frozenset({Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER,
                           Role.TEAM_MANAGER})
READ_ROLES = PRACTITIONERS | {Role.ADVOCATE}
WRITE_ROLES = PRACTITIONERS


def require_role(ctx: Ctx, roles: frozenset[Role], what: str) -> Role:
    """The actor's role if it is one of ``roles``; otherwise :class:`AccessDenied` saying who may."""
    role = ctx.role
    if role not in roles:
        who = ", ".join(sorted(r.label for r in roles))
        if role is Role.ANALYST:
            raise AccessDenied(f"analysts see pseudonymised data only, not {what}; use /api/analyst/children")
        raise AccessDenied(f"{role.with_article if role else 'a ' + ctx.actor.role} may not {what} (allowed: {who})")
    return role


def child_scope(ctx: Ctx) -> ColumnElement[bool]:
    """A SQL condition true for the children the actor may see (named, not pseudonymised)."""
    role = ctx.role
    user_id = ctx.actor.user_id
    allocated = exists(
        select(Allocation.id).where(
            Allocation.child_id == Child.id, Allocation.user_id == user_id, Allocation.end_date.is_(None)
        )
    )
    if role in PRACTITIONERS:
        if ctx.actor.team_id is None:
            return allocated
        return or_(Child.team_id == ctx.actor.team_id, allocated)
    if role is Role.ADVOCATE:
        return allocated
    return false()


def child_ids_in_scope(ctx: Ctx) -> Select[Any] | CompoundSelect[Any]:
    """The ids of the children the actor may see (named), as :func:`child_scope` decides, written as a union of
    index lookups (the team's children, the open allocations) for queries over a whole team."""
    role = ctx.role
    allocated = select(Allocation.child_id).where(Allocation.user_id == ctx.actor.user_id,
                                                  Allocation.end_date.is_(None))
    if role in PRACTITIONERS:
        if ctx.actor.team_id is None:
            return allocated
        return select(Child.id).where(Child.team_id == ctx.actor.team_id).union(allocated)
    if role is Role.ADVOCATE:
        return allocated
    return select(Child.id).where(false())


def require_child(ctx: Ctx, child: Child, *, write: bool) -> None:
    """Raise :class:`AccessDenied` unless the actor may read (or write) this child's record."""
    what = "change children's records" if write else "read children's records"
    require_role(ctx, WRITE_ROLES if write else READ_ROLES, what)
    if ctx.role in PRACTITIONERS and ctx.actor.team_id is not None and child.team_id == ctx.actor.team_id:
        return
    allocated = ctx.session.scalar(
        select(Allocation.id).where(
            and_(Allocation.child_id == child.id, Allocation.user_id == ctx.actor.user_id,
                 Allocation.end_date.is_(None))
        ).limit(1)
    )
    if allocated is None:
        raise AccessDenied(
            f"child {child.id} is not allocated to you or your team; ask their team manager for an allocation"
        )


def load_child(ctx: Ctx, child_id: int, *, write: bool) -> Child:
    """The child, if the actor may read (or write) their record.

    A role that never reads records is refused (403) before the record is looked up; a child who is missing and a
    child who is not yours get the same 404, so record ids cannot be enumerated. The refusal of an existing child's
    record is still audited (``denied``: the error carries the child's id to :func:`careflow.record.deps.get_db`).
    """
    if ctx.role is Role.ANALYST:
        require_role(ctx, READ_ROLES, "read children's records")
    require_role(ctx, WRITE_ROLES if write else READ_ROLES,
                 "change children's records" if write else "read children's records")
    child = ctx.session.get(Child, child_id)
    if child is None:
        raise NotFound(_not_found(child_id))
    try:
        require_child(ctx, child, write=write)
    except AccessDenied as exc:
        refusal = NotFound(_not_found(child_id), child_id=child_id)
        refusal.detail["reason"] = exc.message
        raise refusal from None
    return child


def _not_found(child_id: int) -> str:
    return (f"no child with record id {child_id} that you may see: check the id, or ask the team that holds the "
            "record for an allocation")
