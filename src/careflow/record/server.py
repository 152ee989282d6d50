"""uvicorn's HTTP protocol with Nagle's algorithm off, for serving the record from several worker processes.

uvicorn's worker processes share a listening socket made as ``socket.socket(family)``, whose protocol number is 0;
asyncio sets ``TCP_NODELAY`` only on connections of sockets whose protocol is ``IPPROTO_TCP``, so it leaves
Nagle's algorithm on for them. A response written as headers then body then waits for the client's delayed
acknowledgement (about 40 ms on Linux) before its body goes: a multi-worker server answered in 40 ms what one
worker answers in 1 ms. Imports uvicorn: import this module only to serve.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["NoDelayH11Protocol"]


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, setting ``TCP_NODELAY`` on each TCP connection it serves."""

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
