"""The forward proxy: CONNECT and absolute-URI forwarding, name mapping, authentication."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import botocore.exceptions
import pytest
from remote_store_harness import FaultRule, ForwardProxy, Gateway
from remote_store_harness.errors import ProxyConfigError


def _proxy_for(gw: Gateway, **kwargs) -> ForwardProxy:
    address = ("127.0.0.1", gw.port)
    return ForwardProxy(resolve={"s3.test": address, "*.s3.test": address}, **kwargs)


@pytest.fixture
def proxy(gateway: Gateway) -> Iterator[ForwardProxy]:
    with _proxy_for(gateway) as px:
        yield px


@pytest.fixture
def tls_proxy(tls_gateway: Gateway) -> Iterator[ForwardProxy]:
    with _proxy_for(tls_gateway) as px:
        yield px


def test_https_goes_through_a_connect_tunnel(
    tls_gateway: Gateway, tls_proxy: ForwardProxy, ca_file: Path, s3_client, bucket_name: str
) -> None:
    client = s3_client(
        f"https://s3.test:{tls_gateway.port}",
        verify=str(ca_file),
        proxy=tls_proxy.url,
        addressing="virtual",
    )
    client.create_bucket(Bucket=bucket_name)
    client.head_bucket(Bucket=bucket_name)
    (tunnel,) = tls_proxy.log.records()  # one keep-alive tunnel carries both requests
    assert (tunnel.method, tunnel.target, tunnel.uri, tunnel.status) == (
        "CONNECT",
        f"{bucket_name}.s3.test:{tls_gateway.port}",
        None,
        200,
    )
    assert tunnel.upstream == f"127.0.0.1:{tls_gateway.port}"
    assert [r.operation for r in tls_gateway.log.records()] == ["CreateBucket", "HeadBucket"]
    assert all(r.tls for r in tls_gateway.log.records())


def test_plain_http_is_sent_as_absolute_uri_requests(
    gateway: Gateway, proxy: ForwardProxy, s3_client, bucket_name: str
) -> None:
    client = s3_client(f"http://s3.test:{gateway.port}", proxy=proxy.url, addressing="virtual")
    client.create_bucket(Bucket=bucket_name)
    client.list_objects_v2(Bucket=bucket_name)
    records = proxy.log.records()
    assert [r.method for r in records] == ["PUT", "GET"]
    assert records[0].uri == f"http://{bucket_name}.s3.test:{gateway.port}/"
    assert records[1].uri is not None and records[1].uri.startswith(
        f"http://{bucket_name}.s3.test:{gateway.port}/?list-type=2"
    )
    assert all(r.status == 200 for r in records)


def test_virtual_host_requests_reach_the_right_bucket(
    tls_gateway: Gateway, tls_proxy: ForwardProxy, ca_file: Path, s3_client, bucket_name: str
) -> None:
    client = s3_client(
        f"https://s3.test:{tls_gateway.port}",
        verify=str(ca_file),
        proxy=tls_proxy.url,
        addressing="virtual",
    )
    client.create_bucket(Bucket=bucket_name)
    client.put_object(Bucket=bucket_name, Key="v/key.txt", Body=b"virtual")
    assert client.get_object(Bucket=bucket_name, Key="v/key.txt")["Body"].read() == b"virtual"
    get = tls_gateway.log.records()[-1]
    assert (get.host, get.path, get.operation) == (
        f"{bucket_name}.s3.test:{tls_gateway.port}",
        "/v/key.txt",
        "GetObject",
    )
    path_style = s3_client(tls_gateway.url, verify=str(ca_file))
    assert path_style.get_object(Bucket=bucket_name, Key="v/key.txt")["Body"].read() == b"virtual"


def test_name_only_the_proxy_resolves_fails_without_the_proxy(gateway: Gateway, s3_client) -> None:
    client = s3_client(f"http://s3.test:{gateway.port}")
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        client.list_buckets()
    assert len(gateway.log) == 0


def test_unknown_name_is_refused_with_502(proxy: ForwardProxy) -> None:
    response = _raw_request(proxy, b"GET http://elsewhere.example:80/ HTTP/1.1\r\n"
                            b"Host: elsewhere.example\r\n\r\n")  # fmt: skip
    assert response.startswith(b"HTTP/1.1 502 ")
    record = proxy.log.records()[-1]
    assert (record.status, record.upstream, record.target) == (502, None, "elsewhere.example:80")


def test_unknown_name_through_connect_is_refused_with_502(
    proxy: ForwardProxy, s3_client, ca_file: Path
) -> None:
    client = s3_client("https://nowhere.invalid:443", verify=str(ca_file), proxy=proxy.url)
    with pytest.raises(botocore.exceptions.ProxyConnectionError):
        client.list_buckets()
    assert proxy.log.records()[-1].status == 502


def test_non_loopback_ip_literal_is_refused(proxy: ForwardProxy) -> None:
    response = _raw_request(proxy, b"CONNECT 192.0.2.10:443 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 502 ")


def test_loopback_literal_is_reached_directly(
    gateway: Gateway, proxy: ForwardProxy, s3_client
) -> None:
    s3_client(gateway.url, proxy=proxy.url).list_buckets()
    record = proxy.log.records()[-1]
    assert record.upstream == f"127.0.0.1:{gateway.port}" and record.status == 200


def test_wildcard_mapping_prefers_the_longest_suffix() -> None:
    px = ForwardProxy(resolve={"*.test": ("127.0.0.1", 1), "*.s3.test": ("127.0.0.1", 2)})
    assert px.lookup("b.s3.test", 443) == ("127.0.0.1", 2)
    assert px.lookup("other.test", 443) == ("127.0.0.1", 1)
    assert ForwardProxy(resolve={"*.s3.test": ("127.0.0.1", 2)}).lookup("s3.test", 443) is None
    with pytest.raises(ProxyConfigError):
        px.map("s3.*", ("127.0.0.1", 3))


def test_missing_credentials_get_407_with_a_challenge(gateway: Gateway) -> None:
    with _proxy_for(gateway, auth=("alice", "s3cret")) as px:
        response = _raw_request(px, b"CONNECT s3.test:443 HTTP/1.1\r\nHost: s3.test\r\n\r\n")
        assert response.startswith(b"HTTP/1.1 407 ")
        assert b'Proxy-Authenticate: Basic realm="remote-store-harness"' in response
        assert px.log.records()[-1].authenticated is False


def test_wrong_credentials_are_refused(gateway: Gateway, s3_client) -> None:
    with _proxy_for(gateway, auth=("alice", "s3cret")) as px:
        client = s3_client(f"http://s3.test:{gateway.port}",
                           proxy=px.url_with_credentials("alice", "wrong"))  # fmt: skip
        with pytest.raises(botocore.exceptions.ClientError) as info:
            client.list_buckets()
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 407
        assert len(gateway.log) == 0


def test_right_credentials_are_accepted_for_http_and_https(
    gateway: Gateway, tls_gateway: Gateway, ca_file: Path, s3_client, bucket_name: str
) -> None:
    with _proxy_for(gateway, auth=("alice", "s3 cr:et")) as px:
        s3_client(f"http://s3.test:{gateway.port}", proxy=px.url_with_credentials(),
                  addressing="virtual").create_bucket(Bucket=bucket_name)  # fmt: skip
        assert px.log.records()[-1].authenticated and px.log.records()[-1].status == 200
    with _proxy_for(tls_gateway, auth=("alice", "s3 cr:et")) as px:
        s3_client(f"https://s3.test:{tls_gateway.port}", verify=str(ca_file), addressing="virtual",
                  proxy=px.url_with_credentials()).head_bucket(Bucket=bucket_name)  # fmt: skip
        record = px.log.records()[-1]
        assert (record.method, record.authenticated, record.status) == ("CONNECT", True, 200)


def test_expect_continue_put_through_proxy_and_gateway_stores_the_body(
    gateway: Gateway, proxy: ForwardProxy, s3_client, bucket_name: str
) -> None:
    client = s3_client(f"http://s3.test:{gateway.port}", proxy=proxy.url, addressing="virtual")
    client.create_bucket(Bucket=bucket_name)
    body = bytes(range(256)) * 400
    client.put_object(Bucket=bucket_name, Key="expect", Body=io.BytesIO(body))
    assert client.get_object(Bucket=bucket_name, Key="expect")["Body"].read() == body
    put = next(r for r in gateway.log.records() if r.operation == "PutObject")
    assert put.bytes_in >= len(body)


def test_proxy_answers_100_continue_before_the_body_is_sent(sink_gateway_factory) -> None:
    gw, sink = sink_gateway_factory()
    with ForwardProxy(resolve={"sink.test": ("127.0.0.1", gw.port)}) as px:
        sock = socket.create_connection(("127.0.0.1", px.port), timeout=5)
        with sock:
            sock.sendall(b"PUT http://sink.test/obj HTTP/1.1\r\nHost: sink.test\r\n"
                         b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")  # fmt: skip
            assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue")
            sock.sendall(b"hello")
            answer = _read_until_body(sock)
        assert answer.startswith(b"HTTP/1.1 200 ")
    assert "expect" not in sink.seen[-1]["headers"]


def test_chunked_request_body_passes_through_proxy_and_gateway(sink_gateway_factory) -> None:
    import http.client
    import json

    gw, _sink = sink_gateway_factory()
    with ForwardProxy(resolve={"sink.test": ("127.0.0.1", gw.port)}) as px:
        conn = http.client.HTTPConnection("127.0.0.1", px.port, timeout=10)
        pieces = [b"a" * 1000, b"b" * 70_000, b"c"]
        conn.request("PUT", "http://sink.test/chunky", body=iter(pieces), encode_chunked=True)
        answer = json.loads(conn.getresponse().read())
        conn.close()
    import hashlib

    assert answer["md5"] == hashlib.md5(b"".join(pieces)).hexdigest()
    assert answer["headers"]["transfer-encoding"] == "chunked"


def test_reset_behind_a_tunnel_reaches_the_client(
    tls_gateway: Gateway, tls_proxy: ForwardProxy, ca_file: Path, s3_client, bucket_name: str
) -> None:
    client = s3_client(f"https://s3.test:{tls_gateway.port}", verify=str(ca_file),
                       proxy=tls_proxy.url, addressing="virtual")  # fmt: skip
    client.create_bucket(Bucket=bucket_name)  # the tunnel is up and kept alive
    tls_gateway.faults.add(FaultRule(kind="reset"))
    # urllib3 2.x labels any OSError on a tunnelled HTTPS connection as a proxy error, even on
    # a tunnel that already carried requests; botocore turns that into ProxyConnectionError.
    with pytest.raises(botocore.exceptions.ProxyConnectionError):
        client.head_bucket(Bucket=bucket_name)
    assert len(tls_proxy.log) == 1, "the same tunnel was used; the proxy did not refuse"
    assert tls_gateway.log.records()[-1].fault == "reset"


def test_stop_closes_open_tunnels(tls_gateway: Gateway) -> None:
    px = _proxy_for(tls_gateway).start()
    sock = socket.create_connection(("127.0.0.1", px.port), timeout=5)
    with sock:
        sock.sendall(b"CONNECT s3.test:443 HTTP/1.1\r\nHost: s3.test\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 200 ")
        assert px.open_connections == 1
        px.stop()
        assert sock.recv(1024) == b""  # closed by the proxy
    assert not px.running


def _raw_request(px: ForwardProxy, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", px.port), timeout=5) as sock:
        sock.sendall(raw)
        return _read_until_body(sock)


def _read_until_body(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data
