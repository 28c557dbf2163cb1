"""Pieces shared by the two moto targets: the private-endpoint client, batching and a base."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ._base import Credentials, LoopbackTarget, PopulateItem, TargetError, TargetStartError

__all__ = ["MOTO_CREDENTIALS", "MotoTarget", "PrivateClient", "batched"]

#: moto accepts any credentials; these are the conventional dummy ones.
MOTO_CREDENTIALS = Credentials(access_key="testing", secret_key="testing", region="us-east-1")

POPULATE_BATCH = 5000


def batched(items: Iterable[PopulateItem], size: int) -> Iterator[list[PopulateItem]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class PrivateClient:
    """Calls the ``/_harness/<action>`` JSON endpoints of a harness moto server."""

    def __init__(self, host: str, port: int, timeout: float = 120.0) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout

    def call(self, action: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps(payload or {}).encode("utf-8")
        conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            conn.request(
                "POST",
                f"/_harness/{action}",
                body=body,
                headers={"Content-Type": "application/json", "Host": f"127.0.0.1:{self._port}"},
            )
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        result: dict[str, Any] = json.loads(data or b"{}")
        if response.status != 200:
            raise TargetError(f"moto /_harness/{action} failed: {result.get('error', data[:200])}")
        return result

    def reset(self) -> None:
        conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            conn.request("POST", "/moto-api/reset", headers={"Host": f"127.0.0.1:{self._port}"})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise TargetError(f"moto reset answered HTTP {response.status}")

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        total = 0
        for batch in batched(items, POPULATE_BATCH):
            wire: list[list[Any]] = [
                [key, body if isinstance(body, int) else {"b64": base64.b64encode(body).decode()}]
                for key, body in batch
            ]
            total += int(self.call("populate", {"bucket": bucket, "items": wire})["count"])
        return total


class MotoTarget(LoopbackTarget):
    """What both moto targets (subprocess and in-thread) do alike once running.

    Subclasses start and stop the server, set ``_client`` while it runs and provide ``port``;
    everything else goes through the harness's private endpoints, so it is the same for both.
    """

    _host: str
    _client: PrivateClient | None

    @property
    def port(self) -> int:
        raise NotImplementedError

    @property
    def endpoint_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def credentials(self) -> Credentials:
        return MOTO_CREDENTIALS

    @property
    def _private(self) -> PrivateClient:
        if self._client is None:
            raise TargetStartError(f"{type(self).__name__} is not started")
        return self._client

    def create_bucket(self, name: str) -> None:
        self._private.call("create-bucket", {"bucket": name, "region": MOTO_CREDENTIALS.region})

    def delete_bucket(self, name: str) -> None:
        self._private.call("delete-bucket", {"bucket": name})

    def reset(self) -> None:
        self._private.reset()

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        return self._private.populate(bucket, items)
