"""S3-compatible object storage (settings `s3`), the `Filesystem` of files kept off the machine.

The keys are those of the local layout, inside the bucket, as PocketBase keeps them; the type
and the original name travel as the object's `Content-Type` and `x-amz-meta-original-filename`.

NB: a focused client over httpx (already a dependency) with AWS Signature V4, rather than boto3:
the five calls storage needs don't justify botocore's ~80 MB in a single-file app.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from pocketlite.tools.filesystem import CHUNK, Attrs, FileInfo

__all__ = ["S3Error", "S3Filesystem"]

_META_PREFIX = "x-amz-meta-"
_KEY_RE = re.compile(r"<Key>(.*?)</Key>", re.DOTALL)
_TOKEN_RE = re.compile(r"<NextContinuationToken>(.*?)</NextContinuationToken>", re.DOTALL)
_TRUNCATED_RE = re.compile(r"<IsTruncated>true</IsTruncated>")
_MESSAGE_RE = re.compile(r"<Message>(.*?)</Message>", re.DOTALL)


class S3Error(Exception):
    """A request the S3 server refused (or couldn't be sent)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


class S3Filesystem:
    """Objects in a bucket; path-style (`endpoint/bucket/key`) or virtual-hosted addressing."""

    def __init__(
        self,
        bucket: str,
        region: str,
        endpoint: str,
        access_key: str,
        secret: str,
        force_path_style: bool = False,
    ) -> None:
        if not endpoint:
            endpoint = f"https://s3.{region}.amazonaws.com"
        elif "://" not in endpoint:
            endpoint = "https://" + endpoint
        parts = urlsplit(endpoint.rstrip("/"))
        if force_path_style:
            self._base, self._prefix = f"{parts.scheme}://{parts.netloc}", f"/{bucket}"
        else:
            self._base, self._prefix = f"{parts.scheme}://{bucket}.{parts.netloc}", ""
        self._host = urlsplit(self._base).netloc
        self._region = region or "us-east-1"
        self._access_key = access_key
        self._secret = secret
        self._client = httpx.AsyncClient(timeout=60)

    async def close(self) -> None:
        """Release the connections."""
        await self._client.aclose()

    # --- the Filesystem interface ---------------------------------------------------------------

    async def write(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None:
        """Upload an object with its type and metadata."""
        headers = {"content-type": content_type or "application/octet-stream"}
        for name, value in metadata.items():
            # Header values are ASCII; non-ASCII metadata is percent-encoded (gocloud's escaping).
            headers[_META_PREFIX + name.lower()] = quote(value, safe=" !#$&'()*+,/:;=?@[]~")
        await self._request("PUT", key, content=data, headers=headers)

    async def info(self, key: str) -> FileInfo | None:
        """Size, modification time and type of an object; None when there is none."""
        response = await self._request("HEAD", key, allow_missing=True)
        if response is None:
            return None
        headers = response.headers
        modified = email.utils.parsedate_to_datetime(headers["last-modified"]).timestamp()
        metadata = {
            k[len(_META_PREFIX) :]: unquote(v)
            for k, v in headers.items()
            if k.lower().startswith(_META_PREFIX)
        }
        attrs = Attrs(content_type=headers.get("content-type", ""), metadata=metadata)
        return FileInfo(int(headers.get("content-length", 0)), modified, attrs)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        """The bytes `[start, end)` of an object (to its end by default)."""
        headers = {}
        if start or end is not None:
            headers["range"] = f"bytes={start}-{'' if end is None else end - 1}"
        response = await self._request("GET", key, headers=headers)
        assert response is not None
        return response.content

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes `[start, end)` as they arrive."""
        path = self._prefix + "/" + quote(key, safe="/-_.~")
        headers = self._sign("GET", path, "", {"range": f"bytes={start}-{end - 1}"}, b"")
        try:
            async with self._client.stream("GET", self._base + path, headers=headers) as response:
                if response.status_code >= 300:
                    raise S3Error(f"GET {key}: {response.status_code}")
                async for chunk in response.aiter_bytes(CHUNK):
                    yield chunk
        except httpx.HTTPError as exc:
            raise S3Error(f"GET {key}: {exc}") from exc

    async def delete(self, key: str) -> None:
        """Remove an object (a missing one is fine)."""
        await self._request("DELETE", key, allow_missing=True)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every object under a directory key."""
        prefix = prefix.rstrip("/") + "/"
        keys: list[str] = []
        token = ""
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            response = await self._request("GET", "", query=query)
            assert response is not None
            body = response.text
            keys += [_xml_unescape(k) for k in _KEY_RE.findall(body)]
            found = _TOKEN_RE.search(body)
            if not _TRUNCATED_RE.search(body) or found is None:
                break
            token = _xml_unescape(found.group(1))
        gate = asyncio.Semaphore(16)

        async def delete(key: str) -> None:
            async with gate:
                await self.delete(key)

        await asyncio.gather(*(delete(k) for k in keys))

    # --- requests ------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        key: str,
        *,
        content: bytes = b"",
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        allow_missing: bool = False,
    ) -> httpx.Response | None:
        path = self._prefix + "/" + quote(key, safe="/-_.~")
        query_string = "&".join(
            f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted((query or {}).items())
        )
        signed = self._sign(method, path, query_string, dict(headers or {}), content)
        url = self._base + path + (f"?{query_string}" if query_string else "")
        try:
            response = await self._client.request(method, url, content=content or None, headers=signed)
        except httpx.HTTPError as exc:
            raise S3Error(f"{method} {key or '/'}: {exc}") from exc
        if response.status_code == 404 and allow_missing:
            return None
        if response.status_code >= 300:
            found = _MESSAGE_RE.search(response.text)
            reason = found.group(1) if found else response.reason_phrase
            raise S3Error(f"{method} {key or '/'}: {response.status_code} {reason}")
        return response

    def _sign(
        self, method: str, path: str, query: str, headers: dict[str, str], payload: bytes
    ) -> dict[str, str]:
        """AWS Signature Version 4 headers for one request."""
        now = dt.datetime.now(dt.UTC)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        payload_hash = _sha256(payload)
        headers = {k.lower(): v for k, v in headers.items()}
        headers.update({"host": self._host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash})
        names = sorted(headers)
        canonical = "\n".join(
            [
                method,
                path,
                query,
                "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names),
                ";".join(names),
                payload_hash,
            ]
        )
        scope = f"{day}/{self._region}/s3/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{_sha256(canonical.encode())}"
        key: Any = ("AWS4" + self._secret).encode()
        for part in (day, self._region, "s3", "aws4_request"):
            key = _hmac(key, part)
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self._access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        return headers
