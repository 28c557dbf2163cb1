"""R-INFO and §6.4.9: file info, folder info (full and depth-limited), head."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from remote_store import InvalidPath, NotFound, RemotePath, Store


def test_get_file_info_describes_the_file(store: Store) -> None:
    store.write("d/f.txt", b"12345")
    info = store.get_file_info("d/f.txt")
    assert (info.path, info.name, info.size) == (RemotePath("d/f.txt"), "f.txt", 5)


def test_get_file_info_modified_at_is_recent_and_tz_aware(store: Store) -> None:
    store.write("f.txt", b"x")
    modified = store.get_file_info("f.txt").modified_at
    assert modified.tzinfo is not None
    assert abs(datetime.now(UTC) - modified) < timedelta(minutes=5)


def test_get_file_info_of_a_missing_file_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_file_info("nope")


def test_get_file_info_of_a_folder_raises_invalid_path(store: Store) -> None:
    store.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath):
        store.get_file_info("d")


def test_get_folder_info_aggregates_all_descendants(store: Store) -> None:
    store.write("d/a", b"1")
    store.write("d/x/b", b"22")
    store.write("d/x/y/c", b"333")
    info = store.get_folder_info("d")
    assert (info.path, info.file_count, info.total_size) == (RemotePath("d"), 3, 6)


def test_get_folder_info_modified_at_is_the_latest_file_time(store: Store) -> None:
    store.write("d/a", b"1")
    store.write("d/b", b"2")
    times = [i.modified_at for i in store.list_files("d")]
    assert store.get_folder_info("d").modified_at == max(times)


def test_get_folder_info_of_the_root_aggregates_the_store(store: Store) -> None:
    store.write("a", b"1")
    store.write("d/b", b"22")
    info = store.get_folder_info("")
    assert (info.path, info.file_count, info.total_size) == (RemotePath.ROOT, 2, 3)


def test_get_folder_info_of_a_missing_folder_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_folder_info("nope")


def test_get_folder_info_of_a_file_raises_invalid_path(store: Store) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(InvalidPath):
        store.get_folder_info("f.txt")


def test_get_folder_info_with_max_depth_limits_the_aggregate(store: Store) -> None:
    store.write("d/a", b"1")
    store.write("d/x/b", b"22")
    store.write("d/x/y/c", b"333")
    info = store.get_folder_info("d", max_depth=1)
    assert (info.file_count, info.total_size) == (2, 3)


def test_get_folder_info_with_max_depth_on_a_file_raises_invalid_path(store: Store) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(InvalidPath):
        store.get_folder_info("f.txt", max_depth=0)


def test_get_folder_info_with_max_depth_on_a_missing_folder_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_folder_info("nope", max_depth=2)


def test_get_folder_info_negative_max_depth_raises_value_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.get_folder_info("", max_depth=-1)


def test_get_folder_info_of_an_empty_root_with_max_depth_is_zero(store: Store) -> None:
    info = store.get_folder_info(".", max_depth=3)
    assert (info.path, info.file_count, info.total_size, info.modified_at) == (
        RemotePath.ROOT,
        0,
        0,
        None,
    )


def test_head_reports_size_and_sidecar_source(store: Store) -> None:
    store.write("f.txt", b"abc")
    result = store.head("f.txt")
    assert (result.path, result.size, result.source, result.version_id) == (
        RemotePath("f.txt"),
        3,
        "sidecar",
        None,
    )


def test_head_of_a_missing_file_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.head("nope")
