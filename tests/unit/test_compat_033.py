"""Code written for remote-store 0.33 runs unchanged (issue 16): custom backends, errors, models.

The conformance id ``custom-033`` runs the whole suite on a backend written to 0.33's base class;
these tests pin the individual adaptations and compatibility points through the public API.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from remote_store import (
    AlreadyExists,
    Backend,
    CapabilityNotSupported,
    ContentDigest,
    InvalidPath,
    NotFound,
    RegistryConfig,
    RemotePath,
    RemoteStoreError,
    Store,
    WriteResult,
)
from remote_store.backends import LocalBackend, MemoryBackend
from remote_store.ext.cache import cache


class OpenAtomicWithoutMetadata(MemoryBackend):
    """0.33's documented ``open_atomic(self, path, *, overwrite=False)``, yielding a ``BytesIO``."""

    @contextmanager  # type: ignore[override]
    def open_atomic(self, path: str, *, overwrite: bool = False) -> Iterator[BinaryIO]:
        if not overwrite and self.is_file(path):
            raise AlreadyExists("exists", path=path, backend=self.name)
        buffer = io.BytesIO()
        yield buffer
        self.write(path, buffer.getvalue(), overwrite=overwrite)


class OpenAtomicWithKwargs(MemoryBackend):
    """Accepts any keyword but yields a plain ``BytesIO`` and returns no result object."""

    @contextmanager  # type: ignore[override]
    def open_atomic(self, path: str, **kwargs: Any) -> Iterator[BinaryIO]:
        buffer = io.BytesIO()
        yield buffer
        self.write(path, buffer.getvalue(), overwrite=kwargs.get("overwrite", False))


@pytest.mark.parametrize("backend_type", [OpenAtomicWithoutMetadata, OpenAtomicWithKwargs])
def test_open_atomic_commits_on_a_backend_written_for_033(
    backend_type: type[MemoryBackend],
) -> None:
    store = Store(backend_type(), "root")

    with store.open_atomic("d/f.txt") as stream:
        stream.write(b"hello")

    assert store.read_bytes("d/f.txt") == b"hello"


@pytest.mark.parametrize("backend_type", [OpenAtomicWithoutMetadata, OpenAtomicWithKwargs])
def test_open_atomic_on_a_033_backend_records_a_basic_result(
    backend_type: type[MemoryBackend],
) -> None:
    store = Store(backend_type(), "root")

    with store.open_atomic("d/f.txt") as stream:
        stream.write(b"hello")
        assert stream.tell() == 5

    assert stream.result == WriteResult(path=RemotePath("d/f.txt"), size=5, source="basic")


def test_open_atomic_metadata_reaches_a_backend_whose_open_atomic_cannot_take_it() -> None:
    store = Store(OpenAtomicWithoutMetadata())

    with store.open_atomic("f.txt", metadata={"Owner": "ops"}) as stream:
        stream.write(b"x")

    assert store.get_file_info("f.txt").metadata == {"owner": "ops"}
    assert stream.result is not None and stream.result.metadata == {"owner": "ops"}


def test_open_atomic_metadata_on_a_033_backend_still_refuses_an_existing_file_on_enter() -> None:
    store = Store(OpenAtomicWithoutMetadata())
    store.write("f.txt", b"old")

    with pytest.raises(AlreadyExists), store.open_atomic("f.txt", metadata={"k": "v"}):
        pytest.fail("the body must not run")

    assert store.read_bytes("f.txt") == b"old"


def test_an_exception_inside_open_atomic_on_a_033_backend_commits_nothing() -> None:
    store = Store(OpenAtomicWithoutMetadata())

    with pytest.raises(RuntimeError), store.open_atomic("f.txt") as stream:
        stream.write(b"partial")
        raise RuntimeError("caller failed")

    assert not store.exists("f.txt")


# -- item 9: error text, warning location, read_seekable cleanup ------------------------------


def test_capability_error_without_a_message_has_no_leading_separator() -> None:
    assert str(CapabilityNotSupported(capability="glob")) == "capability='glob'"


def test_error_text_joins_only_the_parts_that_are_set() -> None:
    error = CapabilityNotSupported("No glob", backend="memory", capability="glob")

    assert str(error) == "No glob | backend='memory' | capability='glob'"
    assert str(NotFound(path="a")) == "path='a'"


