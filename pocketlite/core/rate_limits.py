"""`settings.rateLimits` put to work (admin-apis.md §8): the rules compiled for lookups at every
settings reload, and this process's counters, as PocketBase's `FindRateLimitRule`
(`core/settings_model.go`) and `apis/middlewares_rate_limit.go` keep them.

The counters live in the process, as PocketBase's do: with `serve --workers N` each worker counts
on its own, so a client spreading its requests over the workers gets up to N times a rule's
allowance. Every settings reload starts them afresh (PocketBase's `__pbRateLimitersSettingsHook__`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pocketlite.core.collection import Collection
from pocketlite.core.events import SettingsReloadEvent
from pocketlite.core.record import Record
from pocketlite.core.record_view import is_superuser
from pocketlite.core.settings import RateLimitRule, RateLimitsConfig
from pocketlite.tools.cron import Cron
from pocketlite.tools.hook import Handler
from pocketlite.tools.iplist import Network, in_networks, networks
from pocketlite.tools.ratelimit import RateLimiter

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["CLEANUP_JOB", "RateLimits"]

# PocketBase's job that forgets idle clients, registered with the first counter after a reload.
CLEANUP_JOB = "__pbRateLimitersCleanup__"
_CLEANUP_EXPRESSION = "2 * * * *"
_CLEANUP_MIN_IDLE = 1800

# The rule audiences that apply to guests and to authenticated requests.
_GUEST = ("", "@guest")
_AUTH = ("", "@auth")


class RateLimits:
    """The compiled rules, the excluded networks and the counters (one limiter per rule, or
    per collection route, each counting per client IP)."""

    def __init__(self, cron: Cron) -> None:
        self._cron = cron
        self.enabled = False
        self._exact: dict[str, list[RateLimitRule]] = {}
        self._prefixes: list[RateLimitRule] = []
        self._excluded: list[Network] = []
        self._limiters: dict[object, RateLimiter] = {}

    def bind(self, app: Core) -> None:
        """Recompile on every settings reload of `app`."""
        app.on_settings_reload.bind(Handler(self._reloaded, "__pbRateLimitersSettingsHook__"))

    async def _reloaded(self, e: SettingsReloadEvent) -> None:
        await e.next()
        self.configure(e.app.settings.rateLimits)

    def configure(self, config: RateLimitsConfig) -> None:
        """Take `config` and forget every counter."""
        exact: dict[str, list[RateLimitRule]] = {}
        for rule in config.rules:
            exact.setdefault(rule.label, []).append(rule)
        self._exact = exact
        self._prefixes = [rule for rule in config.rules if rule.label.endswith("/")]
        self._excluded = networks(config.excludedIPs)
        self._limiters = {}
        self._cron.remove(CLEANUP_JOB)
        self.enabled = config.enabled

    def exempt(self, auth: Record | None, ip: str) -> bool:
        """Superusers and the excluded IPs are never limited."""
        return is_superuser(auth) or in_networks(ip, self._excluded)

    def find_rule(self, labels: Sequence[str], authenticated: bool) -> RateLimitRule | None:
        """The first rule for the first label that has one: a rule of that exact label, else
        one whose label ends with `/` and is a path prefix of it; of the requester's audience."""
        audiences = _AUTH if authenticated else _GUEST
        for label in labels:
            for rule in self._exact.get(label, ()):
                if rule.audience in audiences:
                    return rule
            for rule in self._prefixes:
                # NB: PocketBase tests `label + "/"`, so `/api/x/` also covers `/api/x` itself.
                prefix = rule.label
                if rule.audience in audiences and (
                    label.startswith(prefix) or (len(prefix) == len(label) + 1 and prefix.startswith(label))
                ):
                    return rule
        return None

    def allow_path(self, method: str, path: str, authenticated: bool, ip: str) -> bool:
        """The global check: the labels `"<METHOD> <path>"` then `"<path>"`. A rule has one
        counter, whatever path it matched."""
        rule = self.find_rule((f"{method} {path}", path), authenticated)
        return rule is None or self.allow((rule.label, rule.audience), rule.maxRequests, rule.duration, ip)

    def allow_collection(
        self,
        collection: Collection,
        tags: tuple[str, ...],
        method: str,
        path: str,
        authenticated: bool,
        ip: str,
        *,
        batch: bool = False,
    ) -> bool:
        """The check of a collection route: `<collection>:<tag>` labels, then `*:<tag>`, then the
        path labels.

        NB: PocketBase counts by collection id + route pattern + tags, not by rule: each
        collection route has its own counter even when they match the same rule (`*:create`),
        and a batch sub-request (no route pattern) counts apart from the same HTTP route. The
        counter keeps the allowance of the rule it first matched."""
        labels = [f"{collection.name}:{tag}" for tag in tags]
        labels += [f"*:{tag}" for tag in tags]
        labels += (f"{method} {path}", path)
        rule = self.find_rule(labels, authenticated)
        if rule is None:
            return True
        return self.allow((collection.id, batch, tags, rule.audience), rule.maxRequests, rule.duration, ip)

    def allow(self, limiter: object, max_requests: int, duration: int, ip: str) -> bool:
        """Count one request of `ip` on the counter `limiter` (made with this allowance if new);
        whether it is within the allowance. Also the way to a built-in limit that applies
        whether rate limiting is on or not (OTP attempts)."""
        if not ip:
            return True
        found = self._limiters.get(limiter)
        if found is None:
            if not self._limiters:
                self._cron.add(CLEANUP_JOB, _CLEANUP_EXPRESSION, self._cleanup)
            found = self._limiters[limiter] = RateLimiter(max_requests, duration)
        return found.allow(ip)

    async def _cleanup(self) -> None:
        for limiter in list(self._limiters.values()):
            limiter.clean(_CLEANUP_MIN_IDLE)
