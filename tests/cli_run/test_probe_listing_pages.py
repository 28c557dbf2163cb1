"""The probe's delimiter pagination question: a server must count common prefixes toward
MaxKeys (moto does; moto with the ``prefixes_not_counted`` defect does not)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from remote_store_harness import MotoProcessTarget
from remote_store_harness.probe import ProbeRow, ProbeTarget
from remote_store_harness.probe._checks_obj import check_delimiter_max_keys
from remote_store_harness.probe._client import make_client
from remote_store_harness.probe._model import ProbeContext
from remote_store_harness.probe._recommend import CONSEQUENCES, consequence
from remote_store_harness.probe._scratch import Scratch, unique_prefix
from remote_store_harness.pytest_plugin import unique_bucket_name


def _ask(target: Any) -> ProbeRow:
    bucket = unique_bucket_name("pages")
    target.create_bucket(bucket)
    probe_target = ProbeTarget(target.endpoint, bucket, use_env_proxy=False)
    client = make_client(probe_target)
    scratch = Scratch(client, bucket, unique_prefix())
    scratch.claim()
    try:
        return check_delimiter_max_keys(ProbeContext(probe_target, client, scratch))
    finally:
        assert scratch.cleanup().failed == []
        client.close()


@pytest.fixture(scope="module")
def prefixes_not_counted() -> Iterator[Any]:
    target = MotoProcessTarget(defects=["prefixes_not_counted"]).start()
    try:
        yield target
    finally:
        target.stop()


def test_moto_counts_common_prefixes_toward_max_keys(s3_target: Any) -> None:
    row = _ask(s3_target)
    assert (row.verdict, row.data["pages"]) == ("yes", [2, 2, 1]), row.evidence
    assert consequence(row) is None


def test_a_server_counting_keys_only_answers_partial_with_its_consequence(
    prefixes_not_counted: Any,
) -> None:
    row = _ask(prefixes_not_counted)
    assert (row.verdict, row.level, row.data["pages"]) == ("partial", "warn", [5]), row.evidence
    assert sorted(row.data["entries"]) == ["a/", "b/", "c/", "d", "e/"]
    assert consequence(row) == (
        "delimiter_max_keys (pages exceed MaxKeys (common prefixes not counted)): "
        + CONSEQUENCES["delimiter_max_keys:partial"]
    )
