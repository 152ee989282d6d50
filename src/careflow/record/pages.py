"""Server-rendered pages (Jinja2 + htmx): log in, my caseload, a child's timeline and network, record an event,
the team's overdue dashboard, the analysts' pseudonymised list, administration. Thin: services do the work.

Forms post normally (they work without JavaScript); htmx only swaps the event form in place. Every form carries
the session's CSRF token; Jinja2 escapes everything it prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from careflow.record.api import client_address, set_session_cookie
from careflow.record.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, CtxDep, DbDep, UserDep, get_state
from careflow.record.errors import AccessDenied, InvalidInput, NotAuthenticated, RecordError, ServiceBusy, Throttled
from careflow.record.forms import field_specs, form_values
from careflow.record.graph import network_graph
from careflow.record.labels import field_label, human_date, validation_message, words
from careflow.record.models import Event, Relationship, User
from careflow.record.pathway import ADVOCATE_EVENTS, TRANSITIONS, Role, Stage, allowed_events
from careflow.record.schemas import EVENT_FORMS, ChildCreate, TaskCreate
from careflow.record.security import new_token, same_token
from careflow.record.services import access, auth, caseload, chronology, events, records, search, work
from careflow.record.services.context import Ctx
from careflow.record.services.correction_events import SIGNED_OFF_KINDS

__all__ = ["error_page", "router"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["day"] = human_date
TEMPLATES.env.filters["words"] = words
TEMPLATES.env.filters["field_label"] = field_label
router = APIRouter(include_in_schema=False)
T = TypeVar("T")


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    context["Role"] = Role
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status: int, message: str, needs: list[str]) -> HTMLResponse:
    """An error as a page: what went wrong and, for a 409, what is needed first."""
    return _render(request, "error.html", status_code=status, status=status, message=message, needs=needs)


def _attempt(ctx: Ctx, fn: Callable[[], T]) -> tuple[T | None, str | None, list[str], int]:
    """Run ``fn`` in a savepoint: on a record or validation error nothing it wrote stays; returns the result, or the
    message, what is needed first and the HTTP status."""
    try:
        with ctx.session.begin_nested():
            return fn(), None, [], 200
    except ValidationError as exc:
        return None, validation_message(exc.errors()), [], 422
    except RecordError as exc:
        return None, exc.message, [str(n) for n in getattr(exc, "needs", [])], exc.status


@router.get("/login")
def login_page(request: Request) -> Response:
    """The login form (with a double-submit CSRF token in a cookie)."""
    token = new_token()
    response = _render(request, "login.html", login_csrf=token, error=None,
                       sso=bool(get_state(request).settings.oidc_issuer))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login")
async def login_submit(request: Request, session: DbDep) -> Response:
    """Check the password and start a session."""
    form = await request.form()
    if not same_token(str(form.get("csrf_token") or ""), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _render(request, "login.html", status_code=403, login_csrf="", error="The form expired: reload it.")
    state = get_state(request)
    try:
        # In a worker thread: the password check (argon2) must not hold up the event loop.
        token, _login_session, _user = await run_in_threadpool(
            auth.login, session, state.settings, state.passwords, str(form.get("username") or ""),
            str(form.get("password") or ""), client_address(request))
    except (NotAuthenticated, ServiceBusy) as exc:
        fresh = new_token()
        page = _render(request, "login.html", status_code=exc.status, login_csrf=fresh, error=exc.message)
        if isinstance(exc, Throttled | ServiceBusy):
            page.headers["retry-after"] = str(exc.retry_after)
        page.set_cookie(LOGIN_CSRF_COOKIE, fresh, httponly=True, samesite="strict", path="/login")
        return page
    redirect = RedirectResponse("/", status_code=303)
    set_session_cookie(redirect, request, token)
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return redirect


@router.post("/logout")
def logout(ctx: CtxDep, current: UserDep) -> Response:
    """End the session."""
    auth.logout(ctx, current.login_session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(ctx: CtxDep) -> Response:
    """Each role's start page."""
    role = ctx.role
    target = {Role.ANALYST: "/analyst", Role.ADMIN: "/admin", Role.TEAM_MANAGER: "/team"}.get(role, "/caseload")  # type: ignore[arg-type]
    return RedirectResponse(target, status_code=303)


