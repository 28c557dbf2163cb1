"""The WSGI front the harness puts around moto's server application (subprocess and in-thread).

It does four things moto does not:

* normalises the Host ``s3.test[:port]`` so path-style requests to the harness' dotted endpoint
  name are not read as bucket ``s3`` (``bucket.s3.test`` is left alone: moto reads it as
  virtual-host addressing);
* adds ``x-harness-server-ms`` (time moto took until it started the response) to every response, so
  the gateway can separate server time from network and client time;
* serves private bulk endpoints under ``/_harness/`` (``_harness`` is not a valid bucket name, so
  they cannot collide with S3 paths): ``populate``, ``create-bucket``, ``delete-bucket``, ``ping``;
  they call moto's backend directly, which is what makes populating 20,000 objects take about a
  second instead of a minute;
* brackets every possibly-writing request with a :class:`WriteTracker` so an optional indexed
  listing (``_moto_index``) knows when its per-bucket index is stale;
* makes conditional writes atomic (a harness correction of a moto limit): moto checks
  ``If-None-Match``/``If-Match`` and stores the object in two separate steps, so racing conditional
  ``CompleteMultipartUpload`` requests on one key could all succeed (24 racers gave 15 winners).
  Every write that carries a precondition (``PutObject``, ``CompleteMultipartUpload``,
  ``CopyObject``, ``DeleteObject``) runs under a lock chosen by its bucket and key
  (:class:`ConditionalWriteLocks`), so check-and-store is one step, as on AWS. Unconditional
  writes are not serialised.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from ._base import synthetic_body
from ._moto_index import WriteTracker

__all__ = [
    "ConditionalWriteLocks",
    "HarnessMotoApp",
    "backend_create_bucket",
    "backend_delete_bucket",
    "backend_populate",
]

SERVER_MS_HEADER = "x-harness-server-ms"
_S3_TEST_HOST = re.compile(r"^s3\.test(:\d+)?$", re.IGNORECASE)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _backend_for(bucket: str | None) -> Any:
    """moto's S3 backend that owns ``bucket`` (or the default account's backend)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    if bucket is not None and bucket in s3_backends.bucket_accounts:
        partition, account_id = s3_backends.bucket_accounts[bucket]
        return s3_backends[account_id][partition]
    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


def backend_create_bucket(name: str, region: str = "us-east-1") -> bool:
    """Create ``name`` in moto's default account; False if it already existed."""
    from moto.s3.models import s3_backends

    if name in s3_backends.bucket_accounts:
        return False
    _backend_for(None).create_bucket(name, region)
    return True


def backend_delete_bucket(name: str) -> bool:
    """Delete ``name`` with every object, version and pending multipart upload."""
    from moto.s3.models import s3_backends

    if name not in s3_backends.bucket_accounts:
        return False
    backend = _backend_for(name)
    bucket = backend.get_bucket(name)
    for key_name in list(dict.copy(bucket.keys)):
        for version in bucket.keys.getlist(key_name, []):
            if hasattr(version, "dispose"):  # delete markers have no buffer to dispose of
                version.dispose()
        dict.pop(bucket.keys, key_name, None)
    for upload in list(bucket.multiparts.values()):
        upload.dispose()
    bucket.multiparts.clear()
    backend.delete_bucket(name)
    return True


def backend_populate(bucket: str, items: Iterable[tuple[str, bytes | int]]) -> int:
    """Store objects straight into moto's backend (no HTTP, no notifications); returns the count."""
    backend = _backend_for(bucket)
    backend.get_bucket(bucket)  # raises moto's MissingBucket early
    count = 0
    for key, body in items:
        value = body if isinstance(body, bytes) else synthetic_body(key, body)
        backend.put_object(bucket, key, value, disable_notification=True)
        count += 1
    return count


