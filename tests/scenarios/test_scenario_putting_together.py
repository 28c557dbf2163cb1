"""Scenario 5: the S3 backend page's "Putting it together" on-prem configuration, as written.

Custom CA (``tls_ca_bundle=`` or an env var), ``retry=RetryPolicy(max_attempts=5)``, connect /
read timeouts, path-style addressing, and proxies disabled while ``HTTP_PROXY``/``HTTPS_PROXY``
point somewhere else. It must work end to end, and survive a service that answers ``503
SlowDown`` four times: the fifth attempt succeeds and the gateway log shows exactly five.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from scenario_support import (
    attempt,
    dead_port_url,
    describe_proxy,
    describe_records,
    make_store,
    unique_bucket,
)

SCENARIO = "putting-together"

pytestmark = pytest.mark.usefixtures("require_s3")


def page_configuration(topo: Any, bucket: str) -> dict[str, Any]:
    """The page's example with the harness's endpoint, credentials and bucket filled in."""
    from remote_store import RetryPolicy

    creds = topo.credentials
    return {
        "bucket": bucket,
        "endpoint_url": topo.endpoint_url,
        "key": creds.access_key,
        "secret": creds.secret_key,
        "retry": RetryPolicy(max_attempts=5),
        "client_options": {
            "config_kwargs": {
                "connect_timeout": 3.0,
                "read_timeout": 10.0,
                "s3": {"addressing_style": "path"},
                "proxies": {"http": None, "https": None},
            },
        },
    }


def _end_to_end(store: Any) -> list[str]:
    store.write("reports/2024/q1.csv", b"col1,col2\n1,2\n")
    store.write("reports/2024/q2.csv", b"col1,col2\n3,4\n")
    assert store.read_bytes("reports/2024/q1.csv") == b"col1,col2\n1,2\n"
    names = sorted(f.name for f in store.list_files("reports", recursive=True))
    assert store.get_file_info("reports/2024/q2.csv").size == 14
    store.move("reports/2024/q2.csv", "reports/2024/q2-final.csv")
    store.delete("reports/2024/q1.csv")
    assert sorted(f.name for f in store.list_files("reports/2024")) == ["q2-final.csv"]
    return names


@pytest.fixture
def env_proxy(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, topology: Any
) -> Any:
    """Sets HTTP(S)_PROXY to a logging proxy or a dead port; returns the proxy log (or None)."""
    kind = request.param
    if kind == "logging-proxy":
        proxy_topo = topology(tls=True, proxy="forward")
        url, log = proxy_topo.proxy_url, proxy_topo.proxy_log
    else:
        url, log = dead_port_url(), None
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.setenv("HTTPS_PROXY", url)
    return log


@pytest.mark.parametrize("env_proxy", ["logging-proxy", "dead-port"], indirect=True)
@pytest.mark.parametrize("ca_source", ["tls_ca_bundle", "AWS_CA_BUNDLE"])
@pytest.mark.parametrize("target", ["moto", "minio"])
def test_on_prem_configuration_works_end_to_end(
    target: str,
    ca_source: str,
    env_proxy: Any,
    topology: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
) -> None:
    topo = topology(target=target, tls=True)
    bucket = unique_bucket("onprem")
    topo.create_bucket(bucket)
    options = page_configuration(topo, bucket)
    if ca_source == "tls_ca_bundle":
        options["tls_ca_bundle"] = topo.ca_path
    else:
        monkeypatch.setenv("AWS_CA_BUNDLE", str(topo.ca_path))
    scenario_case.expect("write/read/list/info/move/delete all work; proxy unused; TLS")
    pmark = env_proxy.mark() if env_proxy is not None else 0
    gmark = topo.request_log.mark()
    with make_store(options, retry=None) as store:
        outcome = attempt(lambda: _end_to_end(store))
    records = topo.request_log.since(gmark)
    proxied = env_proxy.since(pmark) if env_proxy is not None else []
    scenario_case.observe(outcome.text, operations=dict(topo.request_log.operations(gmark)))
    assert outcome.ok, f"the page's configuration failed, user saw: {outcome.text}"
    assert outcome.value == ["q1.csv", "q2.csv"]
    assert records and all(r.tls for r in records), describe_records(records)
    assert all(r.path.startswith(f"/{bucket}") for r in records), "not path style"
    assert proxied == [], f"the inherited proxy was used: {describe_proxy(proxied)}"


@pytest.fixture
def faults(topology: Any) -> Iterator[Any]:
    """The TLS topology's fault plan; rules added by the test are removed afterwards."""
    plan = topology(tls=True).faults
    added: list[Any] = []

    class Recorder:
        def add(self, rule: Any) -> Any:
            added.append(plan.add(rule))
            return rule

    yield Recorder()
    for rule in added:
        plan.remove(rule)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(4, "ok"), (5, "BackendUnavailable")],
    ids=["4-slowdowns-then-ok", "5-slowdowns-exhaust"],
)
def test_slowdown_is_retried_up_to_five_attempts_in_total(
    failures: int,
    expected: str,
    topology: Any,
    faults: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
) -> None:
    from remote_store_harness import FaultRule

    topo = topology(tls=True)
    bucket = unique_bucket("retry")
    topo.create_bucket(bucket)
    monkeypatch.setenv("HTTPS_PROXY", dead_port_url())
    options = page_configuration(topo, bucket)
    options["tls_ca_bundle"] = topo.ca_path
    faults.add(
        FaultRule(
            kind="error",
            operation="PutObject",
            path=f"^/{bucket}/",
            first=failures,
            status=503,
            code="SlowDown",
        )
    )
    scenario_case.expect(f"{expected} after 5 PutObject attempts", injected_503=failures)
    mark = topo.request_log.mark()
    with make_store(options, retry=None) as store:
        outcome = attempt(lambda: store.write("data.bin", b"payload"))
    puts = [r for r in topo.request_log.since(mark) if r.operation == "PutObject"]
    statuses = [r.status for r in puts]
    scenario_case.observe(f"{outcome.text}; PutObject statuses {statuses}")
    assert len(puts) == 5, f"expected 5 attempts, the gateway saw {statuses}"
    assert [r.fault is not None for r in puts] == [i < failures for i in range(5)]
    if expected == "ok":
        assert outcome.ok, f"the 5th attempt should succeed, user saw: {outcome.text}"
        assert statuses == [503, 503, 503, 503, 200]
    else:
        from remote_store import BackendUnavailable

        assert isinstance(outcome.error, BackendUnavailable), (
            f"expected BackendUnavailable after 5 attempts, user saw: {outcome.text}"
        )
        assert "SlowDown" in str(outcome.error), f"the error hides the cause: {outcome.error}"
