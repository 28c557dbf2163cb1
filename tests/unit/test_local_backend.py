"""§11: LocalBackend specifics (containment, no-clobber, error mapping, addressing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from remote_store import (
    AlreadyExists,
    CapabilityNotSupported,
    InvalidPath,
    NotFound,
    Store,
)
from remote_store.backends import LocalBackend


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    return LocalBackend(str(tmp_path / "root"))


def test_root_is_created_and_resolved(tmp_path: Path) -> None:
    backend = LocalBackend(str(tmp_path / "a" / ".." / "b"))
    assert backend.root == (tmp_path / "b").resolve() and backend.root.is_dir()
    assert repr(backend) == f"LocalBackend(root={str(backend.root)!r})"


def test_symlink_escaping_the_root_is_refused(backend: LocalBackend, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"s")
    os.symlink(outside, backend.root / "link")
    with pytest.raises(InvalidPath, match="escapes"):
        backend.read_bytes("link/secret")


def test_broken_symlink_pointing_outside_is_refused(backend: LocalBackend, tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere", backend.root / "dangling")
    with pytest.raises(InvalidPath):
        backend.write("dangling/x", b"x")


def test_symlink_inside_the_root_is_followed(backend: LocalBackend) -> None:
    (backend.root / "real").mkdir()
    (backend.root / "real" / "f").write_bytes(b"x")
    os.symlink(backend.root / "real", backend.root / "alias")
    assert backend.read_bytes("alias/f") == b"x"


def test_symlink_through_dotdot_that_stays_inside_is_followed(backend: LocalBackend) -> None:
    (backend.root / "real").mkdir()
    (backend.root / "real" / "f").write_bytes(b"x")
    (backend.root / "a").mkdir()
    os.symlink("../real", backend.root / "a" / "alias")
    assert backend.read_bytes("a/alias/f") == b"x"


def test_relative_symlink_climbing_above_the_root_is_refused(backend: LocalBackend) -> None:
    outside = backend.root.parent / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"s")
    os.symlink("../outside", backend.root / "up")
    with pytest.raises(InvalidPath, match="escapes"):
        backend.read_bytes("up/secret")


def test_a_symlink_loop_is_an_invalid_path(backend: LocalBackend) -> None:
    os.symlink("loop", backend.root / "loop")
    with pytest.raises(InvalidPath):
        backend.read_bytes("loop/f")


def test_delete_removes_a_symlink_never_its_target(backend: LocalBackend) -> None:
    (backend.root / "real.txt").write_bytes(b"x")
    os.symlink("real.txt", backend.root / "alias.txt")
    backend.delete("alias.txt")
    assert not os.path.lexists(backend.root / "alias.txt")
    assert (backend.root / "real.txt").read_bytes() == b"x"


def test_listing_skips_symlinks_escaping_the_root(backend: LocalBackend, tmp_path: Path) -> None:
    (tmp_path / "out.txt").write_bytes(b"x")
    os.symlink(tmp_path / "out.txt", backend.root / "link.txt")
    (backend.root / "ok.txt").write_bytes(b"y")
    assert [i.name for i in backend.list_files("")] == ["ok.txt"]


def test_dotdot_is_refused(backend: LocalBackend) -> None:
    with pytest.raises(InvalidPath):
        backend.exists("../x")


def test_unencodable_path_is_invalid(backend: LocalBackend) -> None:
    with pytest.raises(InvalidPath):
        backend.exists("bad\udcff\ud800")


def test_overlong_name_maps_to_a_remote_store_error(backend: LocalBackend) -> None:
    with pytest.raises(InvalidPath):
        backend.write("x" * 5000, b"x")


def test_deleted_root_reads_as_absent(backend: LocalBackend) -> None:
    store = Store(backend)
    store.write("f", b"x")
    store.delete_folder("f".rpartition("/")[0] or "x", missing_ok=True)
    os.remove(backend.root / "f")
    os.rmdir(backend.root)
    assert (store.exists("f"), list(store.list_files("", recursive=True))) == (False, [])
    store.delete("f", missing_ok=True)
    with pytest.raises(NotFound):
        store.read_bytes("f")
    assert store.get_folder_info("").file_count == 0
    with pytest.raises(NotFound):
        store.ping()


def test_user_metadata_is_refused_at_backend_level(backend: LocalBackend) -> None:
    with pytest.raises(CapabilityNotSupported):
        backend.write("f", b"x", metadata={"k": "v"})


def test_no_clobber_atomic_promotion_detects_a_racing_writer(backend: LocalBackend) -> None:
    with pytest.raises(AlreadyExists), backend.open_atomic("f") as stream:
        stream.write(b"mine")
        (backend.root / "f").write_bytes(b"theirs")
    assert (backend.root / "f").read_bytes() == b"theirs"
    assert [p.name for p in backend.root.iterdir()] == ["f"]


def test_plain_write_no_clobber_uses_o_excl(
    backend: LocalBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    (backend.root / "f").write_bytes(b"theirs")
    monkeypatch.setattr(backend, "_check_destination", lambda *a: None)
    with pytest.raises(AlreadyExists):
        backend.write("f", b"mine")
    assert (backend.root / "f").read_bytes() == b"theirs"


def test_copy_gets_a_fresh_mtime(backend: LocalBackend) -> None:
    backend.write("src", b"x")
    os.utime(backend.root / "src", (0, 0))
    backend.copy("src", "dst")
    assert backend.get_file_info("dst").modified_at.year > 1970


def test_native_path_and_to_key(backend: LocalBackend) -> None:
    root = backend.root.as_posix()
    assert (backend.native_path(""), backend.native_path("a/b")) == (root, f"{root}/a/b")
    assert (backend.to_key(root), backend.to_key(f"{root}/a/b"), backend.to_key("/else")) == (
        "",
        "a/b",
        "/else",
    )


def test_permission_denied_is_mapped(backend: LocalBackend) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    from remote_store import PermissionDenied

    backend.write("f", b"x")
    os.chmod(backend.root / "f", 0)
    with pytest.raises(PermissionDenied):
        backend.read_bytes("f")


def test_empty_root_argument_is_rejected() -> None:
    with pytest.raises(ValueError):
        LocalBackend("")
