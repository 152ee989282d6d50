"""A signed-in worker's caseload while strangers flood the sign-in with wrong passwords, with the service's real
argon2 cost (64 MiB x 3): sign-in bounded and throttled (as shipped) against unbounded and unthrottled (as before).

    python benchmarks/bench_sign_in_flood.py --flooders 30 --seconds 10

Serves the app with uvicorn (one worker) on a SQLite file and prints the caseload's p50 and p95 quiet and during
the flood, and how many sign-in attempts the flood made and how many of them reached argon2.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import logging
import multiprocessing
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from careflow.record.app import create_app
from careflow.record.demo import DemoUser, seed_users
from careflow.record.pathway import Role
from careflow.record.settings import Settings

PASSWORD = "benchmark lantern orchard"


def _request(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body) if body is not None else None
    conn.request(method, path, body=data, headers={"content-type": "application/json", **(headers or {})})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer


def _serve(settings: Settings, port: int) -> None:
    app = create_app(settings)
    state = app.state.record
    with state.sessions() as session, session.begin():
        seed_users(session, state.passwords, PASSWORD, (DemoUser("worker", "Worker", Role.FAMILY_HELP_WORKER,
                                                                 "Bench Team"),), (("Bench Team", "family_help"),))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run(settings: Settings, flooders: int, seconds: float, label: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The server in a process of its own: the flooders' threads must not share its interpreter lock.
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(settings, port), daemon=True)
    server.start()
    for _ in range(600):
        try:
            _request(port, "GET", "/healthz")
            break
        except OSError:
            time.sleep(0.1)
    answer = _request(port, "POST", "/api/session", {"username": "worker", "password": PASSWORD})
    cookie = answer.getheader("set-cookie").split(";")[0]

    def caseload_times(count: int) -> list[float]:
        out = []
        for _ in range(count):
            started = time.perf_counter()
            assert _request(port, "GET", "/api/caseload", headers={"cookie": cookie}).status == 200
            out.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        return sorted(out)

    quiet = caseload_times(20)
    stop = time.perf_counter() + seconds
    statuses: list[int] = []

    def flood(index: int) -> None:
        n = 0
        while time.perf_counter() < stop:
            statuses.append(_request(port, "POST", "/api/session",
                                     {"username": f"guess{index}x{n}", "password": "wrong password"}).status)
            n += 1

    threads = [threading.Thread(target=flood, args=(i,)) for i in range(flooders)]
    for t in threads:
        t.start()
    time.sleep(1)
    loaded = caseload_times(20)
    for t in threads:
        t.join()
    server.terminate()
    server.join()

    def p(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * (len(values) - 1)))]

    print(f"{label}: caseload quiet p50 {statistics.median(quiet):.0f} ms p95 {p(quiet, 0.95):.0f} ms; during "
          f"{flooders} flooders p50 {statistics.median(loaded):.0f} ms p95 {p(loaded, 0.95):.0f} ms; sign-in attempts "
          f"{len(statuses)}: {sum(s == 401 for s in statuses)} checked (401), {sum(s == 429 for s in statuses)} "
          f"throttled (429), {sum(s == 503 for s in statuses)} busy (503)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flooders", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    logging.getLogger("careflow").disabled = True  # the access log of thousands of sign-ins is not the point
    base = Settings(audit_keys={"bench": "b" * 32}, secret_key="bench")
    for label, overrides in (("before (unbounded, unthrottled)",
                              {"password_concurrency": 1000, "throttle_client_free": 10**9,
                               "throttle_account_free": 10**9}),
                             ("shipped (bounded, throttled)", {})):
        folder = Path(tempfile.mkdtemp(prefix="careflow-flood-"))
        run(dataclasses.replace(base, database_url=f"sqlite:///{folder / 'record.db'}", **overrides),
            args.flooders, args.seconds, label)


if __name__ == "__main__":
    main()
