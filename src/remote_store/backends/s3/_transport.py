"""The one place the S3 backend talks to the network: s3fs's aiobotocore client.

s3fs stays the single client (``unwrap(s3fs.S3FileSystem)`` returns it; its
session, credentials, ``config_kwargs`` and ``s3_additional_kwargs`` apply), but
requests are sent to the aiobotocore client it owns rather than through
``S3FileSystem._call_s3``. The reason is retry semantics: ``_call_s3`` wraps
every call in s3fs's own retry loop (up to 5 tries for ``SlowDown`` and
transport errors, on top of botocore's retries), so ``RetryPolicy(max_attempts=N)``
would not mean N attempts. It also rewrites ``ClientError`` into ``OSError``
subclasses, losing the error code our mapping relies on.

Errors are mapped here, with the original exception as ``__cause__`` (which
``RemoteStoreError`` shows redacted when its text carries a credential: an aiohttp
proxy error names the proxy URL with its password).

Three transport behaviours are changed on every client, because each breaks a promise:

* **aiohttp's silent re-send.** aiohttp sends an idempotent request (PUT included) a second
  time when a pooled connection dies before the answer, below botocore's retry accounting. A
  conditional PUT whose response was lost after the server stored it then comes back as 412,
  and ``RetryPolicy(max_attempts=1)`` meant two sends. With it off, every send is one of
  botocore's counted attempts, and a re-send shows up in ``RetryAttempts`` (which the upload
  code uses to decide a 412 by the stored object's identity).
* **``Expect: 100-continue``** on PUT/UploadPart. aiohttp waits for the interim response with
  no timeout at all, so a server that never answers blocks the call forever despite
  ``read_timeout``. Without the header the body is sent at once and the wait for the answer is
  the ordinary socket read, bounded by ``read_timeout`` and retried by the retry policy: a
  stalled upload ends within about ``attempts x read_timeout``.
* **Checksum mode on ranged reads.** botocore asks every ``GetObject`` for the stored checksum
  (``x-amz-checksum-mode: ENABLED``), ranged ones included, although no full-object checksum
  can cover part of an object (moto even answers a range with the whole object's checksum,
  which would fail any check). A ``GetObject`` with ``Range`` asks for no checksum. Whole-object
  reads of this backend ask explicitly and are checked by ``_integrity.BodyCheck``; for the
  requests sent through :meth:`S3Transport.acall` botocore's own body validation is switched
  off, so one mechanism checks each read once (requests s3fs sends itself, e.g. through
  ``unwrap()``, keep botocore's validation).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..._errors import RemoteStoreError
from ._errors import map_error
from ._options import CaBundle
from ._parser import install_parser
from ._user_agent import memoize_user_agent

__all__ = ["Pending", "Request", "S3Transport"]

T = TypeVar("T")

_log = logging.getLogger("remote_store.backends.s3")


#: Set while a request of ours is in flight: its body is checked by ``_integrity``, not botocore.
_CHECKED_BY_US: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "remote_store_s3_checked_by_us", default=False
)


def _no_checksum_mode_for_ranges(params: dict[str, Any], **_: Any) -> None:
    """``before-parameter-build`` handler, run after botocore's own ``ChecksumMode`` default.

    Registered on the unqualified event: botocore's default sits there, and the handlers of a
    more specific event name (``...s3.GetObject``) would all run before it.
    """
    if "Range" in params:
        params.pop("ChecksumMode", None)


def _no_botocore_body_validation(context: dict[str, Any], **_: Any) -> None:
    """``before-call`` handler: botocore does not wrap the body of a read we check ourselves."""
    if _CHECKED_BY_US.get():
        checksum = context.get("checksum")
        if isinstance(checksum, dict):
            checksum.pop("response_algorithms", None)


def _drop_expect_continue(params: dict[str, Any], **_: Any) -> None:
    """``before-call`` handler, run after botocore's own ``add_expect_header``."""
    headers = params.get("headers")
    if isinstance(headers, dict):
        for name in [n for n in headers if n.lower() == "expect"]:
            del headers[name]


def _no_silent_resend(client: Any) -> None:
    """Make the aiohttp sessions of *client* send each request once per botocore attempt.

    aiohttp has no public switch; ``ClientSession._retry_connection`` is the flag its own test
    utilities clear. The sessions are created lazily per proxy URL, so the factory is wrapped.
    tests/s3/test_data_safety.py pins the behaviour (one request per attempt on a reset).
    """
    http = getattr(getattr(client, "_endpoint", None), "http_session", None)
    original = getattr(http, "_get_session", None)
    if original is None or getattr(original, "_remote_store_once", False):
        if original is None:
            _log.warning("cannot disable aiohttp's silent re-send: unknown aiobotocore layout")
        return

    async def get_session(*args: Any, **kwargs: Any) -> Any:
        session = await original(*args, **kwargs)
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        return session

    get_session._remote_store_once = True  # type: ignore[attr-defined]
    http._get_session = get_session  # type: ignore[union-attr]


