"""Conformance plug-in: S3Backend against moto through the harness, in three topologies.

* ``s3-http``: plain HTTP, path addressing, straight to the harness gateway.
* ``s3-tls-proxy-path``: TLS from the harness CA (passed as ``tls_ca_bundle``), through the
  harness forward proxy (CONNECT), path addressing on the proxy-only host name ``s3.test``.
* ``s3-tls-virtual``: TLS, virtual-host addressing (``<bucket>.s3.test``).
* ``s3-minio`` / ``s3-minio-tls-proxy-path``: the same against MinIO (a Docker container or a
  ``minio`` binary on PATH); skipped with the reason where neither is available.

Every test gets its own bucket on the session's moto target; it is deleted afterwards.

With ``--s3-target external`` (``remote-store-harness run --endpoint``) the ``s3-http`` id is the
endpoint as the user configured it (``--s3-ca``, ``--s3-proxy``, ``--s3-addressing``). The other
ids put the harness' own TLS/proxy in front of it; where no gateway can front the endpoint (https,
its own proxy, virtual-host addressing) they skip with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from remote_store import Store

BACKEND_IDS = (
    "s3-http",
    "s3-tls-proxy-path",
    "s3-tls-virtual",
    "s3-minio",
    "s3-minio-tls-proxy-path",
)
MARKS = (pytest.mark.s3,)
TRAITS = frozenset({"flat_namespace", "terminal_close"})
NOTE = "moto subprocess behind the harness gateway (request log, TLS, forward proxy)"

_SPECS: dict[str, dict[str, Any]] = {
    "s3-http": {"tls": False, "proxy": "none", "addressing": "path"},
    "s3-tls-proxy-path": {"tls": True, "proxy": "forward", "addressing": "path"},
    "s3-tls-virtual": {"tls": True, "proxy": "none", "addressing": "virtual"},
    "s3-minio": {"target": "minio", "tls": False, "proxy": "none", "addressing": "path"},
    "s3-minio-tls-proxy-path": {
        "target": "minio",
        "tls": True,
        "proxy": "forward",
        "addressing": "path",
    },
}


def make_store(request: pytest.FixtureRequest, backend_id: str) -> Iterator[Store]:
    pytest.importorskip("s3fs")
    from remote_store.backends import S3Backend
    from remote_store_harness import TopologyError
    from remote_store_harness.pytest_plugin import unique_bucket_name

    factory = request.getfixturevalue("s3_topology_factory")
    try:
        topology = factory(**_SPECS[backend_id])
    except TopologyError as exc:
        if request.config.getoption("--s3-target") != "external":
            raise
        pytest.skip(f"external target: only the s3-http id runs here ({exc})")
    fixed = topology.target.fixed_bucket
    if fixed:
        # An external endpoint with a given bucket (``remote-store-harness run --endpoint``):
        # never create buckets there; each test works under a fresh prefix and removes only it.
        root = f"{unique_bucket_name('remote-store-conformance')}/"
        options = topology.s3_options(fixed)
    else:
        bucket = unique_bucket_name("conf")
        topology.create_bucket(bucket)
        options = topology.s3_options(bucket)
        root = ""
    # Failure paths stay fast: no retries and short timeouts (the suite injects no faults).
    config = options["client_options"]["config_kwargs"]
    config.update({"retries": {"total_max_attempts": 2}, "connect_timeout": 5, "read_timeout": 30})
    store = Store(S3Backend(**options), root)
    try:
        yield store
    finally:
        store.close()
        if fixed:
            _delete_prefix(topology, fixed, root)
        else:
            topology.delete_bucket(bucket)


def _delete_prefix(topology: Any, bucket: str, prefix: str) -> None:
    """Delete the keys under this test's own unique prefix (and nothing else)."""
    client = topology.boto3_client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
