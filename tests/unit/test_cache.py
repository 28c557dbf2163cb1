"""§13 ext.cache with IO-2 fixed: normalised, top-level-namespaced keys."""

from __future__ import annotations

import pytest

from remote_store import CacheBackend, CachedStore, MemoryCache, NotFound, Store, cache
from remote_store.backends import MemoryBackend


@pytest.fixture
def inner() -> Store:
    return Store(MemoryBackend())


def test_repeated_reads_hit_the_cache(inner: Store) -> None:
    inner.write("f", b"x")
    cached = cache(inner)
    cached.read_bytes("f")
    cached.read_bytes("f")
    assert (cached.stats.hits, cached.stats.misses) == (1, 1)


def test_cached_value_hides_external_changes_until_invalidated(inner: Store) -> None:
    inner.write("f", b"old")
    cached = cache(inner)
    cached.read_bytes("f")
    inner.write("f", b"new", overwrite=True)
    assert cached.read_bytes("f") == b"old"
    cached.invalidate("f")
    assert cached.read_bytes("f") == b"new"


def test_write_through_the_cache_invalidates_the_path_and_ancestors(inner: Store) -> None:
    cached = cache(inner)
    assert cached.exists("a") is False
    cached.write("a/f", b"x")
    assert cached.exists("a") is True and cached.is_file("a/f")


def test_write_with_another_spelling_invalidates(inner: Store) -> None:
    cached = cache(inner)
    assert cached.exists("a/x") is False
    cached.write("./a//x", b"1")
    assert cached.exists("a/x") is True


def test_sibling_children_do_not_collide(inner: Store) -> None:
    inner.write("a/x", b"1")
    cached = cache(inner)
    assert cached.child("a").exists("x") is True
    assert cached.child("b").exists("x") is False
    assert cached.exists("x") is False


def test_child_and_parent_share_entries_for_the_same_file(inner: Store) -> None:
    inner.write("a/x", b"1")
    cached = cache(inner)
    cached.child("a").read_bytes("x")
    cached.read_bytes("a/x")
    assert cached.stats.hits == 1


def test_child_write_invalidates_the_parent_view(inner: Store) -> None:
    cached = cache(inner)
    assert cached.exists("a/x") is False
    cached.child("a").write("x", b"1")
    assert cached.exists("a/x") is True


def test_listings_are_cached_and_invalidated_by_writes(inner: Store) -> None:
    cached = cache(inner)
    assert list(cached.list_files("")) == []
    inner.write("f", b"x")
    assert list(cached.list_files("")) == []
    cached.write("g", b"y")
    assert {i.name for i in cached.list_files("")} == {"f", "g"}


def test_other_listing_families_are_cached(inner: Store) -> None:
    inner.write("d/f", b"x")
    cached = cache(inner)
    for _ in range(2):
        list(cached.list_folders(""))
        list(cached.iter_children("d"))
        cached.get_folder_info("d")
        cached.get_file_info("d/f")
        cached.is_folder("d")
    assert cached.stats.hits == 5


def test_exceptions_are_not_cached(inner: Store) -> None:
    cached = cache(inner)
    with pytest.raises(NotFound):
        cached.read_bytes("f")
    inner.write("f", b"x")
    assert cached.read_bytes("f") == b"x"


def test_large_content_is_not_cached(inner: Store) -> None:
    inner.write("big", b"x" * 100)
    cached = cache(inner, max_content_size=10)
    cached.read_bytes("big")
    cached.read_bytes("big")
    assert cached.stats.hits == 0


def test_long_listings_are_not_cached(inner: Store) -> None:
    for i in range(3):
        inner.write(f"f{i}", b"x")
    cached = cache(inner, max_listing_size=2)
    list(cached.list_files(""))
    list(cached.list_files(""))
    assert cached.stats.hits == 0


def test_delete_folder_move_copy_clear_the_cache(inner: Store) -> None:
    inner.write("d/f", b"x")
    cached = cache(inner)
    cached.exists("d/f")
    cached.copy("d/f", "e/f")
    cached.move("e/f", "e/g")
    cached.delete_folder("d", recursive=True)
    assert cached.exists("d/f") is False and cached.exists("e/g") is True


def test_open_atomic_invalidates_after_commit(inner: Store) -> None:
    cached = cache(inner)
    assert cached.exists("f") is False
    with cached.open_atomic("f") as stream:
        stream.write(b"x")
    assert cached.exists("f") is True


def test_delete_invalidates(inner: Store) -> None:
    inner.write("f", b"x")
    cached = cache(inner)
    assert cached.exists("f")
    cached.delete("f")
    assert cached.exists("f") is False


def test_write_text_and_write_atomic_invalidate(inner: Store) -> None:
    cached = cache(inner)
    assert not cached.exists("t") and not cached.exists("a")
    cached.write_text("t", "x")
    cached.write_atomic("a", b"x")
    assert cached.read_text("t") == "x" and cached.exists("a")


def test_glob_is_passed_through_and_cached_per_pattern(tmp_path: object) -> None:
    from remote_store.backends import LocalBackend

    cached = cache(Store(LocalBackend(str(tmp_path))))
    cached.write("a.txt", b"x")
    assert [i.name for i in cached.glob("*.txt")] == ["a.txt"]
    assert [i.name for i in cached.glob("*.txt")] == ["a.txt"]
    assert cached.stats.hits == 1


def test_clear_cache_empties_it(inner: Store) -> None:
    cached = cache(inner)
    cached.exists("x")
    cached.clear_cache()
    assert cached.stats.size == 0


@pytest.mark.parametrize(
    "kwargs", [{"ttl": 0}, {"max_content_size": 0}, {"max_listing_size": -1}, {"max_entries": 0}]
)
def test_invalid_settings_raise_value_error(inner: Store, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        cache(inner, **kwargs)  # type: ignore[arg-type]


def test_memory_cache_evicts_least_recently_used() -> None:
    mc = MemoryCache(max_entries=2)
    mc.set(("a",), 1, 60)
    mc.set(("b",), 2, 60)
    mc.get(("a",))
    mc.set(("c",), 3, 60)
    with pytest.raises(KeyError):
        mc.get(("b",))
    assert mc.size() == 2


def test_memory_cache_expires_entries() -> None:
    mc = MemoryCache()
    mc.set(("a",), 1, 1e-9)
    with pytest.raises(KeyError):
        mc.get(("a",))


def test_memory_cache_clear_prefix() -> None:
    mc = MemoryCache()
    mc.set(("x", "1"), 1, 60)
    mc.set(("y", "1"), 1, 60)
    mc.clear_prefix("x")
    mc.delete(("nope",))
    assert mc.size() == 1 and isinstance(mc, CacheBackend)


def test_cached_store_is_a_store_and_compares_by_settings(inner: Store) -> None:
    a = cache(inner)
    assert isinstance(a, Store) and isinstance(a, CachedStore)
    assert a != cache(inner) and a == a and a.child("x") == a.child("x/")
    assert "CachedStore(" in repr(a) and isinstance(hash(a), int)


def test_invalid_paths_are_left_to_the_inner_store(inner: Store) -> None:
    from remote_store import InvalidPath

    with pytest.raises(InvalidPath):
        cache(inner).exists("a/../b")