@router.get("/caseload")
def caseload_page(request: Request, ctx: CtxDep, offset: int = 0, sort: str = "urgency",
                  stage: str | None = None, user_id: int | None = None) -> Response:
    """My caseload with deadlines (the most urgent first) and my tasks; a team manager may open a worker's."""
    page = caseload.caseload(ctx, user_id, limit=100, offset=max(0, offset), sort=sort, stage=stage or None)
    tasks = work.my_tasks(ctx) if ctx.role in access.WRITE_ROLES and user_id in (None, ctx.actor.user_id) else []
    stages = [(s.value, s.label) for s in Stage if s not in (Stage.NONE,)]
    return _render(request, "caseload.html", page=page, today=ctx.today, sort=sort, stage=stage or "",
                   stages=stages, tasks=tasks)


@router.get("/team")
def team_page(request: Request, ctx: CtxDep) -> Response:
    """The team's overdue and due-soon deadlines."""
    page = caseload.team_deadlines(ctx, limit=200)
    unallocated, loads = work.team_overview(ctx) if ctx.role is Role.TEAM_MANAGER else ([], [])
    return _render(request, "team.html", page=page, today=ctx.today, unallocated=unallocated, loads=loads,
                   is_manager=ctx.role is Role.TEAM_MANAGER)


@router.get("/analyst")
def analyst_page(request: Request, ctx: CtxDep, offset: int = 0) -> Response:
    """Pseudonymised list of children (analysts)."""
    page = caseload.pseudonymised_children(ctx, limit=100, offset=max(0, offset))
    return _render(request, "analyst.html", page=page)


@router.get("/admin")
def admin_page(request: Request, ctx: CtxDep) -> Response:
    """Users and the audit log check (administrators)."""
    if ctx.role is not Role.ADMIN:
        raise AccessDenied("only administrators see this page")
    users = auth.list_users(ctx, limit=500)
    return _render(request, "admin.html", users=users, teams=auth.list_teams(ctx))


@router.get("/children/new")
def new_child_page(request: Request, ctx: CtxDep) -> Response:
    """The first-conversation form."""
    access.require_role(ctx, access.WRITE_ROLES, "open children's records")
    return _render(request, "new_child.html", fields=field_specs(ChildCreate, ctx.today), values={}, error=None)


@router.post("/children/new")
async def new_child_submit(request: Request, ctx: CtxDep) -> Response:
    """Open the record."""
    form = await request.form()
    values = form_values(ChildCreate, form)
    child, error, _needs, status = _attempt(ctx, lambda: records.create_child(ctx,
                                                                                 ChildCreate.model_validate(values)))
    if child is None:
        return _render(request, "new_child.html", status_code=status, fields=field_specs(ChildCreate, ctx.today),
                       values=values, error=error)
    return RedirectResponse(f"/children/{child.id}", status_code=303)


def _people_choices(ctx: Ctx, child_id: int) -> dict[str, list[tuple[str, str]]]:
    team_users = ctx.session.execute(select(User.id, User.display_name, User.role).where(User.is_active.is_(True)))
    users = [(str(i), f"{n} ({Role(r).label})") for i, n, r in team_users]
    advocates = [(i, n) for i, n in users if "(advocate)" in n]
    network = ctx.session.scalars(select(Relationship).where(Relationship.child_id == child_id)).all()
    people = [(str(r.person_id), f"{r.person.given_name} {r.person.family_name} ({r.kind})") for r in network]
    entries = ctx.session.execute(
        select(Event.id, Event.kind, Event.occurred_on).where(Event.child_id == child_id)
        .order_by(Event.occurred_on.desc(), Event.id.desc()).limit(300)
    ).all()
    earlier = [(str(i), f"{human_date(d)}: {TRANSITIONS[k].label}") for i, k, d in entries]
    signable = [(str(i), f"{human_date(d)}: {TRANSITIONS[k].label}") for i, k, d in entries if k in SIGNED_OFF_KINDS]
    return {"advocate_id": advocates, "user_id": users, "supervising_social_worker_id": users,
            "carer_person_id": people, "corrects_event_id": earlier, "signed_off_event_id": signable}


