"""The benchmark's S3 environment: one moto subprocess behind the harness gateway, three clients.

It is the harness' default plain-HTTP topology (so our store gets exactly the options any other
test gives it), with the target started by us to choose stock or indexed listing. Every request
of every client crosses the one gateway, whose log is the source of all request counts and
server times.

Set-up traffic (bucket creation, population, per-round fixtures such as re-creating an object
before a delete) goes to the target directly and never appears in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BenchEnv", "start_env"]


@dataclass
class BenchEnv:
    topology: Any
    listing_mode: str

    @property
    def target(self) -> Any:
        return self.topology.target

    @property
    def log(self) -> Any:
        return self.topology.request_log

    def set_latency_ms(self, ms: float) -> None:
        from remote_store_harness import Latency

        self.topology.set_latency(Latency(fixed_ms=ms))

    def store(self, bucket: str) -> Any:
        from remote_store import Store
        from remote_store.backends import S3Backend

        return Store(S3Backend(**self.topology.s3_options(bucket)))

    def boto3_client(self) -> Any:
        return self.topology.boto3_client()

    def s3fs(self) -> Any:
        import s3fs

        kwargs = self.topology.s3fs_kwargs()
        kwargs["use_listings_cache"] = False
        kwargs["skip_instance_cache"] = True
        return s3fs.S3FileSystem(**kwargs)

    def admin_client(self) -> Any:
        """A boto3 client talking to the target directly (set-up traffic, not logged)."""
        import boto3
        from botocore.config import Config

        c = self.target.credentials
        return boto3.client(
            "s3",
            endpoint_url=self.target.endpoint_url,
            aws_access_key_id=c.access_key,
            aws_secret_access_key=c.secret_key,
            region_name=c.region,
            config=Config(proxies={}),
        )

    def stop(self) -> None:
        self.topology.stop()


def start_env(*, indexed_listing: bool) -> BenchEnv:
    """Start a fresh moto subprocess (isolated state) with the gateway in front of it."""
    from remote_store_harness.topology import TopologySpec, start_topology

    topology = start_topology(TopologySpec(target="moto", indexed_listing=indexed_listing))
    if not topology.observed:
        topology.stop()
        raise RuntimeError("the benchmark topology has no gateway, so nothing could be counted")
    return BenchEnv(topology, "indexed" if indexed_listing else "stock")
