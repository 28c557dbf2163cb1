"""The memoized ``User-Agent`` header is the one botocore builds itself, request by request."""

from __future__ import annotations

from typing import Any

import pytest

from remote_store.backends import S3Backend
from remote_store.backends.s3 import _transport

pytestmark = pytest.mark.s3


def _tokens(header: str) -> list[str]:
    """The header's components, with the ``m/`` feature codes sorted (botocore joins a set)."""
    tokens = []
    for token in header.split():
        if token.startswith("m/"):
            token = "m/" + ",".join(sorted(token[2:].split(",")))
        tokens.append(token)
    return tokens


def _headers_of_a_session(backend: S3Backend, log: Any) -> list[tuple[str, list[str]]]:
    mark = log.mark()
    backend.write("ua/a.txt", b"payload", overwrite=True)  # CRC32 checksum: a request feature
    backend.write("ua/b.txt", b"payload", overwrite=True)
    assert backend.exists("ua/a.txt")
    assert [f.path.name for f in backend.list_files("ua")] == ["a.txt", "b.txt"]
    backend.read_bytes("ua/a.txt")
    return [(r.operation, _tokens(r.headers["user-agent"])) for r in log.since(mark)]


def test_every_request_carries_the_header_botocore_would_have_built(
    backend_factory: Any, log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = backend_factory()
    memoized = _headers_of_a_session(backend, log)
    creator = backend._transport.fs._s3._user_agent_creator
    assert len(creator._remote_store_memo) >= 2  # the headers above came from the memo
    monkeypatch.setattr(_transport, "memoize_user_agent", lambda client: None)
    built_each_time = _headers_of_a_session(backend_factory(), log)
    assert memoized == built_each_time
    assert {operation for operation, _ in memoized} >= {"PutObject", "ListObjectsV2", "GetObject"}


def test_requests_with_different_features_get_different_headers(
    backend: S3Backend, log: Any
) -> None:
    """The memo is keyed by the request's features: a checksummed PUT is not told it is a LIST."""
    by_operation = dict(_headers_of_a_session(backend, log))
    assert by_operation["PutObject"] != by_operation["ListObjectsV2"]