def _child_context(ctx: Ctx, child_id: int) -> dict[str, Any]:
    child = records.read_child(ctx, child_id)
    timeline = chronology.chronology(ctx, child_id, limit=100)
    network = records.network(ctx, child_id)
    menu: list[tuple[str, str]] = []
    role = ctx.role
    if role in access.WRITE_ROLES and role is not None:
        loaded = records.load_child(ctx, child_id, write=False)
        menu = [(k, TRANSITIONS[k].label)
                for k in allowed_events(Stage(child.stage), role, events.facts(ctx.session, loaded))]
    elif role is Role.ADVOCATE:
        menu = [(k, TRANSITIONS[k].label) for k in sorted(ADVOCATE_EVENTS)]
    graph = network_graph(child.given_name, [
        (f"{r.person.given_name} {r.person.family_name}", r.relationship, r.has_parental_responsibility,
         r.is_family_network_plan_carer) for r in network
    ])
    tasks = work.my_tasks(ctx, child_id=child_id) if role in access.WRITE_ROLES else []
    return {"child": child, "timeline": timeline, "network": network, "graph": graph, "menu": menu,
            "stage_label": Stage(child.stage).label, "tasks": tasks}


@router.get("/children/{child_id}")
def child_page(request: Request, child_id: int, ctx: CtxDep) -> Response:
    """A child's record: deadlines, timeline, family network, and the events that may be recorded now."""
    return _render(request, "child.html", **_child_context(ctx, child_id), today=ctx.today)


@router.get("/children/{child_id}/record")
def event_form(request: Request, child_id: int, kind: str, ctx: CtxDep) -> Response:
    """The small form of one event (an htmx fragment, or a page without JavaScript)."""
    if kind not in EVENT_FORMS:
        raise InvalidInput(f"no event kind {kind!r}", "kind")
    child = records.load_child(ctx, child_id, write=not (ctx.role is Role.ADVOCATE and kind in ADVOCATE_EVENTS))
    ctx.audit("read", child_id=child.id, entity="event_form", detail={"kind": kind})
    specs = field_specs(EVENT_FORMS[kind], ctx.today, _people_choices(ctx, child_id))
    template = "event_form.html" if request.headers.get("hx-request") else "event_page.html"
    return _render(request, template, child_id=child_id, kind=kind, label=TRANSITIONS[kind].label,
                   fields=specs, values={}, version=child.version, error=None, needs=[])


@router.post("/children/{child_id}/record")
async def event_submit(request: Request, child_id: int, ctx: CtxDep) -> Response:
    """Record the event; on a problem, the form again with what went wrong and what is needed first."""
    form = await request.form()
    kind = str(form.get("kind") or "")
    if kind not in EVENT_FORMS:
        raise InvalidInput(f"no event kind {kind!r}", "kind")
    model = EVENT_FORMS[kind]
    values = form_values(model, form)
    values["kind"] = kind
    _event, error, needs, status = _attempt(ctx, lambda: events.record(ctx, child_id, model.model_validate(values)))
    if error is None:
        return RedirectResponse(f"/children/{child_id}", status_code=303)
    child = records.load_child(ctx, child_id, write=False)
    specs = field_specs(model, ctx.today, _people_choices(ctx, child_id))
    return _render(request, "event_page.html", status_code=status, child_id=child_id, kind=kind,
                   label=TRANSITIONS[kind].label, fields=specs, values=values, version=child.version, error=error,
                   needs=needs)


@router.get("/children/{child_id}/audit")
def audit_page(request: Request, child_id: int, ctx: CtxDep) -> Response:
    """Who saw this child's record."""
    page = records.who_saw(ctx, child_id, limit=200)
    return _render(request, "audit.html", page=page, child_id=child_id)


# --- finding a child, the chronology, tasks (issue 11) ------------------------------------------------------


@router.get("/children")
def children_search(q: str = "") -> Response:
    """``/children?q=`` is the search page."""
    from urllib.parse import urlencode

    return RedirectResponse(f"/search?{urlencode({'q': q})}", status_code=303)