def harden_client(client: Any) -> None:
    """Apply the changes (see the module docstring) to an aiobotocore S3 client, once."""
    if getattr(client, "_remote_store_hardened", False):
        return
    events = client.meta.events
    events.register_last("before-call.s3", _drop_expect_continue)
    events.register_last("before-parameter-build", _no_checksum_mode_for_ranges)
    events.register_last("before-call.s3.GetObject", _no_botocore_body_validation)
    _no_silent_resend(client)
    client._remote_store_hardened = True


@dataclass(frozen=True)
class Request:
    """One request of a concurrent batch: the operation, its parameters, how to name a failure."""

    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    action: str = "request"


class Pending:
    """A request already on the wire: ``result()`` waits for it, failures mapped like ``call``'s.

    ``cancel()`` abandons it (a no-op once answered); the request may have reached the server.
    """

    def __init__(
        self,
        transport: S3Transport,
        future: concurrent.futures.Future[dict[str, Any]],
        *,
        path: str | None,
        action: str,
    ) -> None:
        self._transport = transport
        self._future = future
        self._path = path
        self._action = action

    def result(self) -> dict[str, Any]:
        with self._transport.mapped_errors(path=self._path, action=self._action):
            return self._future.result()

    def cancel(self) -> None:
        self._future.cancel()


class S3Transport:
    """Synchronous facade over the async client of one ``s3fs.S3FileSystem``."""

    def __init__(self, fs: Any, ca: CaBundle) -> None:
        self.fs = fs
        self.ca = ca

    async def client(self) -> Any:
        await self.fs.set_session()
        client = self.fs._s3
        harden_client(client)
        install_parser(client)
        memoize_user_agent(client)
        return client

    async def acall(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        client = await self.client()
        method = getattr(client, operation)
        merge = getattr(self.fs, "_get_s3_method_kwargs", None)
        if merge is not None and getattr(self.fs, "_kwargs_helper", None) is not None:
            # Applies the user's s3_additional_kwargs (SSE settings, RequestPayer, ...).
            params = merge(method, **params)
        token = _CHECKED_BY_US.set(True)
        try:
            result: dict[str, Any] = await method(**params)
        finally:
            _CHECKED_BY_US.reset(token)
        return result

    def run(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run a coroutine function on s3fs's event loop thread and wait for it."""
        from fsspec.asyn import sync

        return sync(self.fs.loop, func, *args)  # type: ignore[no-any-return]

    def submit(
        self, operation: str, params: dict[str, Any]
    ) -> concurrent.futures.Future[dict[str, Any]]:
        """Start one request on the event loop without waiting; errors stay unmapped."""
        return asyncio.run_coroutine_threadsafe(self.acall(operation, params), self.fs.loop)

    @contextlib.contextmanager
    def mapped_errors(
        self, *, path: str | None, action: str, conditional: bool = False
    ) -> Iterator[None]:
        """Raise an SDK failure inside the block as ``RemoteStoreError`` (cause attached)."""
        try:
            yield
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self.map(exc, path=path, action=action, conditional=conditional) from exc

    def call(
        self,
        operation: str,
        *,
        path: str | None,
        action: str,
        conditional: bool = False,
        **params: Any,
    ) -> dict[str, Any]:
        """Send one request; failures come back as ``RemoteStoreError`` (cause attached)."""
        with self.mapped_errors(path=path, action=action, conditional=conditional):
            return self.run(self.acall, operation, params)

    def start(self, operation: str, *, path: str | None, action: str, **params: Any) -> Pending:
        """Send one request now and answer it later: ``call`` split at the wait."""
        return Pending(self, self.submit(operation, params), path=path, action=action)

    def call_concurrently(
        self, requests: Sequence[Request]
    ) -> list[dict[str, Any] | RemoteStoreError]:
        """Send ``requests`` at once (one round trip of latency); each answer or mapped error.

        Every request is sent even if another fails; the caller decides, in its own
        order, which answer counts, so concurrency changes latency but never the
        result. A mapped error keeps the SDK exception as ``__cause__``.
        """

        async def _all() -> list[Any]:
            return await asyncio.gather(  # type: ignore[no-any-return]
                *(self.acall(r.operation, dict(r.params)) for r in requests),
                return_exceptions=True,
            )

        answers = self.run(_all)
        results: list[dict[str, Any] | RemoteStoreError] = []
        for request, answer in zip(requests, answers, strict=True):
            if isinstance(answer, RemoteStoreError | dict):
                results.append(answer)
            elif isinstance(answer, Exception):
                mapped = self.map(answer, path=request.path, action=request.action)
                mapped.__cause__ = answer
                results.append(mapped)
            else:  # KeyboardInterrupt, CancelledError: never swallowed
                raise answer
        return results

    def map(
        self, exc: BaseException, *, path: str | None, action: str, conditional: bool = False
    ) -> RemoteStoreError:
        return map_error(exc, path=path, ca=self.ca, conditional=conditional, action=action)

    def close(self) -> None:
        """Close the aiobotocore client (and its connection pool) if one was created."""
        creator = getattr(self.fs, "_s3creator", None)
        if getattr(self.fs, "_s3", None) is None or creator is None:
            return

        async def _close() -> None:
            await creator.__aexit__(None, None, None)

        # Best effort: the backend is terminal anyway.
        with contextlib.suppress(Exception):
            self.run(_close)
        self.fs._s3 = None
