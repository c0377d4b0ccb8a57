"""OAuth2 sign-in with the providers PocketBase ships (see `specs`, `users`, `client`)."""

from pocketlite.core.oauth2.client import AuthUser, OAuth2Error, auth_url, fetch_auth_user, uses_pkce

__all__ = ["AuthUser", "OAuth2Error", "auth_url", "fetch_auth_user", "uses_pkce"]
