"""The gateway relays S3 traffic to moto and records what it saw."""

from __future__ import annotations

import io
import time

import pytest
from remote_store_harness import Gateway, Latency
from remote_store_harness.net import GatewayConfigError


def test_forwards_to_moto_and_logs_method_path_and_operation(
    gateway: Gateway, s3_client, bucket_name: str
) -> None:
    client = s3_client(gateway.url)
    client.create_bucket(Bucket=bucket_name)
    client.put_object(Bucket=bucket_name, Key="dir/a.txt", Body=b"alpha")
    assert client.get_object(Bucket=bucket_name, Key="dir/a.txt")["Body"].read() == b"alpha"
    client.list_objects_v2(Bucket=bucket_name, Prefix="dir/")
    client.head_object(Bucket=bucket_name, Key="dir/a.txt")
    client.delete_object(Bucket=bucket_name, Key="dir/a.txt")

    seen = [(r.method, r.path, r.operation, r.status) for r in gateway.log.records()]
    assert seen == [
        ("PUT", f"/{bucket_name}", "CreateBucket", 200),
        ("PUT", f"/{bucket_name}/dir/a.txt", "PutObject", 200),
        ("GET", f"/{bucket_name}/dir/a.txt", "GetObject", 200),
        ("GET", f"/{bucket_name}", "ListObjectsV2", 200),
        ("HEAD", f"/{bucket_name}/dir/a.txt", "HeadObject", 200),
        ("DELETE", f"/{bucket_name}/dir/a.txt", "DeleteObject", 204),
    ]


def test_log_keeps_host_query_and_selected_headers(
    gateway: Gateway, s3_client, bucket_name: str
) -> None:
    client = s3_client(gateway.url)
    client.create_bucket(Bucket=bucket_name)
    client.list_objects_v2(Bucket=bucket_name, Prefix="p/", Delimiter="/")
    record = gateway.log.records()[-1]
    assert record.host == f"127.0.0.1:{gateway.port}"
    assert "list-type=2" in record.query and "prefix=p%2F" in record.query
    assert record.upstream_seconds is not None and record.upstream_seconds > 0
    assert record.bytes_out > 0 and not record.tls


def test_authorization_value_never_appears_in_records(
    gateway: Gateway, s3_client, bucket_name: str
) -> None:
    client = s3_client(gateway.url)
    client.create_bucket(Bucket=bucket_name)
    client.put_object(Bucket=bucket_name, Key="k", Body=b"x")
    records = gateway.log.records()
    assert records and all(r.has_authorization for r in records)
    text = repr(records) + "".join(str(dict(r.headers)) for r in records)
    assert "harness-test-key" not in text  # the access key is part of every Authorization value
    assert "Signature=" not in text and "AWS4-HMAC-SHA256 " not in text
    assert all("authorization" not in r.headers for r in records)


def test_unsigned_request_is_logged_without_authorization(gateway: Gateway) -> None:
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{gateway.url}/no-such-bucket-xyz/key", timeout=5)
    info.value.read()  # the record is complete once the whole response has arrived
    (record,) = gateway.log.records()
    assert record.has_authorization is False and record.operation == "GetObject"


def test_injected_latency_adds_at_least_the_fixed_delay(
    gateway: Gateway, s3_client, bucket_name: str
) -> None:
    client = s3_client(gateway.url)
    client.create_bucket(Bucket=bucket_name)

    def run(n: int = 5) -> float:
        start = time.perf_counter()
        for _ in range(n):
            client.head_bucket(Bucket=bucket_name)
        return time.perf_counter() - start

    run(2)  # warm the connection pools
    baseline = run()
    gateway.latency = Latency(fixed_ms=100)
    delayed = run()
    assert delayed - baseline >= 5 * 0.1 * 0.9
    records = gateway.log.records()[-5:]
    assert all(r.latency_seconds == pytest.approx(0.1) for r in records)


def test_latency_jitter_is_seeded_and_bounded() -> None:
    a = Latency(fixed_ms=10, jitter_ms=5, seed=42)
    b = Latency(fixed_ms=10, jitter_ms=5, seed=42)
    draws = [a.sample_seconds() for _ in range(50)]
    assert draws == [b.sample_seconds() for _ in range(50)]
    assert all(0.010 <= d <= 0.015 for d in draws) and len(set(draws)) > 1


def test_keep_alive_reuses_one_upstream_connection(sink_gateway_factory) -> None:
    gw, sink = sink_gateway_factory()
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
    for _ in range(5):
        conn.request("GET", "/ping")
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    conn.close()
    assert len({seen["peer_port"] for seen in sink.seen}) == 1
    assert len(gw.log) == 5


def test_virtual_host_header_is_preserved(sink_gateway_factory) -> None:
    gw, sink = sink_gateway_factory()
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
    conn.request("GET", "/key.txt", headers={"Host": "photos.s3.test:9000"})
    conn.getresponse().read()
    conn.close()
    assert sink.seen[-1]["headers"]["host"] == "photos.s3.test:9000"
    record = gw.log.records()[-1]
    assert (record.host, record.path, record.operation) == (
        "photos.s3.test:9000",
        "/key.txt",
        "GetObject",
    )


def test_put_with_expect_continue_stores_the_body(
    gateway: Gateway, s3_client, bucket_name: str
) -> None:
    client = s3_client(gateway.url)
    client.create_bucket(Bucket=bucket_name)
    body = b"0123456789" * 10_000
    client.put_object(Bucket=bucket_name, Key="big", Body=io.BytesIO(body))
    put = gateway.log.records()[-1]
    assert put.operation == "PutObject" and put.headers.get("expect") == "100-continue"
    assert client.get_object(Bucket=bucket_name, Key="big")["Body"].read() == body


def test_upstream_that_refuses_connections_gives_502() -> None:
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with Gateway(f"http://127.0.0.1:{dead_port}") as gw:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{gw.url}/bucket", timeout=5)
        assert info.value.code == 502
        (record,) = gw.log.records()
        assert record.status == 502 and record.error


@pytest.mark.parametrize("url", ["https://127.0.0.1:9000", "http://127.0.0.1", "ftp://x:1"])
def test_gateway_accepts_only_plain_http_upstreams_with_a_port(url: str) -> None:
    with pytest.raises(GatewayConfigError):
        Gateway(url)


def test_url_before_start_is_an_error(moto_url: str) -> None:
    from remote_store_harness.errors import ServerStateError

    with pytest.raises(ServerStateError):
        _ = Gateway(moto_url).url
