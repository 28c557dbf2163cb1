"""What the harness gateway costs per request (request log, relay, TLS termination).

HeadBucket is the cheapest S3 call, so the difference between "direct to moto" and "via the
gateway" is the gateway's own share. Each case records its median and, for gateway cases, the
overhead over a direct baseline measured in the same test, in ``benchmark.extra_info``.
Nothing here asserts a timing.

    pytest benchmarks/test_harness_overhead.py --benchmark-columns=mean,median,ops
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import ForwardProxy, Gateway, HarnessCA

_BASELINE_CALLS = 300


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        upper = name.upper()
        if upper.endswith(("CA_BUNDLE", "_PROXY")) or upper.startswith(
            ("SSL_CERT", "AWS_ENDPOINT_URL", "AWS_PROFILE")
        ):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "bench")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "bench")


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    if server._server is not None:
        server._server.server_close()


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[HarnessCA, Path]:
    authority = HarnessCA.create("bench CA")
    return authority, authority.write_ca(tmp_path_factory.mktemp("bench-ca") / "ca.pem")


def _client(endpoint: str, verify: str | None = None, proxy: str | None = None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        verify=verify,
        config=Config(
            retries={"total_max_attempts": 1},
            proxies={"http": proxy, "https": proxy} if proxy else {},
            s3={"addressing_style": "virtual" if proxy else "path"},
        ),
    )


def _median_seconds(call: Any, n: int = _BASELINE_CALLS) -> float:
    """Median of *n* timed calls (medians resist the noise of a shared 2-core machine)."""
    for _ in range(20):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@pytest.mark.parametrize("mode", ["direct", "gateway", "gateway_tls", "proxy_gateway_tls"])
def test_head_bucket_overhead(benchmark: Any, moto_url: str, ca: Any, mode: str) -> None:
    authority, ca_path = ca
    bucket = f"bench-overhead-{mode.replace('_', '-')}"
    direct = _client(moto_url)
    direct.create_bucket(Bucket=bucket)
    baseline = _median_seconds(lambda: direct.head_bucket(Bucket=bucket))

    gateway: Gateway | None = None
    proxy: ForwardProxy | None = None
    try:
        if mode == "direct":
            client = direct
        else:
            tls = authority.issue_server_cert() if "tls" in mode else None
            gateway = Gateway(moto_url, tls=tls).start()
            verify = str(ca_path) if tls else None
            if mode == "proxy_gateway_tls":
                address = ("127.0.0.1", gateway.port)
                proxy = ForwardProxy(resolve={"*.s3.test": address}).start()
                client = _client(f"https://s3.test:{gateway.port}", verify, proxy.url)
            else:
                client = _client(gateway.url, verify)
        client.head_bucket(Bucket=bucket)  # connect (and handshake) outside the measurement
        benchmark(client.head_bucket, Bucket=bucket)
        if benchmark.stats is None:  # --benchmark-disable (smoke): one untimed call, no stats
            return
        median = float(benchmark.stats.stats.median)
        benchmark.extra_info.update(
            {
                "mode": mode,
                "median_ms": round(median * 1000, 3),
                "direct_baseline_median_ms": round(baseline * 1000, 3),
                "overhead_ms_per_request": round((median - baseline) * 1000, 3),
                "gateway_records": len(gateway.log) if gateway else 0,
            }
        )
    finally:
        if proxy is not None:
            proxy.stop()
        if gateway is not None:
            gateway.stop()
