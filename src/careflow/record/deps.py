"""FastAPI dependencies: the unit of work, the logged-in user, the CSRF check. Access rules live in
:mod:`careflow.record.services.access`; this module only resolves *who* is asking, once per request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from careflow.record import audit
from careflow.record.errors import AccessDenied, NotFound, RecordError
from careflow.record.models import LoginSession, User
from careflow.record.schemas import UserPublic
from careflow.record.security import Passwords, same_token
from careflow.record.services.auth import actor_of, resolve_session
from careflow.record.services.context import Ctx
from careflow.record.settings import Settings

__all__ = ["SESSION_COOKIE", "AppState", "CtxDep", "DbDep", "UserDep", "get_ctx", "get_db", "get_state"]

SESSION_COOKIE = "careflow_session"
LOGIN_CSRF_COOKIE = "careflow_login_csrf"
_SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass
class AppState:
    """What the app holds for its lifetime: settings, the session factory, the password hasher."""

    settings: Settings
    sessions: sessionmaker[Session]
    passwords: Passwords


def get_state(request: Request) -> AppState:
    """The app's state."""
    state: AppState = request.app.state.record
    return state


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises.

    A refused read of a child's record is itself audited, in a fresh transaction after the rollback.
    """
    state = get_state(request)
    session = state.sessions()
    try:
        session.begin()
        yield session
        session.commit()
    except RecordError as exc:
        session.rollback()
        actor = getattr(request.state, "actor", None)
        if isinstance(exc, AccessDenied | NotFound) and "child_id" in exc.detail and actor is not None:
            reason = str(exc.detail.pop("reason", exc.message))
            with session.begin():
                audit.append(session, actor, "denied", chains=state.settings.audit_chains,
                             child_id=int(exc.detail["child_id"]), entity="child",  # type: ignore[call-overload]
                             detail={"reason": reason[:200]})
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbDep = Annotated[Session, Depends(get_db, scope="function")]


@dataclass
class CurrentUser:
    """The logged-in user and their session."""

    user: User
    login_session: LoginSession


async def _csrf_token_sent(request: Request) -> str | None:
    """The CSRF token an unsafe request sends (header, or the form's field); read on the event loop, no I/O."""
    if request.method in _SAFE:
        return None
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def current_user(request: Request, session: DbDep,
                 csrf_sent: Annotated[str | None, Depends(_csrf_token_sent)]) -> CurrentUser:
    """The user of the session cookie; for unsafe methods, the CSRF token must match the session's.

    A plain function: FastAPI runs it in a worker thread, so the session's query never blocks the event loop.
    """
    state = get_state(request)
    user, login_session = resolve_session(session, state.settings, request.cookies.get(SESSION_COOKIE))
    if request.method not in _SAFE and not same_token(csrf_sent, login_session.csrf_token):
        raise AccessDenied("the CSRF token is missing or wrong: reload the page and try again")
    request.state.actor = actor_of(user)
    request.state.csrf_token = login_session.csrf_token
    request.state.user = UserPublic.model_validate(user)  # a snapshot: pages render after the transaction
    return CurrentUser(user, login_session)


UserDep = Annotated[CurrentUser, Depends(current_user)]


async def get_ctx(request: Request, session: DbDep, current: UserDep) -> Ctx:
    """The unit of work of a logged-in request (no I/O: made on the event loop, not in a worker thread)."""
    return Ctx(session=session, actor=actor_of(current.user), settings=get_state(request).settings)


CtxDep = Annotated[Ctx, Depends(get_ctx)]
