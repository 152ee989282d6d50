"""The app factory: nothing is built at import; :func:`create_app` makes the engine, migrates, and wires routes.

Errors are mapped to HTTP here, once: each :class:`~careflow.record.errors.RecordError` carries its status, and
its message (with what is needed first, for a 409) is the response's ``detail``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

from careflow.record import audit
from careflow.record.db import head_revision, make_engine, migrate, session_factory
from careflow.record.deps import AppState
from careflow.record.errors import NotAuthenticated, RecordError
from careflow.record.guard import RequestGuard
from careflow.record.observability import AccessLog, configure_logging
from careflow.record.security import Passwords
from careflow.record.settings import Settings

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")


_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                     (b"referrer-policy", b"no-referrer")]


class SecurityHeaders:
    """Security headers on every response: a content security policy (not on the API docs, which load their own
    scripts), no sniffing, no framing, no referrer, and no caching of anything but static files. A plain ASGI
    middleware: it adds the headers as the response starts, without wrapping the request in a task."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = list(_SECURITY_HEADERS)
        if not path.startswith(("/docs", "/redoc")):
            extra.append((b"content-security-policy", _CSP.encode()))
        if not path.startswith("/static"):
            extra.append((b"cache-control", b"no-store"))
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


async def _checkpoint_periodically(settings: Settings, sessions: Any) -> None:
    """Append the audit chains' heads to the checkpoint file every ``audit_checkpoint_minutes`` (each worker; the
    file is locked per line). ``careflow audit watch`` also verifies before it checkpoints."""
    path = settings.audit_checkpoint
    assert path is not None

    def write() -> None:
        with sessions() as session:
            audit.write_checkpoint(session, path)

    while True:
        await asyncio.sleep(settings.audit_checkpoint_minutes * 60)
        try:
            await asyncio.to_thread(write)
        except Exception as exc:
            logging.getLogger("careflow.record").error(
                "audit checkpoint failed", extra={"fields": {"event": "audit_checkpoint", "error": type(exc).__name__}})


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, run_migrations: bool = True
) -> FastAPI:
    """The case-record web app.

    Args:
        settings: what to run with (default: :meth:`Settings.from_env`).
        engine: an engine to use instead of making one from the settings (tests share one).
        run_migrations: bring the database schema to the latest revision at start-up.
    """
    settings = settings or Settings.from_env()
    settings.check_can_serve()
    audit.Keyring.of(settings)  # no key outside the database: refuse to start rather than write unkeyed entries
    engine = engine or make_engine(settings)
    audit.bind_keys(engine, settings)
    configure_logging()
    if run_migrations:
        migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session, session.begin():
        audit.ensure_chains(session, settings.audit_chains)
    state = AppState(settings=settings, sessions=sessions, passwords=Passwords(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        checkpoints = None
        if settings.audit_checkpoint is not None and settings.audit_checkpoint_minutes > 0:
            checkpoints = asyncio.create_task(_checkpoint_periodically(settings, sessions))
        yield
        if checkpoints is not None:
            checkpoints.cancel()
        engine.dispose()

    app = FastAPI(
        title="careflow case record",
        version="0.1.0",
        summary="The reformed pathway of England's children's social care as an audited case record.",
        lifespan=lifespan,
    )
    app.state.record = state

    @app.exception_handler(RecordError)
    async def _record_error(request: Request, exc: RecordError) -> Response:
        if _wants_html(request):
            if isinstance(exc, NotAuthenticated):
                return RedirectResponse("/login", status_code=303)
            from careflow.record.pages import error_page

            return error_page(request, exc.status, exc.message, [str(n) for n in getattr(exc, "needs", [])])
        body: dict[str, Any] = {"detail": exc.message}
        body.update({k: v for k, v in exc.detail.items() if k != "child_id"})
        retry_after = getattr(exc, "retry_after", None)
        headers = {"retry-after": str(retry_after)} if retry_after is not None else None
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # Where, what and why, never the value sent (it may be a password): FastAPI's default echoes the input.
        # ``detail`` keeps the list for programs; ``message`` names each field in words for people.
        from careflow.record.labels import validation_message

        raw = list(exc.errors())
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in raw]
        return JSONResponse({"detail": errors, "message": validation_message(raw)}, status_code=422)

    from careflow.record.api import router as api_router
    from careflow.record.mast_routes import api_router as mast_api_router
    from careflow.record.mast_routes import pages_router as mast_pages_router
    from careflow.record.pages import router as pages_router
    from careflow.record.sso import router as sso_router

    app.include_router(api_router)
    app.include_router(sso_router)  # before the pages: /login/sso is not the login page's
    app.include_router(pages_router)
    app.include_router(mast_api_router)
    app.include_router(mast_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def _health() -> HTMLResponse:
        """The process answers (liveness); says nothing about the database."""
        return HTMLResponse("ok")

    head = head_revision()

    @app.get("/readyz", include_in_schema=False)
    def _ready() -> JSONResponse:
        """Ready for traffic: the database answers and its schema is at the shipped migrations' head."""
        try:
            with engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception as exc:
            return JSONResponse({"ready": False, "database": f"unreachable ({type(exc).__name__})"}, 503)
        if current != head:
            return JSONResponse({"ready": False, "database": "ok",
                                 "migrations": f"at {current}, expected {head}"}, 503)
        return JSONResponse({"ready": True, "database": "ok", "migrations": head})

    app.add_middleware(RequestGuard, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)  # a refused body's 413 carries the headers too
    app.add_middleware(AccessLog)  # outermost: every answer is logged, with its request id
    return app
