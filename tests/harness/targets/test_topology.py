"""Topologies: every combination of TLS x proxy x addressing works for boto3 and s3fs clients."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import s3fs
from botocore.exceptions import ClientError, EndpointConnectionError
from remote_store_harness import (
    Endpoint,
    ExternalTarget,
    FaultRule,
    HarnessCA,
    HarnessResolver,
    Latency,
    Topology,
    TopologyError,
    TopologySpec,
    start_topology,
)
from remote_store_harness.endpoint import boto3_client
from remote_store_harness.pytest_plugin import unique_bucket_name
from targets_helpers import pid_is_gone, port_is_closed

Factory = Callable[..., Topology]

COMBINATIONS = [
    dict(tls=tls, proxy=proxy, addressing=addressing)
    for tls, proxy, addressing in itertools.product(
        [False, True], ["none", "forward"], ["path", "virtual"]
    )
] + [
    dict(tls=False, proxy="forward", addressing="virtual", proxy_auth=True),
    dict(tls=True, proxy="forward", addressing="path", proxy_auth=("corp", "p@ss:w/rd")),
]


def _id(fields: dict[str, Any]) -> str:
    return TopologySpec(**fields).label()


def make_fs(topology: Topology) -> Any:
    return s3fs.S3FileSystem(
        skip_instance_cache=True, use_listings_cache=False, **topology.s3fs_kwargs()
    )


@pytest.fixture
def fresh_bucket(s3_topology: Topology) -> Any:
    name = unique_bucket_name("topo")
    s3_topology.create_bucket(name)
    yield name
    s3_topology.delete_bucket(name)


@pytest.mark.parametrize("fields", COMBINATIONS, ids=_id)
def test_boto3_put_get_list_through_every_topology(
    s3_topology_factory: Factory, fresh_bucket: str, fields: dict[str, Any]
) -> None:
    topology = s3_topology_factory(**fields)
    mark = topology.request_log.mark()
    client = topology.boto3_client(retries={"total_max_attempts": 1})
    client.put_object(Bucket=fresh_bucket, Key="dir/obj.txt", Body=b"payload")
    assert client.get_object(Bucket=fresh_bucket, Key="dir/obj.txt")["Body"].read() == b"payload"
    listed = client.list_objects_v2(Bucket=fresh_bucket, Prefix="dir/")
    assert [o["Key"] for o in listed["Contents"]] == ["dir/obj.txt"]
    operations = [r.operation for r in topology.request_log.since(mark)]
    assert operations == ["PutObject", "GetObject", "ListObjectsV2"]
    assert all(r.tls == topology.spec.tls for r in topology.request_log.since(mark))


@pytest.mark.parametrize("fields", COMBINATIONS, ids=_id)
def test_s3fs_put_get_list_through_every_topology(
    s3_topology_factory: Factory, fresh_bucket: str, fields: dict[str, Any]
) -> None:
    topology = s3_topology_factory(**fields)
    fs = make_fs(topology)
    fs.pipe(f"{fresh_bucket}/dir/obj.txt", b"payload")
    assert fs.cat(f"{fresh_bucket}/dir/obj.txt") == b"payload"
    assert fs.ls(f"{fresh_bucket}/dir") == [f"{fresh_bucket}/dir/obj.txt"]


@pytest.mark.parametrize("proxy", ["none", "forward"])
def test_virtual_host_requests_carry_the_bucket_in_the_host(
    s3_topology_factory: Factory, fresh_bucket: str, proxy: str
) -> None:
    topology = s3_topology_factory(addressing="virtual", proxy=proxy)
    mark = topology.request_log.mark()
    make_fs(topology).pipe(f"{fresh_bucket}/v.txt", b"v")
    put = [r for r in topology.request_log.since(mark) if r.operation == "PutObject"]
    assert [(r.host, r.path) for r in put] == [
        (f"{fresh_bucket}.s3.test:{topology.gateway.port}", "/v.txt")  # type: ignore[union-attr]
    ]
    direct = topology.target
    body = boto3_client(Endpoint(direct.endpoint_url, direct.credentials)).get_object(
        Bucket=fresh_bucket, Key="v.txt"
    )["Body"]
    assert body.read() == b"v"


def test_proxy_only_endpoint_fails_without_the_proxy(s3_topology_factory: Factory) -> None:
    topology = s3_topology_factory(proxy="forward")
    assert topology.endpoint_url.startswith("http://s3.test:")
    import boto3
    from botocore.config import Config

    no_proxy = boto3.client(
        "s3",
        endpoint_url=topology.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
        config=Config(proxies={}, retries={"total_max_attempts": 1}, connect_timeout=2),
    )
    with pytest.raises(EndpointConnectionError):
        no_proxy.list_buckets()
    assert "Buckets" in topology.boto3_client().list_buckets()


def test_s3_options_name_everything_explicitly() -> None:
    spec_fields = dict(tls=True, proxy="forward", addressing="virtual", proxy_auth=True)
    with start_topology(TopologySpec(target="moto-thread", **spec_fields)) as topology:  # type: ignore[arg-type]
        options = topology.s3_options("bkt")
        assert topology.proxy_url is not None and "harness:" in topology.proxy_url
        assert options == {
            "bucket": "bkt",
            "endpoint_url": topology.endpoint_url,
            "key": "testing",
            "secret": "testing",
            "region_name": "us-east-1",
            "tls_ca_bundle": topology.ca_path,
            "client_options": {
                "config_kwargs": {
                    "proxies": {"http": topology.proxy_url, "https": topology.proxy_url},
                    "s3": {"addressing_style": "virtual"},
                }
            },
        }
        with open(topology.ca_path or "", "rb") as handle:
            assert handle.read().startswith(b"-----BEGIN CERTIFICATE-----")


def test_options_without_proxy_disable_environment_proxies_and_carry_a_resolver(
    s3_topology_factory: Factory,
) -> None:
    topology = s3_topology_factory(addressing="virtual")
    options = topology.s3_options("bkt")
    kwargs = options["client_options"]["config_kwargs"]
    assert kwargs["proxies"] == {"http": None, "https": None}
    assert isinstance(kwargs["connector_args"]["resolver"], HarnessResolver)
    assert "tls_ca_bundle" not in options
    copied = copy.deepcopy(options)
    assert (
        copied["client_options"]["config_kwargs"]["connector_args"]["resolver"]
        is (kwargs["connector_args"]["resolver"])
    )


def test_inherited_proxy_variables_do_not_reroute_topology_clients(
    s3_topology_factory: Factory, fresh_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead)
    topology = s3_topology_factory()
    make_fs(topology).pipe(f"{fresh_bucket}/x", b"1")
    assert topology.boto3_client().get_object(Bucket=fresh_bucket, Key="x")["Body"].read() == b"1"


def test_env_names_what_a_user_exports(s3_topology_factory: Factory) -> None:
    plain = s3_topology_factory().env()
    assert set(plain) == {
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    }
    proxied = s3_topology_factory(tls=True, proxy="forward")
    env = proxied.env()
    assert env["AWS_CA_BUNDLE"] == proxied.ca_path
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == proxied.proxy_url
    assert env["AWS_ENDPOINT_URL"].startswith("https://s3.test:")


def test_faults_and_latency_act_on_the_gateway(s3_topology_factory: Factory) -> None:
    topology = s3_topology_factory(tls=True)
    client = topology.boto3_client(retries={"total_max_attempts": 1})
    rule = topology.faults.add(FaultRule(kind="error", operation="ListBuckets", first=1))
    topology.set_latency(Latency(fixed_ms=50))
    mark = topology.request_log.mark()
    try:
        with pytest.raises(ClientError) as info:
            client.list_buckets()
        assert info.value.response["Error"]["Code"] == "SlowDown"
        client.list_buckets()
    finally:
        topology.faults.remove(rule)
        topology.set_latency(Latency())
    records = topology.request_log.since(mark)
    assert [(r.status, r.fault is not None) for r in records] == [(503, True), (200, False)]
    assert all(r.latency_seconds == pytest.approx(0.05) for r in records)


def test_stop_releases_gateway_proxy_and_owned_target() -> None:
    topology = start_topology(TopologySpec(tls=True, proxy="forward"))
    target = topology.target
    pid = getattr(target, "pid", None)
    ports = [topology.gateway.port, topology.proxy.port, target.port]  # type: ignore[union-attr,attr-defined]
    topology.boto3_client().list_buckets()
    topology.stop()
    assert pid is not None and pid_is_gone(pid)
    assert all(port_is_closed(port) for port in ports)
    topology.stop()  # idempotent


def test_a_passed_target_outlives_the_topology(s3_target: Any) -> None:
    topology = start_topology(TopologySpec(), target=s3_target)
    topology.stop()
    s3_target.create_bucket("still-alive")
    s3_target.delete_bucket("still-alive")


def test_spec_rejects_proxy_auth_without_a_proxy() -> None:
    with pytest.raises(TopologyError):
        TopologySpec(proxy_auth=True)


def test_external_plain_http_endpoint_is_fronted_by_the_gateway(s3_target: Any) -> None:
    external = ExternalTarget(s3_target.endpoint_url, "testing", "testing")
    with start_topology(TopologySpec(target="external", tls=True), target=external) as topology:
        bucket = unique_bucket_name("ext")
        topology.create_bucket(bucket)
        try:
            assert external.populate(bucket, [("a", 3), ("b", b"bb")]) == 2
            client = topology.boto3_client()
            assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == 2
            assert topology.request_log.count() >= 1
        finally:
            topology.delete_bucket(bucket)
    with pytest.raises(Exception, match="never reset"):
        external.reset()


def test_external_https_endpoint_gives_a_direct_topology(
    s3_topology_factory: Factory, harness_ca: HarnessCA
) -> None:
    tls = s3_topology_factory(tls=True)
    external = ExternalTarget(tls.gateway_url, "testing", "testing", ca_path=tls.ca_path)
    bucket = unique_bucket_name("direct")
    with start_topology(TopologySpec(target="external"), target=external) as direct:
        assert not direct.observed and direct.gateway is None
        assert direct.endpoint_url == tls.gateway_url and direct.ca_path == tls.ca_path
        direct.create_bucket(bucket)
        try:
            make_fs(direct).pipe(f"{bucket}/k", b"direct")
            assert direct.boto3_client().get_object(Bucket=bucket, Key="k")["Body"].read() == (
                b"direct"
            )
            with pytest.raises(TopologyError):
                direct.set_latency(Latency(fixed_ms=1))
        finally:
            direct.delete_bucket(bucket)
    with pytest.raises(TopologyError):
        start_topology(TopologySpec(target="external", proxy="forward"), target=external)


def test_external_fixed_bucket_is_never_created_or_deleted(s3_target: Any) -> None:
    s3_target.create_bucket("given-bucket")
    try:
        external = ExternalTarget(
            s3_target.endpoint_url, "testing", "testing", bucket="given-bucket"
        )
        external.populate("given-bucket", [("keep", 1)])
        external.delete_bucket("given-bucket")
        external.create_bucket("given-bucket")
        client = boto3_client(Endpoint(s3_target.endpoint_url, s3_target.credentials))
        assert client.list_objects_v2(Bucket="given-bucket")["KeyCount"] == 1
    finally:
        s3_target.delete_bucket("given-bucket")
