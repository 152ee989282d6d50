"""Operations: the JSON access log, a request id on every answer, and the health and readiness probes.

Each request is one JSON line on the ``careflow.record`` logger: time, request id (the client's ``X-Request-ID`` if
it is a plain token, else a new one; returned on the answer), method, route template (``/api/children/{child_id}``,
never the query string), status, milliseconds and the signed-in user's id. Nothing a user typed is logged: an
exception is logged by its type and route only (never its message, which can quote the data, as PostgreSQL's did)
and answered with a plain 500, so no traceback carrying data reaches the server's log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse

__all__ = ["AccessLog", "JsonFormatter", "configure_logging", "logger"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("careflow.record")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger and the record's ``fields`` (or its message)."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {"time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
                                   "level": record.levelname.lower(), "logger": record.name}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update(fields)
        else:
            payload["message"] = record.getMessage()
        return json.dumps(payload, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on standard output for careflow's loggers (once per process)."""
    root = logging.getLogger("careflow")
    if any(getattr(h, "_careflow_json", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler._careflow_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def _user_id(scope: Scope) -> int | None:
    state = scope.get("state")
    actor = state.get("actor") if isinstance(state, dict) else None
    return getattr(actor, "user_id", None)


class AccessLog:
    """Log each request as one JSON line, give it a request id, and turn an unexpected exception into a 500 logged
    by type only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_id = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        error: str | None = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error = type(exc).__name__
            if not response_started:
                await JSONResponse({"detail": "something went wrong on our side; it has been logged",
                                    "request_id": request_id}, status_code=500)(scope, receive, send_with_id)
            status = 500
        route = scope.get("route")
        fields: dict[str, Any] = {
            "event": "request", "request_id": request_id, "method": scope.get("method"),
            "route": getattr(route, "path", None) or ("/static" if scope.get("path", "").startswith("/static")
                                                      else "unmatched"),
            "status": status, "ms": round((time.perf_counter() - started) * 1000, 1), "user_id": _user_id(scope),
        }
        if error is not None:
            fields["error"] = error
            logger.error("request failed", extra={"fields": fields})
        else:
            logger.info("request", extra={"fields": fields})
