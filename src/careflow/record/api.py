"""The JSON API (``/api``). Thin: each route resolves its inputs and calls one service function."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from careflow.record.audit import verify
from careflow.record.deps import SESSION_COOKIE, CtxDep, DbDep, UserDep, get_state
from careflow.record.errors import AccessDenied
from careflow.record.pathway import Role, Stage, allowed_events
from careflow.record.schemas import (
    AuditEntryPublic,
    ChildCreate,
    ChildPseudonymised,
    ChildPublic,
    ChildUpdate,
    EventCreate,
    EventPublic,
    LoginRequest,
    Page,
    RelationshipPublic,
    SessionPublic,
    TaskCreate,
    TaskPublic,
    TeamCreate,
    TeamPublic,
    UserCreate,
    UserPublic,
)
from careflow.record.services import access, auth, caseload, chronology, events, records, search, work
from careflow.record.services.records import event_public

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["record"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def client_address(request: Request) -> str:
    """Who is signing in, for throttling: the client's address (behind a proxy, as uvicorn's
    ``--forwarded-allow-ips`` resolves it)."""
    return request.client.host if request.client is not None else "unknown"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS."""
    settings = get_state(request).settings
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=int(settings.session_hours * 3600), path="/")


@router.post("/session", response_model=SessionPublic)
def log_in(body: LoginRequest, request: Request, session: DbDep) -> Any:
    """Log in; the answer carries the CSRF token to send as ``X-CSRF-Token`` on every change."""
    state = get_state(request)
    token, login_session, user = auth.login(session, state.settings, state.passwords, body.username, body.password,
                                            client_address(request))
    payload = SessionPublic(user=UserPublic.model_validate(user), csrf_token=login_session.csrf_token)
    response = JSONResponse(payload.model_dump(mode="json"))
    set_session_cookie(response, request, token)
    return response


@router.delete("/session", status_code=204)
def log_out(ctx: CtxDep, current: UserDep) -> Response:
    """Log out."""
    auth.logout(ctx, current.login_session)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserPublic)
def me(current: UserDep) -> Any:
    """Who is logged in."""
    return UserPublic.model_validate(current.user)


@router.get("/teams", response_model=list[TeamPublic])
def teams(ctx: CtxDep) -> Any:
    """Teams."""
    return auth.list_teams(ctx)


