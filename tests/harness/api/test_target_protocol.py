"""Every target carries its routing in the Target protocol: the topology never guesses."""

from __future__ import annotations

import pytest
from remote_store_harness import (
    Credentials,
    Endpoint,
    ExternalTarget,
    MinioTarget,
    MotoProcessTarget,
    MotoThreadTarget,
    Target,
)
from remote_store_harness.targets import LoopbackTarget

#: The protocol's members, as a target author must provide them.
MEMBERS = [
    "name",
    "endpoint_url",
    "credentials",
    "endpoint",
    "fixed_bucket",
    "create_bucket",
    "delete_bucket",
    "reset",
    "populate",
    "stop",
]


@pytest.mark.parametrize(
    "cls", [MotoProcessTarget, MotoThreadTarget, MinioTarget, ExternalTarget], ids=lambda c: c.name
)
def test_every_target_kind_provides_every_protocol_member(cls: type) -> None:
    # Class attributes, or attributes the constructor sets (no server is started here).
    instance = cls("http://127.0.0.1:9", "k", "s") if cls is ExternalTarget else cls()
    assert [m for m in MEMBERS if not hasattr(cls, m) and m not in vars(instance)] == []


def test_an_external_target_is_a_target() -> None:
    assert isinstance(ExternalTarget("http://127.0.0.1:9", "k", "s"), Target)


def test_a_loopback_target_routes_plain_http_path_style_without_proxy_or_ca() -> None:
    with MotoThreadTarget() as target:
        assert isinstance(target, LoopbackTarget)
        assert target.endpoint == Endpoint(target.endpoint_url, target.credentials)
        assert target.fixed_bucket is None


def test_an_external_target_routes_by_its_own_endpoint() -> None:
    endpoint = Endpoint(
        "https://s3.example", Credentials("k", "s"), ca_path="/ca.pem", addressing="virtual"
    )
    target = ExternalTarget.from_endpoint(endpoint, bucket="given")
    assert target.endpoint is endpoint and target.fixed_bucket == "given"
