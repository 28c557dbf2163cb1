"""Streaming a large object through ``open_atomic`` and ``read`` with bounded memory.

The goal (project decision IO-7: multipart as data arrives, no local spool of the whole body) is
that the peak resident-set growth of this process stays under 64 MiB whatever the object size.
The size is 64 MiB in CI-sized runs and 1 GiB with ``--bench-size=full`` (or
``--bench-stream-mib``). Content is checked end to end (length and CRC-32).
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from _benchlib.env import BenchEnv
from _benchlib.memory import peak_rss
from _benchlib.observe import Observation
from _benchlib.operations import CHUNK, MiB, payload

RSS_GOAL = 64 * MiB
BUCKET = "bench-stream"


@pytest.fixture(scope="module")
def stream_store(bench_env: BenchEnv) -> Any:
    pytest.importorskip("psutil")
    bench_env.target.create_bucket(BUCKET)
    return bench_env.store(BUCKET)


def _expected_crc(mib: int) -> int:
    block, crc = payload(CHUNK), 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return crc


@pytest.mark.parametrize("direction", ["write", "read"])
def test_streaming(
    stream_store: Any,
    bench_env: BenchEnv,
    run_case: Any,
    latency: Any,
    stream_mib: int,
    direction: str,
    benchmark: Any,
) -> None:
    key = f"stream/{stream_mib}MiB.bin"
    block = payload(CHUNK)
    peaks: list[int] = []

    def write() -> int:
        with peak_rss() as rss, stream_store.open_atomic(key, overwrite=True) as sink:
            for _ in range(stream_mib):
                sink.write(block)
        peaks.append(rss.growth)
        return stream_mib * MiB

    def read() -> int:
        crc, total = 0, 0
        with peak_rss() as rss, stream_store.read(key) as source:
            while chunk := source.read(CHUNK):
                crc = zlib.crc32(chunk, crc)
                total += len(chunk)
        peaks.append(rss.growth)
        assert crc == expected_crc, "streamed content differs from what was written"
        return total

    expected_crc = _expected_crc(stream_mib)
    if direction == "read":
        # Write the object through the target directly, in parts, so set-up is not measured.
        admin = bench_env.admin_client()
        upload = admin.create_multipart_upload(Bucket=BUCKET, Key=key)
        parts = []
        per_part = 64  # MiB per part
        for number, start in enumerate(range(0, stream_mib, per_part), 1):
            body = block * min(per_part, stream_mib - start)
            etag = admin.upload_part(
                Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=body
            )["ETag"]
            parts.append({"ETag": etag, "PartNumber": number})
            del body
        admin.complete_multipart_upload(
            Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
        )

    def check(result: int, obs: Observation) -> None:
        assert result == stream_mib * MiB
        assert all(s is not None and s < 400 for s in obs.statuses), obs.requests

    latency(0)
    run_case(
        write if direction == "write" else read,
        check=check,
        rounds=1,
        group="streaming",
        extra={
            "kind": "stream",
            "operation": f"{'open_atomic write' if direction == 'write' else 'read'}",
            "client": "store",
            "raw": False,
            "bytes": stream_mib * MiB,
            "latency_ms": 0,
        },
    )
    peak = max(peaks)
    benchmark.extra_info["peak_rss_growth_bytes"] = peak
    benchmark.extra_info["rss_goal_bytes"] = RSS_GOAL
    assert peak < RSS_GOAL, (
        f"{direction} of {stream_mib} MiB grew RSS by {peak / MiB:.1f} MiB (goal < 64 MiB)"
    )
