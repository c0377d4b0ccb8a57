"""`GET /api/health`: liveness for load balancers; superusers also see proxy diagnostics."""

from __future__ import annotations

from typing import Any

from litestar import Response, get

from pocketlite.apis.context import AnyRequest, get_app, get_auth, is_superuser
from pocketlite.apis.realip import real_ip
from pocketlite.apis.response import json_response
from pocketlite.core.backups import active_backup

__all__ = ["health"]

# Headers hinting at a reverse proxy that the settings don't trust yet.
_PROXY_HEADERS = ("CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For")


@get("/api/health")
async def health(request: AnyRequest) -> Response[bytes]:
    """`{"message":"API is healthy.","code":200,"data":{}}`."""
    data: dict[str, Any] = {}
    if is_superuser(get_auth(request)):
        hint = ""
        if not get_app(request).settings.trustedProxy.headers:
            hint = next((h for h in _PROXY_HEADERS if request.headers.get(h)), "")
        can_backup = active_backup(get_app(request).data_dir) is None
        data = {"canBackup": can_backup, "realIP": real_ip(request), "possibleProxyHeader": hint}
    return json_response(request, {"message": "API is healthy.", "code": 200, "data": data})
