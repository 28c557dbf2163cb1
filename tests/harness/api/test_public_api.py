"""The harness's public surface changes only on purpose: this test pins every public ``__all__``.

A name added to or removed from a public module fails here first; update the list in the same
change, and the docs with it (docs/harness-api.md, README).
"""

from __future__ import annotations

import importlib

import pytest

EXPECTED: dict[str, list[str]] = {
    "remote_store_harness": [
        "Credentials",
        "Endpoint",
        "ExternalTarget",
        "FaultPlan",
        "FaultRule",
        "ForwardProxy",
        "Gateway",
        "HarnessCA",
        "HarnessError",
        "HarnessResolver",
        "Latency",
        "MinioTarget",
        "MotoProcessTarget",
        "MotoThreadTarget",
        "ProxyLog",
        "ProxyRecord",
        "RequestLog",
        "RequestRecord",
        "ServerCert",
        "Target",
        "TargetError",
        "TargetStartError",
        "TargetUnavailable",
        "Topology",
        "TopologyError",
        "TopologySpec",
        "start_target",
        "start_topology",
        "synthetic_body",
    ],
    "remote_store_harness.endpoint": [
        "ADDRESSING_STYLES",
        "Addressing",
        "Credentials",
        "Endpoint",
        "boto3_client",
        "redact_url",
    ],
    "remote_store_harness.errors": [
        "BenchDataError",
        "BucketMissing",
        "CaBundleInvalid",
        "CredentialsRejected",
        "EndpointUnreachable",
        "GatewayConfigError",
        "HarnessError",
        "HeadTimeout",
        "HttpProtocolError",
        "IncompleteBody",
        "NetError",
        "PrefixNotEmpty",
        "ProxyConfigError",
        "RunError",
        "ServerStateError",
        "TargetError",
        "TargetStartError",
        "TargetUnavailable",
        "TlsVerificationFailed",
        "TopologyError",
        "UsageError",
    ],
    "remote_store_harness.net": [
        "ForwardProxy",
        "Gateway",
        "GatewayConfigError",
        "HarnessCA",
        "HarnessResolver",
        "ServerCert",
        "s3_error_body",
    ],
    "remote_store_harness.observe": [
        "FaultPlan",
        "FaultRule",
        "Latency",
        "ProxyLog",
        "ProxyRecord",
        "RequestFacts",
        "RequestLog",
        "RequestRecord",
        "s3_operation",
        "split_bucket_key",
    ],
    "remote_store_harness.targets": [
        "TARGET_KINDS",
        "Credentials",
        "ExternalTarget",
        "LoopbackTarget",
        "MinioTarget",
        "MotoProcessTarget",
        "MotoThreadTarget",
        "PopulateItem",
        "RcloneTarget",
        "Target",
        "TargetError",
        "TargetStartError",
        "TargetUnavailable",
        "start_target",
        "synthetic_body",
    ],
    "remote_store_harness.topology": [
        "DEFAULT_PROXY_CREDENTIALS",
        "TEST_HOST",
        "Topology",
        "TopologyError",
        "TopologySpec",
        "start_topology",
    ],
    "remote_store_harness.probe": [
        "ProbeReport",
        "ProbeRow",
        "ProbeTarget",
        "run_probe",
    ],
    "remote_store_harness.cli": [
        "main",
    ],
    "remote_store_harness.pytest_plugin": [
        "SCRUBBED_PREFIXES",
        "SCRUBBED_VARIABLES",
        "harness_ca",
        "is_scrubbed",
        "request_log",
        "s3_bucket",
        "s3_target",
        "s3_topology",
        "s3_topology_factory",
        "scrub_environment",
        "scrubbed_env",
        "scrubbed_environ",
    ],
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_exactly_the_documented_surface(module_name: str) -> None:
    assert importlib.import_module(module_name).__all__ == EXPECTED[module_name]


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_every_exported_name_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []


def test_top_level_names_are_the_objects_their_home_module_exports() -> None:
    package = importlib.import_module("remote_store_harness")
    homes = [importlib.import_module(name) for name in EXPECTED if name != package.__name__]
    for name in package.__all__:
        owners = [home for home in homes if name in home.__all__]
        assert owners, f"{name} is exported at the top level but by no public subpackage"
        assert all(getattr(home, name) is getattr(package, name) for home in owners), name


def test_dir_lists_every_public_name() -> None:
    package = importlib.import_module("remote_store_harness")
    assert set(package.__all__) <= set(dir(package))
