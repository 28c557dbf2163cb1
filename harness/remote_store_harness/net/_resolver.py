"""An aiohttp resolver that maps the harness' test names (``s3.test``, ``*.s3.test``) to loopback.

Virtual-host addressing sends ``Host: bucket.s3.test``; nothing resolves that name on our machines.
With a forward proxy the proxy resolves it; without one, s3fs/aiobotocore can be given this resolver
(``config_kwargs={"connector_args": {"resolver": resolver}}``) and connect to the gateway directly.
Every other name is resolved normally (``getaddrinfo`` in the event loop's executor).

The object is stateless and shared: ``copy.deepcopy`` returns it unchanged (remote_store deep-copies
its ``config_kwargs``), and ``close()`` does nothing, because aiohttp closes the resolver together
with each connector while other sessions may still use it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["DEFAULT_TEST_NAMES", "HarnessResolver"]

#: The names the harness uses; "*.suffix" entries match any name ending in ".suffix".
DEFAULT_TEST_NAMES: Mapping[str, str] = {"s3.test": "127.0.0.1", "*.s3.test": "127.0.0.1"}


class HarnessResolver(AbstractResolver):
    """Resolve mapped names (exact or ``*.suffix``) to fixed IP addresses; others via DNS."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self._exact: dict[str, str] = {}
        self._suffixes: list[tuple[str, str]] = []
        for name, address in (mapping if mapping is not None else DEFAULT_TEST_NAMES).items():
            if name.startswith("*."):
                self._suffixes.append((name[1:].lower(), address))
            else:
                self._exact[name.lower()] = address

    def lookup(self, host: str) -> str | None:
        """The fixed address of ``host`` or None when it is not one of ours."""
        name = host.rstrip(".").lower()
        if name in self._exact:
            return self._exact[name]
        for suffix, address in self._suffixes:
            if name.endswith(suffix):
                return address
        return None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        address = self.lookup(host)
        if address is not None:
            fam = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [
                ResolveResult(
                    hostname=host,
                    host=address,
                    port=port,
                    family=fam,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, family=family
        )
        results: list[ResolveResult] = []
        for fam, _, proto, _, sockaddr in infos:
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(sockaddr[0]),
                    port=int(sockaddr[1]),
                    family=fam,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST,
                )
            )
        if not results:
            raise OSError(f"cannot resolve {host!r}")
        return results

    async def close(self) -> None:
        """Nothing to release (and the instance is shared between sessions)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> HarnessResolver:
        return self

    def __copy__(self) -> HarnessResolver:
        return self

    def __repr__(self) -> str:
        names = [*self._exact, *(f"*{s}" for s, _ in self._suffixes)]
        return f"HarnessResolver({', '.join(names)})"
