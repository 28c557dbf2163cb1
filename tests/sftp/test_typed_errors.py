"""Wrong argument types fail before anything is written on the server."""

from __future__ import annotations

import pytest

from remote_store.backends import SFTPBackend


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_writing_a_str_is_a_type_error_and_creates_nothing(
    backend: SFTPBackend, method: str
) -> None:
    with pytest.raises(TypeError, match="content must be bytes"):
        getattr(backend, method)("f.txt", "a str")
    assert not backend.exists("f.txt")


def test_a_non_str_native_path_is_a_type_error(backend: SFTPBackend) -> None:
    with pytest.raises(TypeError, match="native_path must be a str"):
        backend.to_key(5)  # type: ignore[arg-type]
