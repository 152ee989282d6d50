"""Users, teams, logins and sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from careflow.record import audit
from careflow.record.audit import Actor
from careflow.record.errors import InvalidInput, NotAuthenticated
from careflow.record.models import LoginSession, Team, User
from careflow.record.pathway import Role
from careflow.record.schemas import Page, TeamPublic, UserCreate, UserPublic
from careflow.record.security import Passwords, new_token, password_problem, token_hash
from careflow.record.services import access, throttle
from careflow.record.services.context import Ctx
from careflow.record.settings import Settings

__all__ = ["actor_of", "create_team", "create_user", "list_teams", "list_users", "login",
           "logout", "resolve_session", "unlock_user"]


def actor_of(user: User) -> Actor:
    """The audit actor of a user."""
    return Actor(user.id, user.username, user.role, user.team_id)


def login(session: Session, settings: Settings, passwords: Passwords, username: str,
          password: str, client: str = "unknown") -> tuple[str, LoginSession, User]:
    """Check the password; on success a new session (the token goes in the cookie, its hash in the table).

    Failed sign-ins are throttled by account and client (:mod:`careflow.record.services.throttle`): an attempt that
    must wait is refused before the password is checked.

    Raises:
        Throttled: too many failures lately; the message says how long to wait (429, ``Retry-After``).
        ServiceBusy: too many password checks at once (503).
        NotAuthenticated: unknown user, deactivated account or wrong password (one message for the three, so it
            does not tell which usernames exist).
    """
    name = username.strip().lower()
    throttle.check(session, settings, name, client)
    user = session.scalar(select(User).where(User.username == name))
    # End the transaction before the password check: argon2 takes tens of milliseconds, and no lock (SQLite's
    # write lock, PostgreSQL's connection) should be held through it. What follows runs in a new transaction.
    session.commit()
    ok = passwords.verify(user.password_hash if user else None, password)
    if user is None or not user.is_active or not ok:
        throttle.failed(session, settings, name, client)
        if user is not None:
            user.failed_logins += 1
            audit.append(session, actor_of(user), "login_failed", chains=settings.audit_chains)
        session.commit()  # the failure counts and the audit entry stand even though the request fails
        raise NotAuthenticated("wrong username or password")
    throttle.succeeded(session, settings, name, client)
    user.failed_logins = 0
    token, login_session = start_session(session, settings, user)
    return token, login_session, user


def start_session(session: Session, settings: Settings, user: User, via: str | None = None) -> tuple[str, LoginSession]:
    """A new session for a user whose identity was checked (password, or single sign-on ``via``); audited."""
    now = settings.now()
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    token = new_token()
    login_session = LoginSession(token_hash=token_hash(token), user_id=user.id, csrf_token=new_token(),
                                 created_at=now, expires_at=now + dt.timedelta(hours=settings.session_hours))
    session.add(login_session)
    audit.append(session, actor_of(user), "login", chains=settings.audit_chains, detail={"via": via} if via else None)
    return token, login_session


def audit_sign_in_refused(session: Session, settings: Settings, username: str, client: str) -> None:
    """Audit a single sign-on for someone with no active careflow account."""
    audit.append(session, audit.SYSTEM, "login_refused", chains=settings.audit_chains,
                 detail={"username": username[:80], "client": client[:60], "via": "oidc"})


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def resolve_session(session: Session, settings: Settings, token: str | None) -> tuple[User, LoginSession]:
    """The user and session of a cookie token: expiry slides with use, but a session never outlives
    ``session_absolute_hours`` after sign-in. Raises :class:`NotAuthenticated`."""
    if not token:
        raise NotAuthenticated("log in first")
    found = session.execute(
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == token_hash(token))
    ).first()
    now = settings.now()
    if found is None:
        raise NotAuthenticated("your session has ended; log in again")
    login_session, user = found
    expires = _aware(login_session.expires_at)
    absolute = _aware(login_session.created_at) + dt.timedelta(hours=settings.session_absolute_hours)
    if expires < now or absolute < now or not user.is_active:
        raise NotAuthenticated("your session has ended; log in again")
    if expires - now < dt.timedelta(hours=settings.session_hours) / 2:
        login_session.expires_at = min(now + dt.timedelta(hours=settings.session_hours), absolute)
    return user, login_session


def logout(ctx: Ctx, login_session: LoginSession) -> None:
    """End a session."""
    ctx.session.delete(login_session)
    ctx.audit("logout")


def create_team(ctx: Ctx, name: str, kind: str) -> TeamPublic:
    """A new team (administrators)."""
    access.require_role(ctx, frozenset({Role.ADMIN}), "create teams")
    team = Team(name=name, kind=kind)
    ctx.session.add(team)
    ctx.session.flush()
    ctx.audit("admin", entity="team", entity_id=team.id)
    return TeamPublic.model_validate(team)


def create_user(ctx: Ctx, form: UserCreate, passwords: Passwords) -> UserPublic:
    """A new user (administrators)."""
    access.require_role(ctx, frozenset({Role.ADMIN}), "create users")
    try:
        role = Role(form.role)
    except ValueError:
        raise InvalidInput(f"role {form.role!r} is not one of {', '.join(r.value for r in Role)}", "role") from None
    if form.team_id is not None and ctx.session.get(Team, form.team_id) is None:
        raise InvalidInput(f"no team {form.team_id}", "team_id")
    if ctx.session.scalar(select(User.id).where(User.username == form.username)) is not None:
        raise InvalidInput(f"username {form.username!r} is taken", "username")
    problem = password_problem(form.password, username=form.username, display_name=form.display_name)
    if problem is not None:
        raise InvalidInput(problem, "password")
    user = User(username=form.username, display_name=form.display_name, role=role.value, team_id=form.team_id,
                registration_number=form.registration_number, password_hash=passwords.hash(form.password),
                is_active=True, failed_logins=0)
    ctx.session.add(user)
    ctx.session.flush()
    ctx.audit("admin", entity="user", entity_id=user.id, detail={"role": role.value})
    return UserPublic.model_validate(user)


def unlock_user(ctx: Ctx, user_id: int) -> UserPublic:
    """Clear a user's failed logins so they may log in again (administrators)."""
    access.require_role(ctx, frozenset({Role.ADMIN}), "unlock users")
    user = ctx.session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"no user {user_id}", "user_id")
    user.failed_logins = 0
    throttle.clear_account(ctx.session, user.username)
    ctx.session.flush()
    ctx.audit("admin", entity="user", entity_id=user.id, detail={"unlocked": True})
    return UserPublic.model_validate(user)


def list_users(ctx: Ctx, *, limit: int = 100, offset: int = 0) -> Page[UserPublic]:
    """Users: all for administrators, the team for everyone else who works with children."""
    role = access.require_role(ctx, access.PRACTITIONERS | {Role.ADMIN}, "list users")
    query = select(User).where(User.is_active.is_(True))
    if role is not Role.ADMIN:
        query = query.where(User.team_id == ctx.actor.team_id)
    total = ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = ctx.session.scalars(query.order_by(User.id).limit(limit).offset(offset)).all()
    return Page[UserPublic](items=[UserPublic.model_validate(u) for u in rows], total=total, limit=limit,
                            offset=offset)


def list_teams(ctx: Ctx) -> list[TeamPublic]:
    """All teams (any logged-in user)."""
    return [TeamPublic.model_validate(t) for t in ctx.session.scalars(select(Team).order_by(Team.id))]