@router.get("/users", response_model=Page[UserPublic])
def users(ctx: CtxDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Users (your team's, or all for administrators)."""
    return auth.list_users(ctx, limit=limit, offset=offset)


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, ctx: CtxDep, request: Request) -> Any:
    """Create a user (administrators)."""
    return auth.create_user(ctx, body, get_state(request).passwords)


@router.post("/users/{user_id}/unlock", response_model=UserPublic)
def unlock_user(user_id: int, ctx: CtxDep) -> Any:
    """Let a user locked out by wrong passwords log in again (administrators)."""
    return auth.unlock_user(ctx, user_id)


@router.post("/teams", response_model=TeamPublic, status_code=201)
def create_team(body: TeamCreate, ctx: CtxDep) -> Any:
    """Create a team (administrators)."""
    return auth.create_team(ctx, body.name, body.kind)


@router.post("/children", response_model=ChildPublic, status_code=201)
def create_child(body: ChildCreate, ctx: CtxDep) -> Any:
    """Record the first conversation about a child: opens their record."""
    return records.create_child(ctx, body)


@router.get("/children/{child_id}", response_model=ChildPublic)
def read_child(child_id: int, ctx: CtxDep) -> Any:
    """A child's record (audited)."""
    return records.read_child(ctx, child_id)


@router.patch("/children/{child_id}", response_model=ChildPublic)
def update_child(child_id: int, body: ChildUpdate, ctx: CtxDep) -> Any:
    """Correct a child's identity; send the ``version`` you read (409 if it changed since)."""
    return records.update_child(ctx, child_id, body)


@router.get("/children/{child_id}/events", response_model=Page[EventPublic])
def timeline(child_id: int, ctx: CtxDep, limit: Limit = 50, offset: Offset = 0,
             kind: Annotated[list[str] | None, Query()] = None, date_from: dt.date | None = None,
             date_to: dt.date | None = None, oldest_first: bool = False) -> Any:
    """A child's whole chronology, paged (``total`` counts every entry that matches), newest first; filter by
    ``kind`` (repeatable) and by the dates things happened; codes and fields come in words in ``details``."""
    return chronology.chronology(ctx, child_id, offset=offset, limit=limit, kinds=kind or [], date_from=date_from,
                                 date_to=date_to, oldest_first=oldest_first)


@router.post("/children/{child_id}/events", response_model=EventPublic, status_code=201)
def record_event(child_id: int, body: EventCreate, ctx: CtxDep) -> Any:
    """Record an event (one small form); 409 if the pathway needs something first or the version is stale."""
    event, version = events.record_with_version(ctx, child_id, body)
    return event_public(event, ctx.actor.username, version)


@router.get("/children/{child_id}/allowed-events", response_model=list[str])
def allowed(child_id: int, ctx: CtxDep) -> Any:
    """The events you may record for this child now."""
    child = records.load_child(ctx, child_id, write=False)
    ctx.audit("read", child_id=child.id, entity="allowed_events")
    role = ctx.role
    if role is None or role not in access.WRITE_ROLES:
        return []
    return allowed_events(Stage(child.stage), role, events.facts(ctx.session, child))


@router.get("/children/{child_id}/network", response_model=list[RelationshipPublic])
def network(child_id: int, ctx: CtxDep) -> Any:
    """Who matters to the child."""
    return records.network(ctx, child_id)


@router.get("/children/{child_id}/audit", response_model=Page[AuditEntryPublic])
def who_saw(child_id: int, ctx: CtxDep, limit: Limit = 50, offset: Offset = 0) -> Any:
    """Who read or changed the child's record (team manager, administrator)."""
    return records.who_saw(ctx, child_id, limit=limit, offset=offset)


@router.get("/caseload")
def my_caseload(ctx: CtxDep, user_id: int | None = None, limit: Limit = 100, offset: Offset = 0,
                sort: str = "urgency", stage: str | None = None) -> Any:
    """A worker's caseload with open deadlines, the most urgent first unless ``sort`` says otherwise."""
    page = caseload.caseload(ctx, user_id, limit=limit, offset=offset, sort=sort, stage=stage)
    return {"items": [vars(row) | {"deadlines": [d.model_dump(mode="json") for d in row.deadlines]}
                      for row in page.items], "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/teams/{team_id}/deadlines")
def team_deadlines(team_id: int, ctx: CtxDep, limit: Limit = 200, offset: Offset = 0) -> Any:
    """A team's overdue and due-soon deadlines."""
    page = caseload.team_deadlines(ctx, team_id, limit=limit, offset=offset)
    return {"items": [{"deadline": r.deadline.model_dump(mode="json"), "child_id": r.child_id,
                       "child_name": r.child_name, "workers": r.workers} for r in page.items],
            "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/analyst/children", response_model=Page[ChildPseudonymised])
def analyst_children(ctx: CtxDep, stage: Stage | None = None, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Every child, pseudonymised (analysts)."""
    return caseload.pseudonymised_children(ctx, stage=stage.value if stage else None, limit=limit, offset=offset)


@router.get("/audit/verify")
def verify_audit(ctx: CtxDep) -> Any:
    """Check the audit log's hash chains end to end (administrators)."""
    if ctx.role is not Role.ADMIN:
        raise AccessDenied("only administrators verify the audit log")
    problems = verify(ctx.session, ctx.settings.audit_checkpoint)
    ctx.audit("verify_audit", detail={"problems": len(problems)})
    return {"is_intact": not problems, "problems": problems[:100]}


@router.get("/returns/{year}/gaps")
def return_gaps(year: int, ctx: CtxDep) -> Any:
    """Before the year's returns are written: which children lack what DfE's rules require (administrators)."""
    from careflow import codes
    from careflow.record.errors import InvalidInput
    from careflow.record.services.export import submission_gaps

    if year not in {int(y) for y in codes.years("ssda903")}:
        raise InvalidInput(f"no SSDA903 code lists for the year ending 31 March {year}", "year")
    gaps = submission_gaps(ctx, year)
    return {"year": year, "total": len(gaps), "gaps": [g.as_dict() for g in gaps]}


# --- finding children, the work (issue 11) ------------------------------------------------------------------


@router.get("/children")
def find_children(ctx: CtxDep, q: Annotated[str, Query(max_length=200)] = "",
                  limit: Annotated[int, Query(ge=1, le=100)] = 50) -> Any:
    """Find a child you may see by name (forgiving spelling and order), date of birth, NHS number, UPN or
    postcode (audited)."""
    parsed, found = search.search_children(ctx, q, limit=limit)
    return {"searched_by": parsed.kinds, "items": [vars(f) | {"stage_label": f.stage_label} for f in found],
            "total": len(found)}


@router.post("/children/{child_id}/tasks", response_model=TaskPublic, status_code=201)
def add_task(child_id: int, body: TaskCreate, ctx: CtxDep) -> Any:
    """A task on the child's record, for you or a worker of your team."""
    return work.add_task(ctx, child_id, body)


@router.get("/children/{child_id}/tasks", response_model=list[TaskPublic])
def child_tasks(child_id: int, ctx: CtxDep, include_done: bool = False) -> Any:
    """The child's tasks."""
    return work.my_tasks(ctx, child_id=child_id, include_done=include_done)


@router.get("/tasks", response_model=list[TaskPublic])
def my_tasks(ctx: CtxDep) -> Any:
    """Your open tasks, soonest due first (with reminders due)."""
    return work.my_tasks(ctx)


@router.post("/tasks/{task_id}/done", response_model=TaskPublic)
def complete_task(task_id: int, ctx: CtxDep) -> Any:
    """Mark a task done."""
    return work.complete_task(ctx, task_id)


@router.get("/team/overview")
def team_overview(ctx: CtxDep) -> Any:
    """The team's unallocated children and each worker's caseload (team managers)."""
    unallocated, loads = work.team_overview(ctx)
    return {"unallocated": [vars(u) | {"stage_label": u.stage_label} for u in unallocated],
            "workers": [vars(w) for w in loads]}


@router.get("/team/advocacy-summary")
def advocacy_summary(ctx: CtxDep, year_from: dt.date) -> Any:
    """The year's opt-out advocacy for the team's children, from ``year_from`` (team managers)."""
    return work.advocacy_summary(ctx, year_from)
