"""Response-side faults: the request reaches moto, the answer is lost, cut, corrupted or late."""

from __future__ import annotations

import math
import time

import botocore.exceptions
import pytest
from remote_store_harness import FaultRule, Gateway

_BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def client_and_bucket(gateway: Gateway, s3_client, bucket_name: str):
    client = s3_client(gateway.url, read_timeout=2)
    client.create_bucket(Bucket=bucket_name)
    client.put_object(Bucket=bucket_name, Key="blob", Body=_BODY)
    return client, bucket_name


def test_drop_response_stores_the_object_but_the_client_sees_a_failure(
    gateway: Gateway, client_and_bucket
) -> None:
    client, bucket = client_and_bucket
    rule = gateway.faults.add(FaultRule(kind="drop_response", operation="PutObject", first=1))
    with pytest.raises(botocore.exceptions.BotoCoreError):
        client.put_object(Bucket=bucket, Key="acked-nowhere", Body=b"stored anyway")
    assert gateway.faults.fired(rule) == 1
    assert client.get_object(Bucket=bucket, Key="acked-nowhere")["Body"].read() == b"stored anyway"
    record = next(r for r in gateway.log.records() if r.fault == "drop_response")
    assert record.status == 200  # what moto answered, and the client never saw


def test_truncate_cuts_the_body_after_the_given_bytes(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="truncate", operation="GetObject", after_bytes=1000))
    body = client.get_object(Bucket=bucket, Key="blob")["Body"]
    with pytest.raises(botocore.exceptions.BotoCoreError):
        body.read()
    record = gateway.log.records()[-1]
    assert (record.fault, record.bytes_out) == ("truncate:1000", 1000)


def test_corrupt_flips_exactly_one_byte_at_the_offset(gateway: Gateway, client_and_bucket) -> None:
    import boto3
    from botocore.config import Config

    _, bucket = client_and_bucket
    # A client that does not validate response checksums, to see the bytes as delivered.
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=gateway.url,
        config=Config(
            retries={"total_max_attempts": 1}, response_checksum_validation="when_required"
        ),
    )
    gateway.faults.add(FaultRule(kind="corrupt", operation="GetObject", after_bytes=77))
    data = client.get_object(Bucket=bucket, Key="blob")["Body"].read()
    differing = [i for i, (a, b) in enumerate(zip(data, _BODY, strict=True)) if a != b]
    assert differing == [77]
    assert data[77] == _BODY[77] ^ 0xFF
    assert gateway.log.records()[-1].fault == "corrupt:77"


def test_corrupt_beyond_the_body_is_logged_as_not_applied(
    gateway: Gateway, client_and_bucket
) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="corrupt", operation="GetObject", after_bytes=10**9))
    assert client.get_object(Bucket=bucket, Key="blob")["Body"].read() == _BODY
    assert gateway.log.records()[-1].fault == "corrupt:1000000000:not-applied"


def test_corrupt_is_caught_by_a_validating_client(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="corrupt", operation="GetObject", after_bytes=5))
    with pytest.raises(botocore.exceptions.FlexibleChecksumError):
        client.get_object(Bucket=bucket, Key="blob")["Body"].read()


def test_slow_headers_delay_the_answer(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="slow_headers", operation="HeadObject", stall_seconds=0.6))
    started = time.monotonic()
    client.head_object(Bucket=bucket, Key="blob")
    assert time.monotonic() - started >= 0.6


def test_slow_headers_past_the_read_timeout_time_the_client_out(
    gateway: Gateway, client_and_bucket
) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="slow_headers", operation="HeadObject", stall_seconds=5))
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        client.head_object(Bucket=bucket, Key="blob")


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"kind": "error", "operation": "PutObjectt"}, "unknown S3 operation"),
        ({"kind": "error", "nth": [0]}, "nth"),
        ({"kind": "error", "nth": []}, "nth"),
        ({"kind": "error", "status": 200}, "error status"),
        ({"kind": "stall", "stall_seconds": math.inf}, "stall_seconds"),
        ({"kind": "slow_headers", "stall_seconds": math.nan}, "stall_seconds"),
        ({"kind": "truncate", "after_bytes": -1}, "after_bytes"),
    ],
)
def test_rule_fields_are_validated_at_construction(kwargs, names: str) -> None:
    with pytest.raises(ValueError, match=names):
        FaultRule(**kwargs)


def test_infinite_latency_is_rejected() -> None:
    from remote_store_harness import Latency

    with pytest.raises(ValueError, match="fixed_ms"):
        Latency(fixed_ms=math.inf)
