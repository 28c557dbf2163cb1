"""An S3-compatible endpoint the harness does not run (URL, credentials, CA, proxy, addressing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..endpoint import ADDRESSING_STYLES, Credentials, Endpoint
from ._base import PopulateItem, TargetError

__all__ = ["ExternalTarget"]


class ExternalTarget:
    """An endpoint the harness does not run: never reset, buckets only where permitted.

    ``bucket`` names a bucket the user provides when creating/deleting buckets is not allowed: then
    :meth:`create_bucket` / :meth:`delete_bucket` on that name do nothing, and the pytest fixtures
    hand out that bucket instead of fresh ones (tests then rely on unique keys).

    ``proxy_url`` (``http://[user:pass@]host:port``) is the forward proxy every request to the
    endpoint goes through (the harness' own admin client included), and ``addressing`` the bucket
    addressing style the endpoint needs. Either one makes :func:`start_topology` build a *direct*
    topology (no harness gateway: the gateway would reach the endpoint without the proxy and
    could not keep ``bucket.host`` names) that carries them into every client option it hands out.
    """

    name = "external"

    def __init__(
        self,
        url: str,
        key: str,
        secret: str,
        ca_path: str | None = None,
        region: str = "us-east-1",
        bucket: str | None = None,
        proxy_url: str | None = None,
        addressing: str = "path",
    ) -> None:
        if addressing not in ADDRESSING_STYLES:
            raise TargetError(f"addressing must be 'path' or 'virtual', got {addressing!r}")
        self.endpoint = Endpoint(
            url=url.rstrip("/"),
            credentials=Credentials(key, secret, region),
            ca_path=ca_path,
            proxy_url=proxy_url or None,
            addressing=addressing,  # checked above
        )
        self.fixed_bucket = bucket
        self._client: Any = None

    @classmethod
    def from_endpoint(cls, endpoint: Endpoint, *, bucket: str | None = None) -> ExternalTarget:
        """The external target for ``endpoint`` (``bucket``: see the class docstring)."""
        target = cls(endpoint.url, "", "", bucket=bucket, addressing=endpoint.addressing)
        target.endpoint = endpoint  # validated above; kept whole (session token included)
        return target

    def start(self) -> ExternalTarget:
        return self

    @property
    def endpoint_url(self) -> str:
        return self.endpoint.url

    @property
    def credentials(self) -> Credentials:
        return self.endpoint.credentials

    def _s3(self) -> Any:
        if self._client is None:
            from ._s3admin import admin_client

            self._client = admin_client(self.endpoint)
        return self._client

    def create_bucket(self, name: str) -> None:
        if name == self.fixed_bucket:
            return
        from ._s3admin import create_bucket

        try:
            create_bucket(self._s3(), name, self.endpoint.credentials.region)
        except Exception as exc:
            raise TargetError(
                f"cannot create bucket {name!r} on {self.endpoint.url} ({exc}); "
                "give an existing bucket instead (--s3-bucket)"
            ) from exc

    def delete_bucket(self, name: str) -> None:
        if name == self.fixed_bucket:
            return
        from ._s3admin import delete_bucket_with_contents

        delete_bucket_with_contents(self._s3(), name)

    def reset(self) -> None:
        raise TargetError("an external endpoint is never reset by the harness")

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        from ._s3admin import put_many

        return put_many(self._s3(), bucket, items)

    def stop(self) -> None:
        self._client = None
