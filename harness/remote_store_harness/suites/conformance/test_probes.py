"""R-PROBE: exists / is_file / is_folder answer with a bool and never raise NotFound."""

from __future__ import annotations

import pytest

from remote_store import Store


def test_missing_path_does_not_exist(store: Store) -> None:
    assert store.exists("nope.txt") is False


def test_missing_path_is_neither_file_nor_folder(store: Store) -> None:
    assert (store.is_file("nope"), store.is_folder("nope")) == (False, False)


def test_written_file_exists_and_is_a_file(store: Store) -> None:
    store.write("f.txt", b"x")
    assert (store.exists("f.txt"), store.is_file("f.txt"), store.is_folder("f.txt")) == (
        True,
        True,
        False,
    )


def test_parent_of_a_written_file_is_a_folder(store: Store) -> None:
    store.write("d/f.txt", b"x")
    assert (store.exists("d"), store.is_folder("d"), store.is_file("d")) == (True, True, False)


@pytest.mark.parametrize("probe", ["exists", "is_file", "is_folder"])
def test_path_under_a_file_probes_false(store: Store, probe: str) -> None:
    store.write("f.txt", b"x")
    assert getattr(store, probe)("f.txt/child") is False


def test_probes_accept_equivalent_spellings(store: Store) -> None:
    store.write("d/f.txt", b"x")
    assert store.is_file("./d//f.txt") and store.is_file("/d/f.txt")


def test_probe_results_are_bools(store: Store) -> None:
    store.write("f.txt", b"x")
    assert all(
        type(v) is bool for v in (store.exists("f.txt"), store.is_file("x"), store.is_folder(""))
    )


@pytest.mark.parametrize(
    ("stored", "answer"),
    [(["a-1", "a!x"], False), (["a-1", "a/b"], True), (["a.txt", "a"], True)],
)
def test_siblings_sharing_a_name_prefix_do_not_make_it_exist(
    store: Store, stored: list[str], answer: bool
) -> None:
    # "-", "!" and "." sort before "/": on S3 they are the first keys listed under "a".
    for path in stored:
        store.write(path, b"x")
    assert store.exists("a") is answer
