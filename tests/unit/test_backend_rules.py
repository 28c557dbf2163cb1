"""The rules the Backend base enforces once for every backend (called on backends directly)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from remote_store import Backend, FileInfo, InvalidPath
from remote_store._backend_rules import TEMP_NAME_KEEP, is_temp_name, temp_name
from remote_store.backends import LocalBackend, MemoryBackend


@pytest.fixture(params=["memory", "local"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return MemoryBackend() if request.param == "memory" else LocalBackend(tmp_path)


def test_negative_max_depth_is_refused_when_list_files_is_called(backend: Backend) -> None:
    with pytest.raises(ValueError, match="max_depth must be >= 0, got -1"):
        backend.list_files("", recursive=True, max_depth=-1)


@pytest.mark.parametrize("root", ["", ".", "/"])
def test_the_root_is_not_a_file_target(backend: Backend, root: str) -> None:
    with pytest.raises(InvalidPath, match="must not be empty or root"):
        backend.write(root, b"x")


def test_writing_below_a_file_names_the_file_in_the_way(backend: Backend) -> None:
    backend.write("a/f", b"x")
    with pytest.raises(InvalidPath, match="ancestor of the target exists as a file: 'a/f'"):
        backend.write("a/f/g", b"y")


def test_folder_info_sums_the_subtree(backend: Backend) -> None:
    backend.write("d/a", b"12")
    backend.write("d/e/b", b"345")
    info = backend.get_folder_info("d")
    assert (info.file_count, info.total_size) == (2, 5)


def test_default_write_atomic_goes_through_open_atomic(backend: Backend) -> None:
    result = backend.write_atomic("w.bin", b"payload")
    assert result.size == 7 and backend.read_bytes("w.bin") == b"payload"


def test_temp_names_are_recognised_and_keep_a_bounded_part_of_the_name() -> None:
    name = temp_name("x" * 300)
    assert is_temp_name(name) and is_temp_name(temp_name("doc.txt", "bak"))
    assert len(name) == len(".~tmp.") + TEMP_NAME_KEEP + len(".") + 8
    assert not is_temp_name("doc.txt") and not is_temp_name(".~tmp.doc.txt")


class _OwnListing(MemoryBackend):
    """A subclass (as a 0.33-style backend would be) with its own generator ``list_files``."""

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        yield from super().list_files(path, recursive=recursive, max_depth=max_depth)


def test_a_subclass_list_files_gets_the_depth_check_before_its_first_item() -> None:
    listing = _OwnListing()
    with pytest.raises(ValueError, match="max_depth must be >= 0"):
        listing.list_files("", max_depth=-2)  # no next(): the check is eager