class ConditionalWriteLocks:
    """Striped locks keyed by ``(bucket, key)``: one conditional write per object at a time.

    A fixed number of stripes bounds memory whatever the number of keys; two objects that share a
    stripe merely wait for each other.
    """

    _PRECONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")

    def __init__(self, stripes: int = 64) -> None:
        self._locks = tuple(threading.Lock() for _ in range(stripes))

    @classmethod
    def object_of(cls, environ: dict[str, Any]) -> tuple[str, str] | None:
        """``(bucket, key)`` of a conditional object write, or None for any other request."""
        if environ.get("REQUEST_METHOD") in _READ_METHODS:
            return None
        if not any(environ.get(name) for name in cls._PRECONDITIONS):
            return None
        host = environ.get("HTTP_HOST", "").rpartition(":")[0] or environ.get("HTTP_HOST", "")
        path = environ.get("PATH_INFO", "").lstrip("/")
        for suffix in (".s3.test", ".localhost"):
            if host.lower().endswith(suffix):  # virtual-host addressing: the bucket is the host
                return host[: -len(suffix)].lower(), path
        bucket, _, key = path.partition("/")
        return bucket, key

    def lock_for(self, obj: tuple[str, str]) -> threading.Lock:
        digest = zlib.crc32(f"{obj[0]}/{obj[1]}".encode("utf-8", "surrogateescape"))
        return self._locks[digest % len(self._locks)]


def _decode_items(raw: list[Any]) -> Iterable[tuple[str, bytes | int]]:
    for key, body in raw:
        if isinstance(body, int):
            yield str(key), body
        else:
            yield str(key), base64.b64decode(body["b64"])


class HarnessMotoApp:
    """WSGI middleware around moto's ``DomainDispatcherApplication`` (see module docstring).

    ``path_style_host`` is what ``s3.test[:port]`` is rewritten to: ``"s3.test"`` in the subprocess
    (whose environment lists it in ``MOTO_S3_CUSTOM_ENDPOINTS``), ``"localhost"`` in-thread (moto
    treats ``localhost`` as path-style without any environment change in the host process).
    """

    def __init__(
        self, inner: WsgiApp, *, tracker: WriteTracker, path_style_host: str, indexed: bool
    ) -> None:
        self._inner = inner
        self.tracker = tracker
        self._path_style_host = path_style_host
        self._indexed = indexed
        self.conditional_locks = ConditionalWriteLocks()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "")
        if host and _S3_TEST_HOST.match(host):
            port = host.partition(":")[2]
            rewritten = self._path_style_host
            if rewritten == "localhost" and port:
                rewritten = f"localhost:{port}"
            environ["HTTP_HOST"] = rewritten
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_harness/"):
            return self._private(path[len("/_harness/") :], environ, start_response)
        started = time.perf_counter()

        def timed_start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            elapsed_ms = (time.perf_counter() - started) * 1000.0
            headers = [*headers, (SERVER_MS_HEADER, f"{elapsed_ms:.3f}")]
            return start_response(status, headers, *exc)

        if environ.get("REQUEST_METHOD", "GET") in _READ_METHODS:
            return self._inner(environ, timed_start_response)
        conditional = ConditionalWriteLocks.object_of(environ)
        if conditional is not None:
            with self.conditional_locks.lock_for(conditional), self.tracker.writing():
                return list(self._inner(environ, timed_start_response))
        with self.tracker.writing():
            # moto does its work inside the call; the body it returns is already computed.
            return list(self._inner(environ, timed_start_response))

    def _private(
        self, action: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload: dict[str, Any] = json.loads(environ["wsgi.input"].read(length) or b"{}")
            with self.tracker.writing():
                if action == "ping":
                    result: dict[str, Any] = {"ok": True, "indexed": self._indexed}
                elif action == "populate":
                    items = _decode_items(payload["items"])
                    result = {"count": backend_populate(payload["bucket"], items)}
                elif action == "create-bucket":
                    region = payload.get("region", "us-east-1")
                    result = {"created": backend_create_bucket(payload["bucket"], region)}
                elif action == "delete-bucket":
                    result = {"deleted": backend_delete_bucket(payload["bucket"])}
                else:
                    return _json_response(start_response, "404 Not Found", {"error": action})
        except Exception as exc:  # reported to the harness client, which raises it
            error = {"error": f"{type(exc).__name__}: {exc}"}
            return _json_response(start_response, "500 Internal Server Error", error)
        return _json_response(start_response, "200 OK", result)


def _json_response(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    start_response(status, headers)
    return [data]


def build_app(*, path_style_host: str, indexed: bool) -> HarnessMotoApp:
    """moto's full server application wrapped in :class:`HarnessMotoApp`."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    tracker = WriteTracker()
    if indexed:
        from ._moto_index import install

        install(tracker)
    inner = DomainDispatcherApplication(create_backend_app)
    return HarnessMotoApp(inner, tracker=tracker, path_style_host=path_style_host, indexed=indexed)


def silence_werkzeug() -> None:
    """Stop werkzeug's per-request access log (it would flood the console and CI logs)."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
