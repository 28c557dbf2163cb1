"""The harness holds up under concurrency: 8 threads x 500 requests through the forward proxy
and the TLS gateway, with every body checked by MD5."""

from __future__ import annotations

import hashlib
import random
import threading
from pathlib import Path

import pytest
from remote_store_harness import ForwardProxy, Gateway

THREADS = 8
REQUESTS_PER_THREAD = 500  # half PutObject, half GetObject


@pytest.mark.slow
def test_8_threads_x_500_requests_through_proxy_and_tls_lose_nothing(
    tls_gateway: Gateway, ca_file: Path, s3_client, bucket_name: str
) -> None:
    address = ("127.0.0.1", tls_gateway.port)
    with ForwardProxy(resolve={"s3.test": address, "*.s3.test": address}) as proxy:
        endpoint = f"https://s3.test:{tls_gateway.port}"

        def client():
            return s3_client(
                endpoint, verify=str(ca_file), proxy=proxy.url, addressing="virtual", pool=2
            )

        client().create_bucket(Bucket=bucket_name)
        mark = tls_gateway.log.mark()
        failures: list[str] = []
        clients = [client() for _ in range(THREADS)]

        def worker(index: int) -> None:
            rng = random.Random(index)
            s3 = clients[index]
            expected: dict[str, str] = {}
            try:
                for n in range(REQUESTS_PER_THREAD // 2):
                    key = f"t{index}/obj-{n}"
                    body = rng.randbytes(rng.randrange(0, 48 * 1024))
                    expected[key] = hashlib.md5(body).hexdigest()
                    s3.put_object(Bucket=bucket_name, Key=key, Body=body)
                for key, digest in expected.items():
                    got = s3.get_object(Bucket=bucket_name, Key=key)["Body"].read()
                    if hashlib.md5(got).hexdigest() != digest:
                        failures.append(f"{key}: body corrupted")
            except Exception as exc:  # collected and reported below
                failures.append(f"thread {index}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)

        assert failures == []
        records = tls_gateway.log.since(mark)
        assert len(records) == THREADS * REQUESTS_PER_THREAD
        assert {r.status for r in records} == {200}
        operations = tls_gateway.log.operations(since=mark)
        half = THREADS * REQUESTS_PER_THREAD // 2
        assert operations == {"PutObject": half, "GetObject": half}
        tunnels = proxy.log.records()
        assert all(r.method == "CONNECT" and r.status == 200 for r in tunnels)
        assert len(tunnels) <= THREADS * 2 + 1, "keep-alive tunnels are reused"