def test_from_yaml_unknown_key_warning_points_at_the_caller(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    from remote_store.ext.yaml import from_yaml

    config = tmp_path / "c.yaml"
    config.write_text("backends: {}\nextra: 1\n", encoding="utf-8")

    with pytest.warns(UserWarning, match="Unknown top-level config keys") as caught:
        from_yaml(config)

    assert caught[0].filename == __file__


def test_from_toml_unknown_key_warning_points_at_the_caller(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("extra = 1\n", encoding="utf-8")

    with pytest.warns(UserWarning, match="Unknown top-level config keys") as caught:
        RegistryConfig.from_toml(config)

    assert caught[0].filename == __file__


class _SeekableRaises(io.BytesIO):
    def seekable(self) -> bool:
        raise OSError("cannot tell")


class _ReadGivesBrokenStream(MemoryBackend):
    def __init__(self) -> None:
        super().__init__()
        self.handed_out: list[io.BytesIO] = []

    def read(self, path: str) -> BinaryIO:
        stream = _SeekableRaises(self.read_bytes(path))
        self.handed_out.append(stream)
        return stream


def test_read_seekable_closes_the_source_when_seekable_raises() -> None:
    backend = _ReadGivesBrokenStream()
    store = Store(backend)
    store.write("f.txt", b"x")

    with pytest.raises(OSError, match="cannot tell"):
        Backend.read_seekable(backend, "f.txt")

    assert [s.closed for s in backend.handed_out] == [True]


# -- item 8: ext.cache statistics and repr ----------------------------------------------------


def test_each_read_of_a_file_too_large_to_cache_counts_as_a_miss() -> None:
    cached = cache(Store(MemoryBackend()), max_content_size=4)
    cached.write("big.bin", b"0123456789")

    cached.get_file_info("big.bin")
    cached.read_bytes("big.bin")
    cached.read_bytes("big.bin")

    assert (cached.stats.hits, cached.stats.misses) == (0, 3)


def test_cached_store_repr_shows_ttl_and_size_limits() -> None:
    cached = cache(Store(MemoryBackend()), ttl=30, max_content_size=10, max_listing_size=5)

    text = repr(cached)

    assert "ttl=30" in text and "max_content_size=10" in text and "max_listing_size=5" in text


@pytest.mark.parametrize(
    ("option", "phrase"),
    [
        ("ttl", "ttl must be positive"),
        ("max_content_size", "max_content_size must be positive"),
        ("max_listing_size", "max_listing_size must be positive"),
        ("max_entries", "max_entries must be positive"),
    ],
)
def test_cache_parameter_errors_contain_the_033_phrase(option: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase) as caught:
        cache(Store(MemoryBackend()), **{option: 0})

    assert "got 0" in str(caught.value)


# -- items 6, 7: local containment answers like 0.33 ------------------------------------------


def test_local_glob_through_a_folder_symlink_to_outside_matches_nothing(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "symdir").symlink_to(outside, target_is_directory=True)
    store = Store(LocalBackend(str(root)))

    assert list(store.glob("symdir/*.txt")) == []
    assert list(store.glob("**/*.txt")) == []


def test_local_root_replaced_by_an_outside_symlink_is_an_escape(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    store = Store(LocalBackend(str(root)))
    root.rmdir()
    root.symlink_to(outside, target_is_directory=True)

    with pytest.raises(InvalidPath, match="escapes root"):
        store.read_bytes("missing.txt")


def test_local_deleted_root_still_reads_as_absent(tmp_path: Path) -> None:
    root = tmp_path / "root"
    store = Store(LocalBackend(str(root)))
    root.rmdir()

    with pytest.raises(NotFound):
        store.read_bytes("missing.txt")


# -- item 3: the caller's stream failing, on a backend used directly ---------------------------


class _ResetAfterSome(io.RawIOBase):
    def __init__(self) -> None:
        self._sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._sent:
            raise ConnectionResetError(104, "Connection reset by peer")
        self._sent = True
        buffer[:3] = b"abc"
        return 3


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_local_backend_used_directly_wraps_a_failing_stream_and_leaves_nothing(
    tmp_path: Path, method: str
) -> None:
    backend = LocalBackend(str(tmp_path / "root"))

    with pytest.raises(RemoteStoreError, match="content stream") as caught:
        getattr(backend, method)("d/f.bin", _ResetAfterSome())

    assert isinstance(caught.value.__cause__, ConnectionResetError)
    assert sorted(p.name for p in (tmp_path / "root").rglob("*") if p.is_file()) == []


# -- item 10: messages keep our wording and contain 0.33's key phrase --------------------------


def _message(action: Any) -> str:
    try:
        action()
    except Exception as exc:
        return str(exc)
    raise AssertionError("nothing was raised")


def _store_with_file_and_folder() -> Store:
    store = Store(MemoryBackend())
    store.write("dir/f.txt", b"x")
    return store


@pytest.mark.parametrize(
    ("action", "ours", "theirs"),
    [
        (lambda: RemotePath("a\0b"), "Path contains a NUL character", "null"),
        (lambda: RemotePath("a/../b"), "Path must not contain '..' segments", "'..' segment"),
        (lambda: _store_with_file_and_folder().read_bytes("dir"), "Path is a folder", "Not a file"),
        (
            lambda: _store_with_file_and_folder().delete_folder("dir/f.txt"),
            "Path is a file, not a folder",
            "Not a folder",
        ),
        (
            lambda: _store_with_file_and_folder().move("dir", "x"),
            "Source is a folder",
            "Source is a directory",
        ),
        (lambda: _store_with_file_and_folder().read_bytes("nope"), "File", "File not found"),
        (
            lambda: _store_with_file_and_folder().delete_folder("dir"),
            "Folder is not empty",
            "Folder not empty",
        ),
        (
            lambda: Store(MemoryBackend()).write("f", b"x", metadata={"_bad": "v"}),
            "must not start with '_'",
            "must not start with underscore",
        ),
        (
            lambda: ContentDigest("crc32", "xyz"),
            "ContentDigest.value must be lower-case hex",
            "value must be hexadecimal",
        ),
        (
            lambda: ContentDigest("crc32", " "),
            "ContentDigest.value must be lower-case hex",
            "value must not be empty",
        ),
        (
            lambda: RegistryConfig.from_dict({"backends": "x"}),
            "'backends' must be a mapping, got str",
            "Expected 'backends' and 'stores' to be dicts",
        ),
        (
            lambda: RegistryConfig.from_dict({"backends": {"b": {"type": 1}}}),
            "backends['b'].type",
            "must be a string",
        ),
        (
            lambda: RegistryConfig.from_dict({"backends": {"b": "memory"}}),
            "backends['b'] must be a mapping",
            "Backend config for 'b' must be a dict",
        ),
    ],
)
def test_messages_contain_our_wording_and_the_033_key_phrase(
    action: Any, ours: str, theirs: str
) -> None:
    text = _message(action)

    assert ours in text and theirs in text, text


def test_local_missing_root_message_contains_the_033_phrase(tmp_path: Path) -> None:
    backend = LocalBackend(str(tmp_path / "root"))
    (tmp_path / "root").rmdir()

    text = _message(backend.check_health)

    assert "Root directory does not exist" in text and "Root directory not found" in text


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_memory_backend_used_directly_wraps_a_failing_stream_and_stores_nothing(
    method: str,
) -> None:
    backend = MemoryBackend()

    with pytest.raises(RemoteStoreError, match="content stream") as caught:
        getattr(backend, method)("d/f.bin", _ResetAfterSome())

    assert isinstance(caught.value.__cause__, ConnectionResetError)
    assert not backend.exists("d/f.bin")


def _memory_store(_tmp: Path) -> Store:
    return Store(MemoryBackend())


def _local_store(tmp: Path) -> Store:
    return Store(LocalBackend(str(tmp)))


@pytest.mark.parametrize("make", [_memory_store, _local_store], ids=["memory", "local"])
@pytest.mark.parametrize("op", ["move", "copy"])
def test_existing_destination_message_has_our_wording_and_the_033_phrase(
    make: Any, op: str, tmp_path: Path
) -> None:
    store = make(tmp_path)
    store.write("src.txt", b"new")
    store.write("dst.txt", b"old")

    with pytest.raises(AlreadyExists, match="Destination already exists") as caught:
        getattr(store, op)("src.txt", "dst.txt")

    assert "File already exists" in str(caught.value)


@pytest.mark.parametrize("make", [_memory_store, _local_store], ids=["memory", "local"])
@pytest.mark.parametrize("op", ["move", "copy"])
def test_folder_destination_message_has_our_wording_and_the_033_phrase(
    make: Any, op: str, tmp_path: Path
) -> None:
    store = make(tmp_path)
    store.write("src.txt", b"x")
    store.write("d/f.txt", b"x")

    with pytest.raises(InvalidPath, match="Destination is a directory") as caught:
        getattr(store, op)("src.txt", "d", overwrite=True)

    assert "Target is an existing folder" in str(caught.value)
