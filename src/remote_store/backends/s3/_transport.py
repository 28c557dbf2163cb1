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
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..._errors import RemoteStoreError
from ._errors import map_error
from ._options import CaBundle

__all__ = ["Request", "S3Transport"]

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """One request of a concurrent batch: the operation, its parameters, how to name a failure."""

    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    action: str = "request"


class S3Transport:
    """Synchronous facade over the async client of one ``s3fs.S3FileSystem``."""

    def __init__(self, fs: Any, ca: CaBundle) -> None:
        self.fs = fs
        self.ca = ca

    async def client(self) -> Any:
        await self.fs.set_session()
        return self.fs._s3

    async def acall(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        client = await self.client()
        method = getattr(client, operation)
        merge = getattr(self.fs, "_get_s3_method_kwargs", None)
        if merge is not None and getattr(self.fs, "_kwargs_helper", None) is not None:
            # Applies the user's s3_additional_kwargs (SSE settings, RequestPayer, ...).
            params = merge(method, **params)
        result: dict[str, Any] = await method(**params)
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
        try:
            return self.run(self.acall, operation, params)
        except RemoteStoreError:
            raise
        except Exception as exc:
            raise self.map(exc, path=path, action=action, conditional=conditional) from exc

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
