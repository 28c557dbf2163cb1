"""Scenario 3: path vs virtual-host addressing (S3 backend page, "MinIO-style path addressing").

What goes on the wire is read from the gateway log: virtual-host style puts the bucket in the
``Host`` header (``bucket.s3.test:PORT``, path ``/key``); path style keeps the endpoint host and
puts the bucket first in the path (``/bucket/key``). ``s3.test`` resolves only through the
harness (its forward proxy, or an aiohttp resolver), so a request that reached the gateway under
that name went the way the topology says.
"""

from __future__ import annotations

from typing import Any

import pytest
from scenario_support import (
    attempt,
    backend_kwargs,
    describe_records,
    host_name,
    make_store,
    served,
    unique_bucket,
)

SCENARIO = "addressing"

pytestmark = pytest.mark.usefixtures("require_s3")

KEY = "dir/key.txt"


def _put_record(records: list[Any]) -> Any:
    puts = [r for r in served(records) if r.method == "PUT" and r.path.endswith("/key.txt")]
    assert len(puts) == 1, (
        f"expected one PUT of the object, gateway saw: {describe_records(records)}"
    )
    return puts[0]


def _wire(record: Any) -> str:
    return f"Host={host_name(record.host)} path={record.path}"


def _write_and_observe(topo: Any, options: dict[str, Any]) -> tuple[Any, list[Any]]:
    log = topo.request_log
    mark = log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: store.write(KEY, b"addressed", overwrite=True))
        if outcome.ok:
            read = attempt(lambda: store.read_bytes(KEY))
            assert read.ok and read.value == b"addressed", f"read back failed: {read.text}"
    return outcome, log.since(mark)


STYLE_CASES = [
    pytest.param(
        tls, style, route, target, id=f"{target}-{'https' if tls else 'http'}-{style}-{route}"
    )
    for target in ("moto", "minio")
    for tls in (False, True)
    for style, route in (("path", "proxy"), ("virtual", "proxy"), ("virtual", "resolver"))
]


@pytest.mark.parametrize(("tls", "style", "route", "target"), STYLE_CASES)
def test_addressing_style_is_what_the_gateway_sees(
    tls: bool, style: str, route: str, target: str, topology: Any, scenario_case: Any
) -> None:
    topo = topology(
        target=target, tls=tls, addressing=style, proxy="forward" if route == "proxy" else "none"
    )
    bucket = unique_bucket("addr")
    topo.create_bucket(bucket)
    if style == "virtual":
        want_host, want_path = f"{bucket}.s3.test", f"/{KEY}"
    else:
        want_host, want_path = "s3.test", f"/{bucket}/{KEY}"
    scenario_case.expect(f"Host={want_host} path={want_path}", endpoint=topo.endpoint_url)

    outcome, records = _write_and_observe(topo, backend_kwargs(topo, bucket))
    assert outcome.ok, f"write failed, user saw: {outcome.text}"
    put = _put_record(records)
    scenario_case.observe(_wire(put), tls=put.tls)
    assert (host_name(put.host), put.path) == (want_host, want_path)
    assert put.tls is tls
    if route == "proxy":
        proxied = topo.proxy_log.records()
        method = "CONNECT" if tls else "PUT"
        assert any(r.method == method and host_name(r.target) == want_host for r in proxied), (
            f"the proxy never saw {method} for {want_host}"
        )


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_custom_endpoint_defaults_to_path_style(
    tls: bool, topology: Any, scenario_case: Any
) -> None:
    """No ``s3.addressing_style`` at all: a custom endpoint gets path style."""
    topo = topology(tls=tls, addressing="virtual", proxy="forward")
    bucket = unique_bucket("dflt")
    topo.create_bucket(bucket)
    scenario_case.expect(f"Host=s3.test path=/{bucket}/{KEY}")
    options = backend_kwargs(topo, bucket, keep_addressing=False)
    outcome, records = _write_and_observe(topo, options)
    assert outcome.ok, f"write failed, user saw: {outcome.text}"
    put = _put_record(records)
    scenario_case.observe(_wire(put))
    assert (host_name(put.host), put.path) == ("s3.test", f"/{bucket}/{KEY}")


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_ip_endpoint_silently_falls_back_to_path_style(
    tls: bool, topology: Any, scenario_case: Any
) -> None:
    """``addressing_style="virtual"`` with an IP endpoint: no error, path style on the wire."""
    topo = topology(tls=tls, addressing="path", proxy="none")
    assert "127.0.0.1" in topo.endpoint_url
    bucket = unique_bucket("ipva")
    topo.create_bucket(bucket)
    scenario_case.expect(f"no error; Host=127.0.0.1 path=/{bucket}/{KEY}")
    options = backend_kwargs(topo, bucket)
    options["client_options"]["config_kwargs"]["s3"] = {"addressing_style": "virtual"}
    outcome, records = _write_and_observe(topo, options)
    assert outcome.ok, f"write failed, user saw: {outcome.text}"
    put = _put_record(records)
    scenario_case.observe(f"{outcome.text}; {_wire(put)}")
    assert (host_name(put.host), put.path) == ("127.0.0.1", f"/{bucket}/{KEY}")


