"""Single sign-on over OpenID Connect against a local provider run in the test (discovery, keys, authorisation
with PKCE, token endpoint signing RS256 ID tokens): a known, active user signs in; a stranger, a forged state, a
token for another audience or nonce are refused."""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import time
import urllib.parse
from base64 import b64decode
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import Engine, select

from careflow.record.app import create_app
from careflow.record.models import AuditEntry
from careflow.record.settings import Settings

from .conftest import make_world

CLIENT_ID, CLIENT_SECRET = "careflow-record", "provider-secret-for-tests"


class Provider:
    """A minimal OpenID Connect provider: it signs in whoever ``next_user`` names."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-signing-key", "use": "sig"})
        self.codes: dict[str, dict[str, str]] = {}
        self.next_user = ""
        self.audience = CLIENT_ID
        self.nonce_override: str | None = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json({"issuer": provider.issuer, "authorization_endpoint": provider.issuer + "/authorize",
                                "token_endpoint": provider.issuer + "/token", "jwks_uri": provider.issuer + "/jwks",
                                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                                "id_token_signing_alg_values_supported": ["RS256"]})
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256"
                    code = f"code-{len(provider.codes)}"
                    provider.codes[code] = {"nonce": query["nonce"], "challenge": query["code_challenge"],
                                            "user": provider.next_user, "redirect_uri": query["redirect_uri"]}
                    target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code,
                                                                                   "state": query["state"]})
                    self.send_response(302)
                    self.send_header("location", target)
                    self.end_headers()
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["content-length"])).decode()))
                user, secret = b64decode(self.headers["authorization"].split()[1]).decode().split(":", 1)
                grant = provider.codes.pop(form.get("code", ""), None)
                if (user, secret) != (CLIENT_ID, CLIENT_SECRET) or grant is None \
                        or create_s256_code_challenge(form["code_verifier"]) != grant["challenge"] \
                        or form["redirect_uri"] != grant["redirect_uri"]:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                now = int(time.time())
                claims = {"iss": provider.issuer, "aud": provider.audience, "sub": f"sub-{grant['user']}",
                          "iat": now, "exp": now + 300, "nonce": provider.nonce_override or grant["nonce"],
                          "preferred_username": grant["user"]}
                token = jwt.encode({"alg": "RS256", "kid": "test-signing-key"}, claims, provider.key)
                self._json({"access_token": "opaque", "token_type": "Bearer", "id_token": token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def authorize(self, url: str) -> str:
        """What a browser does at the provider: follow the authorisation URL to the redirect back."""
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", f"{parts.path}?{parts.query}")
        answer = conn.getresponse()
        assert answer.status == 302
        return str(answer.getheader("location"))


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = Provider()
    yield running
    running.server.shutdown()


def _signed_in(client: TestClient, provider: Provider, state: str | None = None) -> Any:
    start = client.get("/login/sso", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"].startswith(provider.issuer + "/authorize?")
    back = urllib.parse.urlsplit(provider.authorize(start.headers["location"]))
    query = dict(urllib.parse.parse_qsl(back.query))
    if state is not None:
        query["state"] = state
    return client.get(f"{back.path}?{urllib.parse.urlencode(query)}", follow_redirects=False)


def test_sign_in_through_the_organisations_provider(provider: Provider, backend: Settings, engine: Engine) -> None:
    settings = dataclasses.replace(backend, oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                   oidc_client_secret=CLIENT_SECRET,
                                   oidc_redirect_url="http://testserver/login/sso/callback")
    world = make_world(create_app(settings, engine=engine))
    provider.next_user = world.users["sw"].username
    client = TestClient(world.app)
    answer = _signed_in(client, provider)
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    assert client.get("/api/me").json()["username"] == world.users["sw"].username
    with world.app.state.record.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.user_id == world.user_id("sw"),
                                                         AuditEntry.action == "login")).all()[-1]
        assert entry.detail == {"via": "oidc"}

    provider.next_user = "someone-without-an-account"
    assert _signed_in(TestClient(world.app), provider).status_code == 403
    provider.next_user = world.users["sw"].username
    assert _signed_in(TestClient(world.app), provider, state="forged").status_code == 422
    provider.audience = "another-service"
    try:
        assert _signed_in(TestClient(world.app), provider).status_code == 401
    finally:
        provider.audience = CLIENT_ID
    provider.nonce_override = "replayed"
    try:
        assert _signed_in(TestClient(world.app), provider).status_code == 401
    finally:
        provider.nonce_override = None
    assert _signed_in(TestClient(world.app), provider).status_code == 303  # and it still works


def test_without_a_provider_there_is_no_sso(backend: Settings, engine: Engine) -> None:
    assert TestClient(create_app(backend, engine=engine)).get("/login/sso").status_code == 404
