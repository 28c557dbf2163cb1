"""Wrong argument types fail before any request is sent."""

from __future__ import annotations

from typing import Any

import pytest

from remote_store.backends import S3Backend


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_writing_a_str_is_a_type_error_without_a_request(
    backend: S3Backend, log: Any, method: str
) -> None:
    mark = log.mark()
    with pytest.raises(TypeError, match="content must be bytes"):
        getattr(backend, method)("f.txt", "a str")
    assert log.since(mark) == []


def test_a_non_str_glob_pattern_is_a_type_error_without_a_request(
    backend: S3Backend, log: Any
) -> None:
    mark = log.mark()
    with pytest.raises(TypeError, match="pattern must be a str"):
        list(backend.glob(5))  # type: ignore[arg-type]
    assert log.since(mark) == []


def test_an_invalid_glob_pattern_is_a_value_error_without_a_request(
    backend: S3Backend, log: Any
) -> None:
    mark = log.mark()
    with pytest.raises(ValueError, match="invalid glob pattern"):
        list(backend.glob("a/[z-a]"))
    assert log.since(mark) == []


def test_a_non_str_native_path_is_a_type_error(backend: S3Backend) -> None:
    with pytest.raises(TypeError, match="native_path must be a str"):
        backend.to_key(5)  # type: ignore[arg-type]
