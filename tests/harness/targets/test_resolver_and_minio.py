"""The aiohttp resolver for test names, and MinIO's clean unavailability."""

from __future__ import annotations

import asyncio
import copy
import shutil
import socket
import time

import pytest
from remote_store_harness import HarnessResolver, MinioTarget, TargetUnavailable


def test_resolver_maps_the_test_names_to_loopback() -> None:
    resolver = HarnessResolver()
    for host in ("s3.test", "bucket.s3.test", "a.b.s3.test", "S3.TEST."):
        results = asyncio.run(resolver.resolve(host, 4443))
        assert [(r["host"], r["port"], r["family"]) for r in results] == [
            ("127.0.0.1", 4443, socket.AF_INET)
        ]


def test_resolver_leaves_other_names_to_the_system() -> None:
    resolver = HarnessResolver()
    assert resolver.lookup("evil-s3.test") is None
    results = asyncio.run(resolver.resolve("localhost", 80))
    assert results and all(r["hostname"] == "localhost" for r in results)


def test_resolver_survives_deepcopy_as_the_same_object() -> None:
    resolver = HarnessResolver({"x.test": "127.0.0.2"})
    assert (
        copy.deepcopy({"connector_args": {"resolver": resolver}})["connector_args"]["resolver"]
        is resolver
    )
    assert resolver.lookup("x.test") == "127.0.0.2"


def _minio_possible() -> bool:
    if shutil.which("minio"):
        return True
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def test_minio_is_unavailable_quickly_with_both_reasons() -> None:
    if _minio_possible():
        pytest.skip("a Docker engine or a minio binary exists here; this checks their absence")
    started = time.monotonic()
    with pytest.raises(TargetUnavailable) as info:
        MinioTarget().start()
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert "Docker" in message and "minio" in message
