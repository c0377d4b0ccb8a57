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
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from pocketlite.tools.filesystem import CHUNK, Attrs, FileInfo, ListedFile

# httpx is imported where requests are made: importing it costs ~50 ms (its command line pulls
# in click and rich), which every start of the server and of the CLI would pay without S3 in use.
if TYPE_CHECKING:
    import httpx

__all__ = ["S3Error", "S3Filesystem"]

_META_PREFIX = "x-amz-meta-"
_KEY_RE = re.compile(r"<Key>(.*?)</Key>", re.DOTALL)
_CONTENTS_RE = re.compile(r"<Contents>(.*?)</Contents>", re.DOTALL)
_SIZE_RE = re.compile(r"<Size>(\d+)</Size>")
_MODIFIED_RE = re.compile(r"<LastModified>(.*?)</LastModified>")
# Uploads streamed from a file are sent unsigned (S3's `UNSIGNED-PAYLOAD`): hashing them first
# would read the whole file twice.
_UNSIGNED = "UNSIGNED-PAYLOAD"
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
        import httpx

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
        await self._request("PUT", key, content=data, headers=_object_headers(content_type, metadata))

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
        import httpx

        path = self._path(key)
        headers = self._sign("GET", path, "", {"range": f"bytes={start}-{end - 1}"}, _sha256(b""))
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
        keys = [listed.key for listed in await self.list_files(prefix.rstrip("/") + "/")]
        gate = asyncio.Semaphore(16)

        async def delete(key: str) -> None:
            async with gate:
                await self.delete(key)

        await asyncio.gather(*(delete(k) for k in keys))

    async def list_files(self, prefix: str = "") -> list[ListedFile]:
        """Every object whose key starts with `prefix`, by key (S3 lists them in that order)."""
        found: list[ListedFile] = []
        token = ""
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            response = await self._request("GET", "", query=query)
            assert response is not None
            body = response.text
            for contents in _CONTENTS_RE.findall(body):
                key, size, modified = (
                    _KEY_RE.search(contents),
                    _SIZE_RE.search(contents),
                    _MODIFIED_RE.search(contents),
                )
                if key is None:
                    continue
                stamp = dt.datetime.fromisoformat(modified.group(1)).timestamp() if modified else 0.0
                found.append(
                    ListedFile(_xml_unescape(key.group(1)), int(size.group(1)) if size else 0, stamp)
                )
            next_token = _TOKEN_RE.search(body)
            if not _TRUNCATED_RE.search(body) or next_token is None:
                return found
            token = _xml_unescape(next_token.group(1))

    async def upload(self, key: str, source: BinaryIO, content_type: str, metadata: dict[str, str]) -> None:
        """Upload what `source` holds from its start, streamed in pieces (one PUT, so at most
        the 5 GiB S3 takes in one request)."""
        import httpx

        size = source.seek(0, 2)
        source.seek(0)

        async def pieces() -> AsyncIterator[bytes]:
            while chunk := await asyncio.to_thread(source.read, CHUNK):
                yield chunk

        path = self._path(key)
        headers = self._sign("PUT", path, "", _object_headers(content_type, metadata), _UNSIGNED)
        headers["content-length"] = str(size)
        try:
            response = await self._client.request("PUT", self._base + path, content=pieces(), headers=headers)
        except httpx.HTTPError as exc:
            raise S3Error(f"PUT {key}: {exc}") from exc
        if response.status_code >= 300:
            raise S3Error(f"PUT {key}: {response.status_code} {_reason(response)}")

    async def download(self, key: str, target: BinaryIO) -> None:
        """Write an object into `target` as it arrives."""
        import httpx

        path = self._path(key)
        headers = self._sign("GET", path, "", {}, _sha256(b""))
        try:
            async with self._client.stream("GET", self._base + path, headers=headers) as response:
                if response.status_code >= 300:
                    await response.aread()
                    raise S3Error(f"GET {key}: {response.status_code} {_reason(response)}")
                async for chunk in response.aiter_bytes(CHUNK):
                    await asyncio.to_thread(target.write, chunk)
        except httpx.HTTPError as exc:
            raise S3Error(f"GET {key}: {exc}") from exc

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
        import httpx

        path = self._path(key)
        query_string = "&".join(
            f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted((query or {}).items())
        )
        signed = self._sign(method, path, query_string, dict(headers or {}), _sha256(content))
        url = self._base + path + (f"?{query_string}" if query_string else "")
        try:
            response = await self._client.request(method, url, content=content or None, headers=signed)
        except httpx.HTTPError as exc:
            raise S3Error(f"{method} {key or '/'}: {exc}") from exc
        if response.status_code == 404 and allow_missing:
            return None
        if response.status_code >= 300:
            raise S3Error(f"{method} {key or '/'}: {response.status_code} {_reason(response)}")
        return response

    def _path(self, key: str) -> str:
        return self._prefix + "/" + quote(key, safe="/-_.~")

    def _sign(
        self, method: str, path: str, query: str, headers: dict[str, str], payload_hash: str
    ) -> dict[str, str]:
        """AWS Signature Version 4 headers for one request; `payload_hash` is the body's
        SHA-256 in hex, or `UNSIGNED-PAYLOAD`."""
        now = dt.datetime.now(dt.UTC)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
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


def _object_headers(content_type: str, metadata: dict[str, str]) -> dict[str, str]:
    headers = {"content-type": content_type or "application/octet-stream"}
    for name, value in metadata.items():
        # Header values are ASCII; non-ASCII metadata is percent-encoded (gocloud's escaping).
        headers[_META_PREFIX + name.lower()] = quote(value, safe=" !#$&'()*+,/:;=?@[]~")
    return headers


def _reason(response: httpx.Response) -> str:
    found = _MESSAGE_RE.search(response.text)
    return found.group(1) if found else response.reason_phrase
