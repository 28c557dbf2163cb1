"""An external target reached through its own proxy and/or with virtual-host addressing.

The "corporate" side is a harness topology with a forward proxy: its endpoint host ``s3.test``
resolves only through that proxy, so nothing reaches it unless the proxy is really used.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import s3fs
from remote_store_harness import (
    ExternalTarget,
    Topology,
    TopologyError,
    TopologySpec,
    start_topology,
)
from remote_store_harness.pytest_plugin import unique_bucket_name

Factory = Callable[..., Topology]


def _external_behind(corporate: Topology, **options: Any) -> ExternalTarget:
    creds = corporate.credentials
    return ExternalTarget(
        corporate.endpoint_url,
        creds.access_key,
        creds.secret_key,
        ca_path=corporate.ca_path,
        proxy_url=corporate.proxy_url,
        **options,
    )


@pytest.mark.parametrize("addressing", ["path", "virtual"])
def test_external_target_with_a_proxy_gives_a_direct_topology_using_that_proxy(
    s3_topology_factory: Factory, addressing: str
) -> None:
    corporate = s3_topology_factory(tls=True, proxy="forward")
    assert corporate.proxy_log is not None
    external = _external_behind(corporate, addressing=addressing)
    bucket = unique_bucket_name("viaproxy")
    with start_topology(TopologySpec(target="external"), target=external) as direct:
        assert direct.gateway is None and direct.proxy is None and not direct.needs_resolver
        assert direct.proxy_url == corporate.proxy_url and direct.addressing == addressing
        config = direct.config_kwargs()
        assert config["proxies"] == {"http": corporate.proxy_url, "https": corporate.proxy_url}
        assert config["s3"] == {"addressing_style": addressing}
        assert direct.env()["HTTPS_PROXY"] == direct.env()["HTTP_PROXY"] == corporate.proxy_url
        proxied_before = corporate.proxy_log.count(method="CONNECT")
        direct.create_bucket(bucket)  # the admin client goes through the proxy too
        try:
            fs = s3fs.S3FileSystem(
                skip_instance_cache=True, use_listings_cache=False, **direct.s3fs_kwargs()
            )
            fs.pipe(f"{bucket}/k", b"through the proxy")
            client = direct.boto3_client(retries={"total_max_attempts": 1})
            assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"through the proxy"
        finally:
            direct.delete_bucket(bucket)
    assert corporate.proxy_log.count(method="CONNECT") > proxied_before
    hosts = {r.host for r in corporate.request_log.records()}
    expected = f"{bucket}.s3.test" if addressing == "virtual" else "s3.test"
    assert any(h.split(":")[0] == expected for h in hosts)


def test_direct_external_topology_refuses_harness_tls_proxy_or_addressing(
    s3_topology_factory: Factory,
) -> None:
    external = _external_behind(s3_topology_factory(tls=True, proxy="forward"))
    for fields in ({"tls": True}, {"proxy": "forward"}, {"addressing": "virtual"}):
        with pytest.raises(TopologyError, match="through its own proxy"):
            start_topology(TopologySpec(target="external", **fields), target=external)


def test_external_target_rejects_an_unknown_addressing_style() -> None:
    from remote_store_harness import TargetError

    with pytest.raises(TargetError, match="addressing"):
        ExternalTarget("http://127.0.0.1:9", "k", "s", addressing="dns")


@pytest.mark.parametrize(
    "flags",
    [["--s3-proxy=http://127.0.0.1:9"], ["--s3-addressing=virtual"]],
    ids=["proxy", "addressing"],
)
def test_plugin_routing_options_apply_to_the_external_target_only(
    tmp_path: Path, flags: list[str]
) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *flags, "test_x.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 4
    assert "only apply to --s3-target=external" in proc.stderr
