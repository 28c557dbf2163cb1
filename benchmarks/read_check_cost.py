"""Client CPU and wall time of a streaming S3 ``read()``, with and without the integrity check.

Usage: ``PYTHONPATH=src:harness python benchmarks/read_check_cost.py [MIB,MIB,...] [ROUNDS]``
(default ``64,1024 6``). One moto server process (no gateway), objects stored by one
``PutObject`` with a CRC32 checksum. Each round reads every object once per variant, the
variants interleaved and their order reversed every other round; medians are reported.

* ``checked``: the library as it is (``_integrity.BodyCheck`` computes CRC32 over the bytes;
  botocore's body validation is off for our requests).
* ``none``: no check at all (``BodyCheck`` disabled, botocore validation still off): the floor.
* ``botocore``: ``BodyCheck`` disabled and botocore's wrapper left on, which is what the
  library did before issue 14 item 5: botocore computed CRC32 over every chunk, but its check
  only runs when a body is read past its end, which our readers never do.

A measurement script, not a test: it swaps private functions to build the variants.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import s3fs
from remote_store_harness.endpoint import boto3_client
from remote_store_harness.targets import start_target

from remote_store.backends import S3Backend
from remote_store.backends.s3 import _transport
from remote_store.backends.s3._integrity import BodyCheck

MIB = 1024 * 1024
VARIANTS = ("checked", "none", "botocore")
_STOCK_OFF = _transport._no_botocore_body_validation
_STOCK_OF = BodyCheck.__dict__["of"]


def _no_check(response: Any, key: str) -> None:
    return None


def _keep_botocore(context: dict[str, Any], **_: Any) -> None:
    return None


_current_off: list[Any] = [_STOCK_OFF]


def _trampoline(context: dict[str, Any], **kwargs: Any) -> None:
    _current_off[0](context=context, **kwargs)


def _use(variant: str) -> None:
    BodyCheck.of = _STOCK_OF if variant == "checked" else staticmethod(_no_check)
    _current_off[0] = _keep_botocore if variant == "botocore" else _STOCK_OFF


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main(sizes: list[int], rounds: int) -> None:
    with start_target("moto") as target:
        target.create_bucket("bench")
        admin = boto3_client(target.endpoint)
        for mib in sizes:
            body = os.urandom(MIB) * mib
            admin.put_object(Bucket="bench", Key=f"o{mib}", Body=body, ChecksumAlgorithm="CRC32")
            del body
        credentials = target.endpoint.credentials
        backend = S3Backend(
            bucket="bench",
            endpoint_url=target.endpoint_url,
            key=credentials.access_key,
            secret=credentials.secret_key,
        )
        backend.exists("o0")  # creates and hardens the client
        events = backend.unwrap(s3fs.S3FileSystem)._s3.meta.events
        events.unregister("before-call.s3.GetObject", _STOCK_OFF)
        events.register_last("before-call.s3.GetObject", _trampoline)
        samples: dict[tuple[int, str], list[tuple[float, float]]] = {}
        bodies: dict[str, set[str]] = {}
        try:
            for number in range(rounds):
                order = VARIANTS if number % 2 == 0 else VARIANTS[::-1]
                for mib in sizes:
                    for variant in order:
                        _use(variant)
                        wall, cpu = time.perf_counter(), time.process_time()
                        total = 0
                        with backend.read(f"o{mib}") as stream:
                            raw: Any = stream.raw  # type: ignore[attr-defined]
                            assert (raw._body_check is not None) == (variant == "checked")
                            body_type = type(raw._body).__name__
                            while chunk := stream.read(MIB):
                                total += len(chunk)
                        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                        assert total == mib * MIB
                        bodies.setdefault(variant, set()).add(body_type)
                        samples.setdefault((mib, variant), []).append((wall, cpu))
        finally:
            BodyCheck.of = _STOCK_OF
            backend.close()
    print("body classes:", {v: sorted(b) for v, b in bodies.items()})
    for (mib, variant), values in sorted(samples.items()):
        wall = _median([w for w, _ in values])
        cpu = _median([c for _, c in values])
        print(
            f"{mib:5d} MiB  {variant:9s} wall {mib / wall:7.1f} MiB/s   client CPU "
            f"{mib / cpu:7.1f} MiB/s ({cpu:.3f} s)   median of {len(values)}"
        )


if __name__ == "__main__":
    chosen = [int(x) for x in (sys.argv[1] if len(sys.argv) > 1 else "64,1024").split(",")]
    main(chosen, int(sys.argv[2]) if len(sys.argv) > 2 else 6)
