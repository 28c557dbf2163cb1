"""§6.4.2 / §8.5: write_atomic and open_atomic never expose partial content."""

from __future__ import annotations

import io

import pytest

from remote_store import AlreadyExists, Capability, InvalidPath, RemotePath, Store

pytestmark = pytest.mark.requires_capability(Capability.ATOMIC_WRITE)


class Boom(Exception):
    pass


def test_write_atomic_creates_the_file(store: Store) -> None:
    store.write_atomic("a/f.txt", b"atomic")
    assert store.read_bytes("a/f.txt") == b"atomic"


def test_write_atomic_accepts_a_stream(store: Store) -> None:
    result = store.write_atomic("f.txt", io.BytesIO(b"streamed"))
    assert (result.size, store.read_bytes("f.txt")) == (8, b"streamed")


def test_write_atomic_without_overwrite_refuses_an_existing_file(store: Store) -> None:
    store.write("f.txt", b"old")
    with pytest.raises(AlreadyExists):
        store.write_atomic("f.txt", b"new")
    assert store.read_bytes("f.txt") == b"old"


def test_write_atomic_with_overwrite_replaces(store: Store) -> None:
    store.write("f.txt", b"old")
    store.write_atomic("f.txt", b"new", overwrite=True)
    assert store.read_bytes("f.txt") == b"new"


def test_write_atomic_result_is_store_relative(store: Store) -> None:
    assert store.write_atomic("d/f.txt", b"x").path == RemotePath("d/f.txt")


def test_open_atomic_commits_on_clean_exit(store: Store) -> None:
    with store.open_atomic("d/f.txt") as stream:
        stream.write(b"part1-")
        stream.write(b"part2")
    assert store.read_bytes("d/f.txt") == b"part1-part2"


def test_open_atomic_target_is_absent_until_commit(store: Store) -> None:
    with store.open_atomic("f.txt") as stream:
        stream.write(b"pending")
        assert store.is_file("f.txt") is False
    assert store.is_file("f.txt") is True


def test_open_atomic_tell_counts_written_bytes(store: Store) -> None:
    with store.open_atomic("f.txt") as stream:
        stream.write(b"abc")
        assert stream.tell() == 3


def test_exception_inside_open_atomic_leaves_a_new_target_absent(store: Store) -> None:
    with pytest.raises(Boom), store.open_atomic("f.txt") as stream:
        stream.write(b"partial")
        raise Boom
    assert store.exists("f.txt") is False


def test_exception_inside_open_atomic_leaves_an_existing_target_untouched(store: Store) -> None:
    store.write("f.txt", b"original")
    with pytest.raises(Boom), store.open_atomic("f.txt", overwrite=True) as stream:
        stream.write(b"replacement")
        raise Boom
    assert store.read_bytes("f.txt") == b"original"


def test_failed_open_atomic_leaves_no_stray_files(store: Store) -> None:
    store.write("d/keep.txt", b"k")
    with pytest.raises(Boom), store.open_atomic("d/f.txt") as stream:
        stream.write(b"partial")
        raise Boom
    assert [f.name for f in store.list_files("d")] == ["keep.txt"]


def test_open_atomic_refuses_an_existing_file_on_enter(store: Store) -> None:
    store.write("f.txt", b"old")
    entered = False
    with pytest.raises(AlreadyExists), store.open_atomic("f.txt"):
        entered = True
    assert entered is False


def test_open_atomic_with_overwrite_replaces(store: Store) -> None:
    store.write("f.txt", b"old")
    with store.open_atomic("f.txt", overwrite=True) as stream:
        stream.write(b"new")
    assert store.read_bytes("f.txt") == b"new"


def test_open_atomic_exposes_the_write_result_after_commit(store: Store) -> None:
    with store.open_atomic("d/f.txt") as stream:
        stream.write(b"12345")
    assert stream.result is not None
    assert (stream.result.path, stream.result.size) == (RemotePath("d/f.txt"), 5)


@pytest.mark.requires_hierarchy
def test_open_atomic_onto_a_folder_raises_invalid_path(store: Store) -> None:
    store.write("d/x", b"x")
    with pytest.raises(InvalidPath), store.open_atomic("d", overwrite=True) as stream:
        stream.write(b"x")


def test_open_atomic_checks_metadata_on_enter(store: Store) -> None:
    with pytest.raises(ValueError), store.open_atomic("f.txt", metadata={"_x": "y"}):
        pass
    assert store.exists("f.txt") is False


RACING_WRITERS = 32
#: Larger than one 8 MiB part: each writer goes through a multipart upload on S3.
RACING_SIZE = 8 * 1024 * 1024 + 4096


@pytest.mark.slow
def test_racing_multipart_writers_without_overwrite_have_exactly_one_winner(store: Store) -> None:
    """§6.4.2: of 32 writers racing ``open_atomic(overwrite=False)`` on one new path, exactly one
    wins; the others get AlreadyExists and the file holds the winner's bytes, whole."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(RACING_WRITERS)

    def body(i: int) -> bytes:
        return bytes([i]) * RACING_SIZE

    def writer(i: int) -> str:
        data = body(i)
        barrier.wait()
        try:
            with store.open_atomic("race.bin") as f:
                for start in range(0, RACING_SIZE, 1024 * 1024):
                    f.write(data[start : start + 1024 * 1024])
        except AlreadyExists:
            return "lost"
        return "won"

    with ThreadPoolExecutor(RACING_WRITERS) as pool:
        outcomes = list(pool.map(writer, range(RACING_WRITERS)))

    winners = [i for i, outcome in enumerate(outcomes) if outcome == "won"]
    assert len(winners) == 1, f"{len(winners)} writers won"
    assert store.read_bytes("race.bin") == body(winners[0])
