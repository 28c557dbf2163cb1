"""§2: RemotePath normalisation and API."""

from __future__ import annotations

import os

import pytest

from remote_store import InvalidPath, RemotePath


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a//./b", "a/b"), ("a\\b", "a/b"), ("/a/b/", "a/b"), ("a..b", "a..b"), ("./x", "x")],
)
def test_normalisation(raw: str, expected: str) -> None:
    assert str(RemotePath(raw)) == expected


@pytest.mark.parametrize("raw", ["", "/", ".", "./", "a/../b", "..", "a\0b"])
def test_invalid_paths_raise_invalid_path(raw: str) -> None:
    with pytest.raises(InvalidPath) as caught:
        RemotePath(raw)
    assert (caught.value.path, caught.value.backend) == (raw, None)


def test_name_parent_parts_suffix() -> None:
    p = RemotePath("a/b/c.tar.gz")
    assert (p.name, p.parent, p.parts, p.suffix) == (
        "c.tar.gz",
        RemotePath("a/b"),
        ("a", "b", "c.tar.gz"),
        ".gz",
    )


def test_dotfile_has_no_suffix() -> None:
    assert RemotePath(".bashrc").suffix == ""


def test_single_segment_has_no_parent() -> None:
    assert RemotePath("a").parent is None


def test_join_revalidates() -> None:
    assert RemotePath("a") / "b" == RemotePath("a/b")
    with pytest.raises(InvalidPath):
        RemotePath("a") / ".."


def test_root_singleton() -> None:
    root = RemotePath.ROOT
    assert (str(root), root.name, root.parts, root.parent, root.suffix) == (
        ".",
        ".",
        (".",),
        None,
        "",
    )
    assert root / "a" == RemotePath("a")
    assert RemotePath.from_backend_path("") is root and RemotePath.from_backend_path(".") is root


def test_immutable_and_not_pathlike() -> None:
    p = RemotePath("a")
    with pytest.raises(AttributeError):
        p.x = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        os.fspath(p)  # type: ignore[call-overload]


def test_equality_and_hash_by_normalised_string() -> None:
    assert RemotePath("a//b") == RemotePath("a/b") and hash(RemotePath("a//b")) == hash(
        RemotePath("a/b")
    )
    assert RemotePath("a") != "a"
    assert repr(RemotePath("a/b")) == "RemotePath('a/b')"
