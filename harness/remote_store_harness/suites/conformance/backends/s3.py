"""Conformance plug-in: S3Backend against moto through the harness, in three topologies.

* ``s3-http``: plain HTTP, path addressing, straight to the harness gateway.
* ``s3-tls-proxy-path``: TLS from the harness CA (passed as ``tls_ca_bundle``), through the
  harness forward proxy (CONNECT), path addressing on the proxy-only host name ``s3.test``.
* ``s3-tls-virtual``: TLS, virtual-host addressing (``<bucket>.s3.test``).
* ``s3-tls-proxy-virtual``: all three stacked: TLS, through the forward proxy, virtual-host
  addressing (the proxy resolves ``<bucket>.s3.test``); the S3 id of ``run --quick``.
* ``s3-minio`` / ``s3-minio-tls-proxy-path``: the same against MinIO (a Docker container or a
  ``minio`` binary on PATH); skipped with the reason where neither is available.
* ``s3-rclone-http``: ``rclone serve s3`` (a second S3 implementation, which checks signatures)
  behind the gateway over plain HTTP; ``s3-rclone-tls``: rclone serving HTTPS itself with a leaf
  of the harness CA, reached directly. Both use the configuration the probe recommends for rclone
  (:data:`BACKEND_OPTIONS`); where rclone differs from AWS in a way the library cannot paper over,
  the case is a strict xfail with the divergence's reason (``suites/_divergences.py``), on that
  id only. Skipped with the reason where no ``rclone`` executable exists.

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
    "s3-tls-proxy-virtual",
    "s3-minio",
    "s3-minio-tls-proxy-path",
    "s3-rclone-http",
    "s3-rclone-tls",
)
#: The ids on the harness' own topologies of the session's target (no second server). Against an
#: external endpoint ``s3-http`` is the endpoint as given and the others put the harness' TLS
#: gateway, forward proxy and virtual-host addressing in front of it (``run --harness-topologies``).
HARNESS_TOPOLOGY_IDS = ("s3-http", "s3-tls-proxy-path", "s3-tls-virtual", "s3-tls-proxy-virtual")
MARKS = (pytest.mark.s3,)
_S3_TRAITS = frozenset({"flat_namespace", "terminal_close"})
#: One id per server runs the bulk cases; the others reach the same server over TLS, a proxy or
#: virtual-host names (trait ``variant``).
_VARIANTS = (
    "s3-tls-proxy-path",
    "s3-tls-virtual",
    "s3-tls-proxy-virtual",
    "s3-minio-tls-proxy-path",
    "s3-rclone-tls",
)
TRAITS = {
    backend_id: _S3_TRAITS | ({"variant"} if backend_id in _VARIANTS else set())
    for backend_id in BACKEND_IDS
}
NOTE = "moto subprocess behind the harness gateway (request log, TLS, forward proxy)"

_SPECS: dict[str, dict[str, Any]] = {
    "s3-http": {"tls": False, "proxy": "none", "addressing": "path"},
    "s3-tls-proxy-path": {"tls": True, "proxy": "forward", "addressing": "path"},
    "s3-tls-virtual": {"tls": True, "proxy": "none", "addressing": "virtual"},
    "s3-tls-proxy-virtual": {"tls": True, "proxy": "forward", "addressing": "virtual"},
    "s3-minio": {"target": "minio", "tls": False, "proxy": "none", "addressing": "path"},
    "s3-minio-tls-proxy-path": {
        "target": "minio",
        "tls": True,
        "proxy": "forward",
        "addressing": "path",
    },
    "s3-rclone-http": {"target": "rclone", "tls": False, "proxy": "none", "addressing": "path"},
    "s3-rclone-tls": {"target": "rclone-tls", "tls": False, "proxy": "none", "addressing": "path"},
}

#: S3Backend options per id beyond the topology's: what the probe recommends for the server.
#: rclone ignores ``If-None-Match`` (so ``overwrite=False`` must check first), and its HTTPS
#: server answers 411 to botocore's chunked uploads with trailing checksums.
BACKEND_OPTIONS: dict[str, dict[str, Any]] = {
    "s3-rclone-http": {"conditional_writes": False},
    "s3-rclone-tls": {"conditional_writes": False},
}
#: botocore ``Config`` fields per id (merged into ``client_options.config_kwargs``).
CLIENT_CONFIG: dict[str, dict[str, Any]] = {
    "s3-rclone-tls": {"request_checksum_calculation": "when_required"},
}


def make_store(request: pytest.FixtureRequest, backend_id: str) -> Iterator[Store]:
    pytest.importorskip("s3fs")
    from remote_store.backends import S3Backend
    from remote_store_harness import TopologyError
    from remote_store_harness.pytest_plugin import apply_option_assignments, unique_bucket_name

    _apply_divergence(
        request, _SPECS[backend_id].get("target") or request.config.getoption("--s3-target")
    )
    factory = request.getfixturevalue("s3_topology_factory")
    try:
        topology = factory(**_SPECS[backend_id])
    except TopologyError as exc:
        if request.config.getoption("--s3-target") != "external":
            raise
        pytest.skip(f"external target: the harness' topologies cannot front it ({exc})")
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
    config.update(CLIENT_CONFIG.get(backend_id, {}))
    options.update(BACKEND_OPTIONS.get(backend_id, {}))
    # The user's (or the run's recommended) options win over everything above.
    apply_option_assignments(options, list(request.config.getoption("--s3-option") or ()))
    store = Store(S3Backend(**options), root)
    try:
        yield store
    finally:
        store.close()
        if fixed:
            _delete_prefix(topology, fixed, root)
        else:
            topology.delete_bucket(bucket)


def _apply_divergence(request: pytest.FixtureRequest, target: str) -> None:
    """A known divergence of ``target`` decides this case: strict xfail (a server fix shows up
    as XPASS) or skip (the outcome would be a race), with the divergence's reason."""
    from remote_store_harness.suites._divergences import for_case

    divergence = for_case(request.node.name, target)
    if divergence is None:
        return
    if divergence.effect == "skip":
        pytest.skip(divergence.reason)
    request.applymarker(pytest.mark.xfail(strict=True, reason=divergence.reason))


def _delete_prefix(topology: Any, bucket: str, prefix: str) -> None:
    """Delete the keys under this test's own unique prefix (and nothing else)."""
    client = topology.boto3_client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
