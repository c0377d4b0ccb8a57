"""A small OAuth2/OIDC provider for tests, run as its own process: `/authorize` redirects straight
back with a code, `/token` checks the client, the redirect URL and the PKCE verifier, `/userinfo`
answers for the access token. `PUT /users/<login>` registers a user; `/authorize?login_hint=<login>`
picks who signs in. Run with `python -m tests.support.oauth2_provider PORT`."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt

from tests.servers import free_port

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "OAuth2Provider"]

CLIENT_ID, CLIENT_SECRET = "test-client", "test-secret"

_users: dict[str, dict[str, Any]] = {}
_codes: dict[str, dict[str, Any]] = {}
_tokens: dict[str, dict[str, Any]] = {}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_PUT(self) -> None:
        login = urlparse(self.path).path.removeprefix("/users/")
        _users[login] = json.loads(self._body())
        self._json(200, _users[login])

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/authorize":
            code = secrets.token_urlsafe(16)
            _codes[code] = {**query, "user": query.get("login_hint", "")}
            target = query.get("redirect_uri", "")
            self.send_response(302)
            self.send_header(
                "Location", f"{target}?{urlencode({'code': code, 'state': query.get('state', '')})}"
            )
            self.end_headers()
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            grant = _tokens.get(token)
            if grant is None or grant["user"] not in _users:
                self._json(401, {"error": "invalid_token"})
            else:
                self._json(200, _users[grant["user"]])
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        if urlparse(self.path).path != "/token":
            self._json(404, {"error": "not_found"})
            return
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            self._json(401, {"error": "invalid_client"})
            return
        grant = _codes.pop(form.get("code", ""), None)
        if grant is None or grant.get("redirect_uri") != form.get("redirect_uri"):
            self._json(400, {"error": "invalid_grant"})
            return
        challenge = grant.get("code_challenge")
        if challenge:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                self._json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
                return
        access = secrets.token_urlsafe(16)
        _tokens[access] = grant
        claims = {**_users.get(grant["user"], {}), "aud": CLIENT_ID, "iat": int(time.time())}
        claims["exp"] = int(time.time()) + 3600
        self._json(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": secrets.token_urlsafe(16),
                "id_token": jwt.encode(
                    claims, "not-checked-without-a-jwks-url-configured", algorithm="HS256"
                ),
            },
        )


class OAuth2Provider:
    """The provider process, on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.oauth2_provider", str(self.port)]
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the OAuth2 provider did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def add_user(self, login: str, profile: dict[str, Any]) -> None:
        httpx.put(f"{self.url}/users/{login}", json=profile).raise_for_status()

    def config(self, name: str = "oidc", **overrides: Any) -> dict[str, Any]:
        """A collection's provider entry that points at this process."""
        return {
            "name": name,
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "authURL": f"{self.url}/authorize",
            "tokenURL": f"{self.url}/token",
            "userInfoURL": f"{self.url}/userinfo",
            **overrides,
        }

    def authorize(self, auth_url: str, redirect_url: str, login: str) -> tuple[str, str]:
        """Follow an `authURL` from auth-methods as a browser would: the code and state."""
        response = httpx.get(f"{auth_url}{redirect_url}&login_hint={login}", follow_redirects=False)
        assert response.status_code == 302, response.text
        query = parse_qs(urlparse(response.headers["Location"]).query)
        return query["code"][0], query["state"][0]


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), _Handler).serve_forever()
