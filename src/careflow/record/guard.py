"""What every request is checked for before any route sees it: its size, and characters no record should hold.

:class:`RequestGuard` reads the whole body first (it is small: ``max_body_bytes``), so a body over the limit is a
413 whether it announced its length or came in chunks, and then refuses with 422, naming the field but never
repeating its value, any text holding

- a control character (U+0000 to U+001F but tab, line feed and carriage return; U+007F to U+009F) or a lone
  surrogate: PostgreSQL cannot store a NUL, and the error it raised (a 500) carried the child's details into the
  server's log; SQLite stored it silently;
- in a name, a bidirectional control or zero-width character (U+200B to U+200F, U+202A to U+202E, U+2060 to U+2064,
  U+2066 to U+2069, U+FEFF, and every other format character), which makes a name display as something else or
  two names look the same. The zero-width non-joiner and joiner (U+200C, U+200D) are kept between two non-Latin
  letters, where scripts such as Persian and the Indic scripts need them.

It looks at the query string, and at JSON and form bodies (every string, at any depth, and every key).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse

__all__ = ["RequestGuard", "text_problem"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_JOINERS = {"\u200c", "\u200d"}


def _is_name(field: str) -> bool:
    return field == "name" or field.endswith("_name") or field.endswith("name")


def text_problem(field: str, value: str) -> str | None:
    """Why ``value`` (the text of ``field``) is refused, or None."""
    for index, char in enumerate(value):
        code = ord(char)
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cs":
            return f"{field} contains a control character (U+{code:04X}): remove it"
        if category == "Cf" and _is_name(field):
            if char in _JOINERS and 0 < index < len(value) - 1 and all(
                    value[i].isalpha() and not value[i].isascii() and "LATIN" not in unicodedata.name(value[i], "")
                    for i in (index - 1, index + 1)):
                continue
            return (f"{field} contains an invisible formatting character (U+{code:04X}, "
                    f"{unicodedata.name(char, 'format character').lower()}): type the name without it")
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            yield f"{path}.{key_text}" if path else key_text, key_text
            yield from _strings(item, f"{path}.{key_text}" if path else key_text)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _problem(pairs: Iterator[tuple[str, str]]) -> tuple[str, str] | None:
    for field, value in pairs:
        leaf = field.rsplit(".", 1)[-1].split("[", 1)[0]
        problem = text_problem(leaf, value)
        if problem is not None:
            return field, problem.replace(leaf, field, 1)
    return None


def _form_pairs(text: str) -> Iterator[tuple[str, str]]:
    for key, value in parse_qsl(text, keep_blank_values=True):
        yield key, key
        yield key, value


class RequestGuard:
    """Refuse bodies over ``limit`` bytes with 413 (announced or chunked), and control, bidi and zero-width
    characters with 422, before the app sees the request."""

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
            await self._refuse(send, 413, f"the request body is larger than {self.limit:,} bytes")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = bool(message.get("more_body"))
            if len(body) > self.limit:
                await self._refuse(send, 413, f"the request body is larger than {self.limit:,} bytes")
                return
        found = _problem(_form_pairs(scope.get("query_string", b"").decode("latin-1")))
        path_problem = text_problem("path", scope.get("path", ""))
        if found is None and path_problem is not None:
            found = ("path", path_problem)
        if found is None and body:
            found = self._body_problem(headers.get(b"content-type", b"").decode("latin-1"), bytes(body))
        if found is not None:
            await self._refuse(send, 422, found[1], field=found[0])
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _body_problem(content_type: str, body: bytes) -> tuple[str, str] | None:
        text = body.decode("utf-8", errors="replace")
        if content_type.startswith("application/json"):
            try:
                parsed = json.loads(text)
                return _problem(_strings(parsed, ""))
            except ValueError:
                return None  # not JSON: the route's own validation answers
            except RecursionError:
                return "body", "the JSON is nested too deeply"
        if content_type.startswith("application/x-www-form-urlencoded"):
            return _problem(_form_pairs(text))
        if content_type.startswith("multipart/"):
            return None
        return _problem(iter([("body", text)]))

    @staticmethod
    async def _refuse(send: Send, status: int, detail: str, field: str | None = None) -> None:
        body: dict[str, Any] = {"detail": detail}
        if field is not None:
            body["field"] = field
        response = JSONResponse(body, status_code=status)

        async def no_receive() -> Message:
            return {"type": "http.disconnect"}

        await response({"type": "http"}, no_receive, send)
