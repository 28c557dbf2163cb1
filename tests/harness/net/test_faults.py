"""Fault injection, observed by a plain boto3 client (one attempt, short timeouts)."""

from __future__ import annotations

import io
import time

import botocore.exceptions
import pytest
from remote_store_harness import FaultPlan, FaultRule, Gateway
from remote_store_harness.observe import RequestFacts

# -- as a client sees them ---------------------------------------------------------------------


@pytest.fixture
def client_and_bucket(gateway: Gateway, s3_client, bucket_name: str):
    client = s3_client(gateway.url, read_timeout=1)
    client.create_bucket(Bucket=bucket_name)
    return client, bucket_name


def test_error_fault_answers_s3_slowdown_xml(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="error", operation="HeadBucket"))
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.head_bucket(Bucket=bucket)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    record = gateway.log.records()[-1]
    assert (record.operation, record.status, record.fault) == (
        "HeadBucket",
        503,
        "error:503:SlowDown",
    )
    assert record.upstream_seconds is None  # moto never saw it


def test_error_fault_body_is_parsed_as_an_s3_error(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="error", status=500, code="InternalError", method="GET"))
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.get_object(Bucket=bucket, Key="anything")
    error = info.value.response["Error"]
    assert error["Code"] == "InternalError"
    assert error["Message"] == "We encountered an internal error. Please try again."
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert info.value.response["ResponseMetadata"]["RequestId"]


def test_error_fault_on_upload_keeps_the_client_usable(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="error", operation="PutObject", first=1))
    with pytest.raises(botocore.exceptions.ClientError):
        client.put_object(Bucket=bucket, Key="k", Body=io.BytesIO(b"payload" * 1000))
    client.put_object(Bucket=bucket, Key="k", Body=io.BytesIO(b"payload" * 1000))
    client.put_object(Bucket=bucket, Key="j", Body=b"plain bytes body")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"payload" * 1000
    assert gateway.log.count(operation="PutObject", status=200) == 2


def test_reset_fault_is_a_closed_connection_for_the_client(
    gateway: Gateway, client_and_bucket
) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="reset", operation="HeadBucket"))
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        client.head_bucket(Bucket=bucket)
    record = gateway.log.records()[-1]
    assert (record.status, record.fault) == (None, "reset")


def test_stall_fault_makes_the_client_time_out(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="stall", stall_seconds=5, operation="ListObjectsV2"))
    start = time.perf_counter()
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        client.list_objects_v2(Bucket=bucket)
    assert time.perf_counter() - start < 4, "the client gave up at its read timeout"
    assert gateway.log.records()[-1].fault == "stall"


def test_stalled_request_is_released_by_stop(moto_url: str, s3_client) -> None:
    with Gateway(moto_url) as gw:
        gw.faults.add(FaultRule(kind="stall", stall_seconds=600))
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            s3_client(gw.url, read_timeout=1).list_buckets()
        start = time.perf_counter()
    assert time.perf_counter() - start < 3


def test_strip_header_drops_if_none_match_before_moto_sees_it(
    gateway: Gateway, client_and_bucket
) -> None:
    client, bucket = client_and_bucket
    client.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert info.value.response["Error"]["Code"] == "PreconditionFailed"  # moto honours it

    gateway.faults.add(FaultRule(kind="strip_header", header="If-None-Match"))
    client.put_object(Bucket=bucket, Key="once", Body=b"third", IfNoneMatch="*")
    assert client.get_object(Bucket=bucket, Key="once")["Body"].read() == b"third"

    put = gateway.log.records()[-2]
    assert put.operation == "PutObject" and put.status == 200
    assert put.stripped == ("if-none-match",)
    assert put.headers["if-none-match"] == "*"  # as the client sent it
    assert put.fault == "strip_header:if-none-match"


def test_nth_rule_fails_only_the_chosen_matching_requests(
    gateway: Gateway, client_and_bucket
) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="error", operation="HeadBucket", nth={2, 4}))
    outcomes = []
    for _ in range(5):
        client.list_buckets()  # does not match: must not shift the count
        try:
            client.head_bucket(Bucket=bucket)
            outcomes.append("ok")
        except botocore.exceptions.ClientError:
            outcomes.append("fail")
    assert outcomes == ["ok", "fail", "ok", "fail", "ok"]


def test_path_regex_and_method_select_requests(gateway: Gateway, client_and_bucket) -> None:
    client, bucket = client_and_bucket
    gateway.faults.add(FaultRule(kind="error", method="PUT", path=r"/locked/"))
    client.put_object(Bucket=bucket, Key="open/a", Body=b"a")
    with pytest.raises(botocore.exceptions.ClientError):
        client.put_object(Bucket=bucket, Key="locked/a", Body=b"a")
    client.get_object(Bucket=bucket, Key="open/a")
    assert gateway.log.count(fault="error:503:SlowDown") == 1


# -- the plan itself ---------------------------------------------------------------------------

_GET = RequestFacts("GET", "/b/k", "GetObject")


def test_first_k_fires_for_the_first_k_matching_requests_only() -> None:
    plan = FaultPlan([FaultRule(kind="reset", first=2)])
    assert [plan.decide(_GET).terminal is not None for _ in range(4)] == [
        True,
        True,
        False,
        False,
    ]


def test_seeded_probability_is_reproducible() -> None:
    def run() -> list[bool]:
        plan = FaultPlan([FaultRule(kind="error", probability=0.3, seed=7)])
        return [plan.decide(_GET).terminal is not None for _ in range(200)]

    first, second = run(), run()
    assert first == second
    assert 30 <= sum(first) <= 90


def test_strip_rules_combine_with_the_first_terminal_rule() -> None:
    strip = FaultRule(kind="strip_header", header="If-Match")
    error = FaultRule(kind="error")
    later = FaultRule(kind="reset")
    plan = FaultPlan([strip, error, later])
    decision = plan.decide(_GET)
    assert decision.strip == ("if-match",) and decision.terminal is error
    assert plan.fired(later) == 0 and plan.fired(error) == 1


def test_removed_rule_no_longer_fires() -> None:
    plan = FaultPlan()
    rule = plan.add(FaultRule(kind="reset"))
    plan.remove(rule)
    assert plan.decide(_GET).terminal is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "strip_header"},
        {"kind": "error", "probability": 1.5},
        {"kind": "error", "path": "("},
        {"kind": "error", "status": 42},
    ],
)
def test_invalid_rules_are_rejected(kwargs) -> None:
    with pytest.raises(ValueError):
        FaultRule(**kwargs)
