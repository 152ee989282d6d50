"""The app factory: nothing is built at import; :func:`create_app` makes the engine, migrates, and wires routes.

Errors are mapped to HTTP here, once: each :class:`~careflow.record.errors.RecordError` carries its status, and
its message (with what is needed first, for a 409) is the response's ``detail``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from careflow.record import audit
from careflow.record.db import make_engine, migrate, session_factory
from careflow.record.deps import AppState
from careflow.record.errors import NotAuthenticated, RecordError
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


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether or not they announce their length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse({"detail": f"the request body is larger than {self.limit:,} bytes"}, status_code=413)
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(Exception):
    pass


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


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


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
    engine = engine or make_engine(settings)
    if run_migrations:
        migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session, session.begin():
        audit.ensure_chains(session, settings.audit_chains)
    state = AppState(settings=settings, sessions=sessions, passwords=Passwords(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
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
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's list stays in ``detail`` for programs; ``message`` names each field in words for people.
        from fastapi.encoders import jsonable_encoder

        from careflow.record.labels import validation_message

        errors = list(exc.errors())
        return JSONResponse({"detail": jsonable_encoder(errors), "message": validation_message(errors)},
                            status_code=422)

    from careflow.record.api import router as api_router
    from careflow.record.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def _health() -> HTMLResponse:
        return HTMLResponse("ok")

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: a refused body's 413 carries the headers too
    return app
