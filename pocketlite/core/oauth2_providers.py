"""The OAuth2 providers an auth collection can enable, in PocketBase's order.

`data/oauth2_providers.json` holds each provider's name, display name and logo (SVG), as
PocketBase 0.40.6 lists them at `GET /api/collections/meta/oauth2-providers`; the admin UI shows
them. The sign-in flows themselves (endpoints, scopes, user mapping) come with the OAuth2 work.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import msgspec

__all__ = ["ProviderInfo", "is_provider", "providers"]


class ProviderInfo(msgspec.Struct, frozen=True):
    """What the providers list shows of one provider."""

    name: str
    displayName: str
    logo: str


@cache
def providers() -> tuple[ProviderInfo, ...]:
    """Every known provider, in display order."""
    raw = resources.files("pocketlite.core").joinpath("data/oauth2_providers.json").read_bytes()
    return tuple(msgspec.json.decode(raw, type=list[ProviderInfo]))


def is_provider(name: str) -> bool:
    """Whether `name` is a known provider."""
    return any(p.name == name for p in providers())
