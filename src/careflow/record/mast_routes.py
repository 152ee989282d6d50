"""The MAST view's routes: ``GET /api/children/{id}/mast``, ``GET /api/team/mast`` and their pages. Thin: the
service (:mod:`careflow.record.services.mast`) applies access, the sharing rules and the audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from careflow.record.deps import CtxDep
from careflow.record.errors import InvalidInput
from careflow.record.services import mast
from careflow.record.services.context import Ctx
from careflow.record.timeline import contact_timeline

__all__ = ["api_router", "pages_router"]

api_router = APIRouter(prefix="/api", tags=["multi-agency"])
pages_router = APIRouter(include_in_schema=False)
Months = Annotated[int | None, Query(ge=1, le=mast.MAX_MONTHS)]


@api_router.get("/children/{child_id}/mast", response_model=mast.MastView)
def child_mast_api(child_id: int, ctx: CtxDep, purpose: str | None = None, months: Months = None,
                   family: bool = True) -> Any:
    """What partner agencies hold about a child (and family) in the window, as the sharing rules allow for the
    declared ``purpose`` (audited)."""
    return mast.child_mast(ctx, child_id, purpose=purpose, months=months, family=family)


@api_router.get("/team/mast", response_model=mast.TeamMastView)
def team_mast_api(ctx: CtxDep, purpose: str | None = None, months: Months = None) -> Any:
    """The children you may see whose families had contacts with the partnership's number of agencies or more."""
    return mast.team_mast(ctx, purpose=purpose, months=months)


def _months(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"Months: a whole number from 1 to {mast.MAX_MONTHS}", "months")
    return int(text)


def _page(request: Request, name: str, **context: Any) -> Response:
    from careflow.record.pages import _render

    return _render(request, name, **context)


def _chooser(ctx: Ctx) -> list[tuple[str, str, str]]:
    return mast.purposes_for(ctx)


@pages_router.get("/children/{child_id}/mast")
def child_mast_page(request: Request, child_id: int, ctx: CtxDep, purpose: str = "", months: str = "",
                    family: str = "yes") -> Response:
    """The MAST view of a child: choose a purpose first; then what the rules allow, and which rule allowed it."""
    from careflow.record.services import records

    purposes = _chooser(ctx)
    if not purpose:
        child = records.read_child(ctx, child_id)  # audited; shows the child's name only
        return _page(request, "mast.html", child=child, view=None, purposes=purposes, purpose="", months=months,
                     family=family != "no", chart=None)
    view = mast.child_mast(ctx, child_id, purpose=purpose, months=_months(months), family=family != "no")
    counted = {a.agency for a in view.agencies if a.contacts is not None}
    chart = contact_timeline(view.window_start, view.window_end, [
        (a.agency, a.label, [(c.event_date, f"{c.event_date:%d %b %Y}: {c.agency_label}"
                              + (f", {c.event_type.replace('_', ' ')}" if c.event_type else "") + f" ({c.person})")
                             for c in view.contacts if c.agency == a.agency])
        for a in view.agencies if a.agency in counted],
        case=(view.csc_case.opened, view.csc_case.closed, view.csc_case.stage_label)
        if view.csc_case and view.csc_case.opened else None)
    return _page(request, "mast.html", child=None, view=view, purposes=purposes, purpose=purpose,
                 months=str(view.months), family=view.family, chart=chart)


@pages_router.get("/team/mast")
def team_mast_page(request: Request, ctx: CtxDep, purpose: str = "", months: str = "") -> Response:
    """The team's children whose families had contacts with many agencies in the window (a count, not a score)."""
    purposes = _chooser(ctx)
    if not purpose:
        mast.require_role(ctx, mast.WRITE_ROLES, "see what partner agencies hold")
        return _page(request, "team_mast.html", view=None, purposes=purposes, purpose="", months=months)
    view = mast.team_mast(ctx, purpose=purpose, months=_months(months))
    return _page(request, "team_mast.html", view=view, purposes=purposes, purpose=purpose, months=str(view.months))