@router.get("/search")
def search_page(request: Request, ctx: CtxDep, q: str = "") -> Response:
    """Find a child by name, date of birth, NHS number, UPN or postcode."""
    if not q.strip():
        access.require_role(ctx, access.READ_ROLES, "search children's records")
        return _render(request, "search.html", q="", found=None, searched_by=[], error=None)
    result, error, _needs, status = _attempt(ctx, lambda: search.search_children(ctx, q))
    parsed, found = result if result is not None else (None, None)
    return _render(request, "search.html", status_code=status, q=q, found=found,
                   searched_by=parsed.kinds if parsed else [], error=error)


def _chronology_filters(kind: list[str] | None, date_from: str, date_to: str) -> dict[str, Any]:
    def day(value: str, field: str) -> Any:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"{field_label(field)}: not a date", field) from None

    return {"kinds": [k for k in (kind or []) if k], "date_from": day(date_from, "date_from"),
            "date_to": day(date_to, "date_to")}


@router.get("/children/{child_id}/chronology")
def chronology_page(request: Request, child_id: int, ctx: CtxDep, kind: Annotated[list[str] | None, Query()] = None,
                    date_from: str = "", date_to: str = "", offset: int = 0) -> Response:
    """The whole chronology, oldest first, filterable, printable (with its protective marking)."""
    filters = _chronology_filters(kind, date_from, date_to)
    child = records.read_child(ctx, child_id)
    page = chronology.chronology(ctx, child_id, offset=max(0, offset), limit=500, oldest_first=True, **filters)
    return _render(request, "chronology.html", child=child, page=page, kinds=chronology.KIND_CHOICES,
                   chosen=filters["kinds"], date_from=date_from, date_to=date_to,
                   printed_at=dt_now(), query=str(request.url.query))


def dt_now() -> dt.datetime:
    """Now, in UTC (when a page was printed)."""
    return dt.datetime.now(dt.UTC)


@router.get("/children/{child_id}/chronology.pdf")
def chronology_pdf(child_id: int, ctx: CtxDep, kind: Annotated[list[str] | None, Query()] = None,
                   date_from: str = "", date_to: str = "") -> Response:
    """The chronology as a PDF for a court bundle or a subject access request (audited as a print)."""
    from careflow.record.printing import chronology_pdf as make_pdf

    filters = _chronology_filters(kind, date_from, date_to)
    child = records.read_child(ctx, child_id)
    entries = []
    offset = 0
    while True:
        page = chronology.chronology(ctx, child_id, offset=offset, limit=500, oldest_first=True, **filters)
        entries.extend(page.items)
        offset += page.limit
        if offset >= page.total:
            break
    described = ""
    if filters["kinds"]:
        described += "; only " + ", ".join(TRANSITIONS[k].label for k in filters["kinds"])
    if filters["date_from"] or filters["date_to"]:
        start, end = human_date(filters["date_from"]) or "the start", human_date(filters["date_to"]) or "today"
        described += f"; from {start} to {end}"
    ctx.audit("print", child_id=child_id, entity="chronology", detail={"entries": len(entries)})
    body = make_pdf(child, entries, printed_by=ctx.actor.username or "", printed_at=dt_now(), filters=described)
    name = f"chronology-{child.la_child_id}.pdf"
    return Response(body, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{name}"'})


@router.post("/children/{child_id}/tasks")
async def task_submit(request: Request, child_id: int, ctx: CtxDep) -> Response:
    """Add a task from the child's page."""
    form = await request.form()
    values = form_values(TaskCreate, form)
    _task, error, needs, status = _attempt(ctx, lambda: work.add_task(ctx, child_id, TaskCreate.model_validate(values)))
    if error is not None:
        return error_page(request, status, error, needs)
    return RedirectResponse(f"/children/{child_id}#tasks", status_code=303)


@router.post("/tasks/{task_id}/done")
def task_done(task_id: int, ctx: CtxDep) -> Response:
    """Mark a task done and go back to the caseload."""
    task = work.complete_task(ctx, task_id)
    return RedirectResponse(f"/children/{task.child_id}#tasks", status_code=303)
