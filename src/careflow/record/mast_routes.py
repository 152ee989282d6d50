"""The MAST view's routes: ``GET /api/children/{id}/mast``, ``GET /api/team/mast``, the clerical review of uncertain
partner-record matches (``GET /api/children/{id}/mast/review``, ``POST .../review/{agency}/{source_record_id}``) and
their pages. Thin: the services (:mod:`careflow.record.services.mast`, :mod:`~careflow.record.services.mast_review`)
apply access, the sharing rules and the audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from careflow.record.deps import CtxDep
from careflow.record.errors import InvalidInput
from careflow.record.services import mast, mast_review
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


@api_router.get("/children/{child_id}/mast/review", response_model=mast_review.ReviewQueue)
def review_queue_api(child_id: int, ctx: CtxDep) -> Any:
    """The partner records waiting for clerical review that may be this child's or their family's (audited)."""
    return mast_review.review_queue(ctx, child_id)


@api_router.post("/children/{child_id}/mast/review/{agency}/{source_record_id}",
                 response_model=mast_review.DecisionPublic, status_code=201)
def review_decide_api(child_id: int, agency: str, source_record_id: str, body: mast_review.DecisionCreate,
                      ctx: CtxDep) -> Any:
    """Confirm a waiting partner record as a person of the family, or reject it, with a reason (409 when another
    reviewer decided it since ``version`` was read)."""
    return mast_review.decide(ctx, child_id, agency, source_record_id, body)


@pages_router.get("/children/{child_id}/mast/review")
def review_page(request: Request, child_id: int, ctx: CtxDep) -> Response:
    """The review queue of a child's family: each record's identifiers beside each candidate's, with a form."""
    queue = mast_review.review_queue(ctx, child_id)
    return _page(request, "mast_review.html", queue=queue)


@pages_router.post("/children/{child_id}/mast/review/{agency}/{source_record_id}")
async def review_decide_page(request: Request, child_id: int, agency: str, source_record_id: str,
                             ctx: CtxDep) -> Response:
    """A decision from the review page; back to the queue."""
    from careflow.record.pages import _attempt, error_page

    form = await request.form()
    person = str(form.get("person_id") or "")
    version = str(form.get("version") or "")
    values = {"decision": str(form.get("decision") or ""), "reason": str(form.get("reason") or ""),
              "person_id": int(person) if person.isdigit() else None,
              "version": int(version) if version.isdigit() else -1}
    _done, error, needs, status = _attempt(ctx, lambda: mast_review.decide(
        ctx, child_id, agency, source_record_id, mast_review.DecisionCreate.model_validate(values)))
    if error is not None:
        return error_page(request, status, error, needs)
    return RedirectResponse(f"/children/{child_id}/mast/review", status_code=303)
