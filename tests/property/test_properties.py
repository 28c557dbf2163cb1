"""Property tests: path normalisation, LocalBackend containment, and error typing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remote_store import InvalidPath, RemotePath, RemoteStoreError, Store
from remote_store.backends import LocalBackend, MemoryBackend

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

segment = st.sampled_from(["a", "b", ".", "..", "", "x y", "é", "\\", "c.txt", "...", "link"])
path_like = st.lists(segment, max_size=6).map("/".join) | st.text(max_size=30)


@FAST
@given(path_like)
def test_normalisation_is_idempotent_and_never_yields_dotdot(raw: str) -> None:
    try:
        path = RemotePath(raw)
    except InvalidPath:
        return
    text = str(path)
    assert RemotePath(text) == path and str(RemotePath(text)) == text
    assert ".." not in path.parts and "" not in path.parts and "." not in path.parts
    assert not text.startswith("/") and "\\" not in text


@FAST
@given(
    st.lists(st.tuples(path_like, st.sampled_from(["write", "read", "list", "mkdir"])), max_size=8)
)
def test_no_generated_path_escapes_a_local_root(operations: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        outside = base / "outside"
        outside.mkdir()
        (outside / "c.txt").write_bytes(b"secret")
        root = base / "root"
        backend = LocalBackend(str(root))
        os.symlink(outside, root / "link")
        os.symlink(base / "missing", root / "dangling")
        store = Store(backend)
        before = sorted(p.name for p in outside.iterdir())
        for raw, op in operations:
            try:
                if op == "write":
                    store.write(raw, b"x", overwrite=True)
                elif op == "read":
                    assert store.read_bytes(raw) != b"secret"
                elif op == "list":
                    for info in store.list_files(raw, recursive=True):
                        assert store.native_path(str(info.path)).startswith(str(backend.root))
                else:
                    store.write(f"{raw}/child", b"y", overwrite=True)
            except RemoteStoreError:
                pass
        assert sorted(p.name for p in outside.iterdir()) == before
        assert (outside / "c.txt").read_bytes() == b"secret"
        assert not (base / "missing").exists()


STORE_CALLS = [
    lambda s, p: s.exists(p),
    lambda s, p: s.is_file(p),
    lambda s, p: s.is_folder(p),
    lambda s, p: s.read_bytes(p),
    lambda s, p: s.read(p).close(),
    lambda s, p: s.read_seekable(p).close(),
    lambda s, p: s.write(p, b"x"),
    lambda s, p: s.write_atomic(p, b"x", overwrite=True),
    lambda s, p: s.delete(p, missing_ok=True),
    lambda s, p: s.delete_folder(p, recursive=True, missing_ok=True),
    lambda s, p: list(s.list_files(p, recursive=True)),
    lambda s, p: list(s.list_folders(p, max_depth=1)),
    lambda s, p: list(s.iter_children(p)),
    lambda s, p: s.get_file_info(p),
    lambda s, p: s.get_folder_info(p),
    lambda s, p: s.get_folder_info(p, max_depth=1),
    lambda s, p: s.head(p),
    lambda s, p: s.move(p, "dst"),
    lambda s, p: s.copy("src", p),
    lambda s, p: s.child(p),
    lambda s, p: s.native_path(p),
]


def _exercise(store: Store, raw: str) -> None:
    store.write("src", b"s", overwrite=True)
    for call in STORE_CALLS:
        with contextlib.suppress(RemoteStoreError):
            call(store, raw)


@FAST
@given(st.text(max_size=40) | path_like)
def test_memory_store_raises_only_remote_store_errors(raw: str) -> None:
    _exercise(Store(MemoryBackend()), raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40) | path_like | st.text(min_size=300, max_size=400))
def test_local_store_raises_only_remote_store_errors(raw: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _exercise(Store(LocalBackend(tmp)), raw)
