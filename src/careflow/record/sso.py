"""Single sign-on over OpenID Connect (optional): staff sign in through their organisation's identity provider
(Entra ID, Okta, Keycloak ...), the authorisation code flow with PKCE, a nonce and a state bound to a cookie.

Set ``CAREFLOW_OIDC_ISSUER`` (the provider's issuer URL, whose ``/.well-known/openid-configuration`` is read),
``CAREFLOW_OIDC_CLIENT_ID``, ``CAREFLOW_OIDC_CLIENT_SECRET`` and ``CAREFLOW_OIDC_REDIRECT_URL`` (this service's
``https://.../login/sso/callback``, registered with the provider). ``CAREFLOW_OIDC_USERNAME_CLAIM`` names the claim
that is the careflow username (``preferred_username`` by default; Entra ID's ``upn`` or ``email`` are common): the
user must already exist in careflow and be active, with the role an administrator gave them (the provider says who
someone is, careflow what they may do). The ID token's signature (the provider's published keys), issuer,
audience, expiry and nonce are checked with joserfc (Authlib's JOSE library); PKCE comes from Authlib.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from careflow.record.api import client_address, set_session_cookie
from careflow.record.deps import DbDep, get_state
from careflow.record.errors import AccessDenied, InvalidInput, NotAuthenticated, NotFound
from careflow.record.security import same_token

__all__ = ["OidcClient", "OidcSettings", "router"]

router = APIRouter(tags=["sign-in"])
_COOKIE = "careflow_sso"


@dataclass(frozen=True)
class OidcSettings:
    """Where the provider is and who this service is to it."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str
    username_claim: str = "preferred_username"


def _get_json(url: str, data: dict[str, str] | None = None, auth: tuple[str, str] | None = None) -> Any:
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise NotAuthenticated("the identity provider must be reached over HTTPS")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"accept": "application/json"})
    if auth is not None:
        pair = f"{urllib.parse.quote(auth[0])}:{urllib.parse.quote(auth[1])}".encode()
        request.add_header("authorization", "Basic " + base64.b64encode(pair).decode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


@dataclass
class OidcClient:
    """The relying party: discovery and keys (cached), the authorisation URL, the code exchange, the ID token."""

    settings: OidcSettings
    _metadata: dict[str, Any] | None = field(default=None, repr=False)
    _keys: tuple[float, KeySet] | None = field(default=None, repr=False)

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (its issuer must be the one configured)."""
        if self._metadata is None:
            found = _get_json(self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration")
            if found.get("issuer") != self.settings.issuer:
                raise NotAuthenticated("the identity provider's discovery document names another issuer")
            self._metadata = found
        return self._metadata

    def keys(self, refresh: bool = False) -> KeySet:
        """The provider's signing keys (re-read hourly, or when a token names a key not yet seen)."""
        if refresh or self._keys is None or time.monotonic() - self._keys[0] > 3600:
            self._keys = (time.monotonic(), KeySet.import_key_set(_get_json(self.metadata()["jwks_uri"])))
        return self._keys[1]

    def authorization_url(self, state: str, nonce: str, verifier: str) -> str:
        """Where to send the browser to sign in."""
        query = {"response_type": "code", "client_id": self.settings.client_id, "scope": "openid profile email",
                 "redirect_uri": self.settings.redirect_url, "state": state, "nonce": nonce,
                 "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
        return str(self.metadata()["authorization_endpoint"]) + "?" + urllib.parse.urlencode(query)

    def claims(self, code: str, verifier: str, nonce: str) -> dict[str, Any]:
        """Exchange the code for tokens and return the checked claims of the ID token."""
        tokens = _get_json(self.metadata()["token_endpoint"],
                           {"grant_type": "authorization_code", "code": code,
                            "redirect_uri": self.settings.redirect_url, "code_verifier": verifier},
                           auth=(self.settings.client_id, self.settings.client_secret))
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise NotAuthenticated("the identity provider sent no ID token")
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=["RS256", "ES256", "PS256"])
            except JoseError:
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=["RS256", "ES256", "PS256"])
            jwt.JWTClaimsRegistry(
                leeway=60, iss={"essential": True, "value": self.settings.issuer},
                aud={"essential": True, "value": self.settings.client_id},
                nonce={"essential": True, "value": nonce}, sub={"essential": True}, exp={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise NotAuthenticated(f"the sign-in could not be checked ({type(exc).__name__}); try again") from None
        return dict(token.claims)


def _client(request: Request) -> OidcClient:
    state = get_state(request)
    client: OidcClient | None = getattr(request.app.state, "oidc", None)
    if client is None:
        settings = state.settings
        if not settings.oidc_issuer:
            raise NotFound("single sign-on is not set up here")
        client = OidcClient(OidcSettings(settings.oidc_issuer, settings.oidc_client_id or "",
                                         settings.oidc_client_secret or "", settings.oidc_redirect_url or "",
                                         settings.oidc_username_claim))
        request.app.state.oidc = client
    return client


@router.get("/login/sso", include_in_schema=False)
def sso_start(request: Request) -> Response:
    """Send the browser to the identity provider (state, nonce and PKCE verifier kept in a short-lived cookie)."""
    client = _client(request)
    state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
    response = RedirectResponse(client.authorization_url(state, nonce, verifier), status_code=303)
    response.set_cookie(_COOKIE, f"{state}.{nonce}.{verifier}", max_age=600, httponly=True, samesite="lax",
                        secure=get_state(request).settings.secure_cookies, path="/login/sso")
    return response


@router.get("/login/sso/callback", include_in_schema=False)
def sso_callback(request: Request, session: DbDep, code: str = "", state: str = "") -> Response:
    """The provider's answer: check it, find the careflow user the token names, start a session."""
    from careflow.record.models import User
    from careflow.record.services import auth

    client = _client(request)
    parts = (request.cookies.get(_COOKIE) or "").split(".")
    if len(parts) != 3 or not same_token(state, parts[0]) or not code:
        raise InvalidInput("the sign-in expired or was not started here: start again from the login page")
    claims = client.claims(code, parts[2], parts[1])
    name = str(claims.get(client.settings.username_claim) or "").strip().lower()
    user = session.query(User).filter(User.username == name).one_or_none() if name else None
    settings = get_state(request).settings
    if user is None or not user.is_active:
        auth.audit_sign_in_refused(session, settings, name or "(no username claim)", client_address(request))
        session.commit()
        raise AccessDenied("you signed in with your organisation, but there is no active careflow account for you: "
                           "ask a careflow administrator")
    token, _login_session = auth.start_session(session, settings, user, via="oidc")
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, request, token)
    response.delete_cookie(_COOKIE, path="/login/sso")
    return response