DOTTED = "dotted.bucket.name"


def test_dotted_bucket_under_virtual_https_falls_back_to_path_style(
    topology: Any, scenario_case: Any
) -> None:
    """``dotted.bucket.name.s3.test`` is not covered by ``*.s3.test`` (a wildcard spans one
    label), so virtual-host TLS cannot work for it. botocore's endpoint rules know that and
    silently address such buckets path style over https: no certificate error ever appears."""
    topo = topology(tls=True, addressing="virtual", proxy="forward")
    topo.create_bucket(DOTTED)
    scenario_case.expect(f"no error; Host=s3.test path=/{DOTTED}/{KEY} (silent path fallback)")
    outcome, records = _write_and_observe(topo, backend_kwargs(topo, DOTTED))
    put = _put_record(records) if outcome.ok else None
    scenario_case.observe(f"{outcome.text}; {_wire(put) if put else describe_records(records)}")
    assert outcome.ok, f"write failed, user saw: {outcome.text}"
    assert put is not None and (host_name(put.host), put.path) == ("s3.test", f"/{DOTTED}/{KEY}")


def test_dotted_bucket_under_virtual_http_keeps_the_dotted_host(
    topology: Any, scenario_case: Any
) -> None:
    """Over plain http botocore does use the dotted virtual host (no certificate to match)."""
    topo = topology(tls=False, addressing="virtual", proxy="forward")
    topo.create_bucket(DOTTED)
    want = f"Host={DOTTED}.s3.test path=/{KEY}"
    scenario_case.expect(want)
    log = topo.request_log
    mark = log.mark()
    with make_store(backend_kwargs(topo, DOTTED)) as store:
        outcome = attempt(lambda: store.write(KEY, b"addressed", overwrite=True))
    records = [r for r in log.since(mark) if r.method == "PUT"]
    scenario_case.observe(
        f"{outcome.text}; " + "; ".join(_wire(r) for r in records),
        note="moto reads only the first label of a virtual host as the bucket",
    )
    assert records, f"no PUT reached the gateway; user saw: {outcome.text}"
    assert (host_name(records[0].host), records[0].path) == (f"{DOTTED}.s3.test", f"/{KEY}")


def test_endpoint_name_missing_from_certificate_gives_a_clear_hostname_error(
    topology: Any, scenario_case: Any
) -> None:
    """What a user sees when the TLS certificate does not cover the endpoint name (the failure
    a dotted bucket would cause under a wildcard certificate if it were addressed virtually):
    the message must say the host name does not match, not only "verification failed"."""
    topo = topology(tls=True, addressing="path", proxy="forward")
    name = "minio.internal"
    topo.proxy.map(name, (topo.gateway.host, topo.gateway.port))
    bucket = unique_bucket("mism")
    topo.create_bucket(bucket)
    options = backend_kwargs(topo, bucket)
    options["endpoint_url"] = f"https://{name}:{topo.gateway.port}"
    scenario_case.expect(f"BackendUnavailable saying the certificate does not match {name!r}")
    log = topo.request_log
    mark = log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: store.write(KEY, b"x", overwrite=True))
    scenario_case.observe(outcome.text)

    from remote_store import BackendUnavailable

    assert isinstance(outcome.error, BackendUnavailable), (
        f"expected BackendUnavailable, user saw: {outcome.text}"
    )
    message = str(outcome.error)
    assert name in message and "mismatch" in message.lower(), (
        f"the error does not say the certificate does not match {name!r}: {message}"
    )
    assert served(log.since(mark)) == []


def test_gateway_names_the_operation_of_a_dotted_virtual_host_request(
    scenario_case: Any,
) -> None:
    """Harness request log: ``PUT /dir/key.txt`` with ``Host: dotted.bucket.name.s3.test`` is a
    PutObject on bucket ``dotted.bucket.name`` (bucket names may contain dots), not a
    CreateBucket. The gateway's operation names feed every request-count assertion."""
    from remote_store_harness.observe import s3_operation, split_bucket_key

    host = f"{DOTTED}.s3.test:8443"
    scenario_case.expect(f"PutObject, bucket={DOTTED}, key={KEY}")
    operation = s3_operation("PUT", host, f"/{KEY}", "")
    bucket, key = split_bucket_key(host, f"/{KEY}")
    scenario_case.observe(f"{operation}, bucket={bucket}, key={key}")
    assert (operation, bucket, key) == ("PutObject", DOTTED, KEY)
