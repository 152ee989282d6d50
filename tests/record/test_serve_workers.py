"""Serving from several worker processes: answers come without the 40 ms Nagle/delayed-ACK stall."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from careflow.record.db import make_engine, migrate

from .conftest import fast_settings


def test_two_workers_answer_promptly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    engine = make_engine(fast_settings(database_url=url))
    migrate(engine)  # before the workers start, so they do not race to migrate
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from careflow.record.serve import run_workers; run_workers('127.0.0.1', {port}, 2)"
    server = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "CAREFLOW_DATABASE_URL": url,
                                                                      "CAREFLOW_SECRET_KEY": "k" * 32})
    try:
        conn = None
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        assert conn is not None
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            assert response.read() == b"ok" and response.getheader("x-frame-options") == "DENY"
            timings.append(time.perf_counter() - started)
        assert statistics.median(timings) < 0.02, timings  # 40 ms a request with Nagle's algorithm left on
    finally:
        server.terminate()
        server.wait(timeout=30)
