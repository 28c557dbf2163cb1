"""moto targets (subprocess and in-thread): lifecycle, isolation, reset, bulk population."""

from __future__ import annotations

import http.client
import os
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from remote_store_harness.targets import (
    MotoProcessTarget,
    MotoThreadTarget,
    Target,
    synthetic_body,
)
from targets_helpers import pid_is_gone, port_is_closed


def client_for(target: Target) -> Any:
    creds = target.credentials
    return boto3.client(
        "s3",
        endpoint_url=target.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        region_name=creds.region,
        config=Config(proxies={}, retries={"total_max_attempts": 1}),
    )


def raw_request(
    port: int, method: str, host: str, path: str, body: bytes = b""
) -> tuple[int, bytes]:
    """A signed-looking request with an explicit Host header (moto does not verify signatures)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host)
        conn.putheader(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, "
            "SignedHeaders=host, Signature=0",
        )
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_process_target_serves_s3_on_a_loopback_port(moto_process: MotoProcessTarget) -> None:
    assert moto_process.endpoint_url == f"http://127.0.0.1:{moto_process.port}"
    assert moto_process.pid is not None and moto_process.pid != os.getpid()
    assert "Buckets" in client_for(moto_process).list_buckets()


def test_reset_leaves_no_bucket_and_no_object_behind(moto_process: MotoProcessTarget) -> None:
    client = client_for(moto_process)
    moto_process.create_bucket("reset-me")
    client.put_object(Bucket="reset-me", Key="k", Body=b"v")
    moto_process.reset()
    assert client.list_buckets()["Buckets"] == []
    moto_process.create_bucket("reset-me")
    assert client.list_objects_v2(Bucket="reset-me")["KeyCount"] == 0
    moto_process.delete_bucket("reset-me")


def test_two_process_targets_do_not_share_state(moto_process: MotoProcessTarget) -> None:
    moto_process.create_bucket("only-in-first")
    try:
        with MotoProcessTarget() as other:
            names = [b["Name"] for b in client_for(other).list_buckets()["Buckets"]]
            assert "only-in-first" not in names
    finally:
        moto_process.delete_bucket("only-in-first")


def test_stop_ends_the_child_process_and_closes_its_port() -> None:
    target = MotoProcessTarget().start()
    pid, port = target.pid, target.port
    assert pid is not None
    target.stop()
    assert pid_is_gone(pid)
    assert port_is_closed(port)
    target.stop()  # idempotent


def test_child_exits_when_its_parent_pipe_closes() -> None:
    """A crashed test run (parent gone, stdin EOF) must not leave a moto server behind."""
    target = MotoProcessTarget().start()
    try:
        proc = target._child.proc
        assert proc is not None and proc.stdin is not None
        port = target.port
        proc.stdin.close()
        proc.wait(timeout=10)
        assert port_is_closed(port)
    finally:
        target.stop()


def test_delete_bucket_removes_a_bucket_with_contents(moto_process: MotoProcessTarget) -> None:
    moto_process.create_bucket("full-bucket")
    moto_process.populate("full-bucket", [(f"k{i}", 3) for i in range(50)])
    moto_process.delete_bucket("full-bucket")
    with pytest.raises(ClientError) as info:
        client_for(moto_process).head_bucket(Bucket="full-bucket")
    assert info.value.response["Error"]["Code"] == "404"
    moto_process.delete_bucket("full-bucket")  # missing is fine


def test_create_bucket_twice_is_not_an_error(moto_process: MotoProcessTarget) -> None:
    moto_process.create_bucket("twice")
    moto_process.create_bucket("twice")
    moto_process.delete_bucket("twice")


def test_populate_stores_given_bytes_and_synthetic_bodies(moto_process: MotoProcessTarget) -> None:
    moto_process.create_bucket("bodies")
    try:
        count = moto_process.populate("bodies", [("raw", b"\x00\xffexact"), ("sized/é", 1000)])
        assert count == 2
        client = client_for(moto_process)
        assert client.get_object(Bucket="bodies", Key="raw")["Body"].read() == b"\x00\xffexact"
        body = client.get_object(Bucket="bodies", Key="sized/é")["Body"].read()
        assert body == synthetic_body("sized/é", 1000) and len(body) == 1000
    finally:
        moto_process.delete_bucket("bodies")


def test_populate_stores_twenty_thousand_objects(moto_process: MotoProcessTarget) -> None:
    moto_process.create_bucket("bulk")
    try:
        items = ((f"d{i // 1000:02d}/f{i // 10:04d}/k{i:05d}", 16) for i in range(20_000))
        started = time.perf_counter()
        assert moto_process.populate("bulk", items) == 20_000
        elapsed = time.perf_counter() - started
        print(f"\npopulate 20,000 objects: {elapsed:.2f} s ({20_000 / elapsed:,.0f} objects/s)")
        paginator = client_for(moto_process).get_paginator("list_objects_v2")
        pages = list(paginator.paginate(Bucket="bulk"))
        assert sum(page["KeyCount"] for page in pages) == 20_000
        assert len(pages) == 20
    finally:
        moto_process.delete_bucket("bulk")


def test_responses_carry_the_server_time_header(moto_process: MotoProcessTarget) -> None:
    response = client_for(moto_process).list_buckets()
    value = response["ResponseMetadata"]["HTTPHeaders"]["x-harness-server-ms"]
    assert float(value) >= 0.0


@pytest.mark.parametrize("kind", ["process", "thread"])
def test_path_style_on_the_test_host_name_reaches_the_bucket_in_the_path(kind: str) -> None:
    target: MotoProcessTarget | MotoThreadTarget = (
        MotoProcessTarget() if kind == "process" else MotoThreadTarget()
    )
    with target:
        target.create_bucket("pathy")
        status, _ = raw_request(target.port, "PUT", f"s3.test:{target.port}", "/pathy/a.txt", b"A")
        assert status == 200
        assert raw_request(target.port, "GET", f"s3.test:{target.port}", "/pathy/a.txt") == (
            200,
            b"A",
        )
        target.delete_bucket("pathy")


@pytest.mark.parametrize("kind", ["process", "thread"])
def test_virtual_host_name_selects_the_bucket(kind: str) -> None:
    target: MotoProcessTarget | MotoThreadTarget = (
        MotoProcessTarget() if kind == "process" else MotoThreadTarget()
    )
    with target:
        target.create_bucket("vhost-a")
        target.create_bucket("vhost-b")
        host = f"vhost-b.s3.test:{target.port}"
        assert raw_request(target.port, "PUT", host, "/k.txt", b"B")[0] == 200
        client = client_for(target)
        assert client.get_object(Bucket="vhost-b", Key="k.txt")["Body"].read() == b"B"
        assert client.list_objects_v2(Bucket="vhost-a")["KeyCount"] == 0
        target.reset()


def test_thread_target_starts_serves_and_closes_its_port() -> None:
    target = MotoThreadTarget().start()
    port = target.port
    try:
        target.create_bucket("in-thread")
        client = client_for(target)
        client.put_object(Bucket="in-thread", Key="x", Body=b"y")
        assert client.get_object(Bucket="in-thread", Key="x")["Body"].read() == b"y"
        assert target.populate("in-thread", [(f"p{i}", 1) for i in range(100)]) == 100
        assert client.list_objects_v2(Bucket="in-thread")["KeyCount"] == 101
        target.delete_bucket("in-thread")
    finally:
        target.stop()
    assert port_is_closed(port)
