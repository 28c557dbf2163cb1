"""Conformance plug-in: SFTPBackend against a real OpenSSH sshd on 127.0.0.1.

``sftp``: a new backend per test whose ``base_path`` is a fresh remote folder (so the backend
root itself is exercised). ``sftp-rooted``: one backend shared by the session (connections are
reused across tests), each test's store rooted at ``nested/<uuid>`` below its own folder.

The server is the process-wide one from ``tests/sftp/_sshd.py`` (shared with ``tests/sftp``).
Without sshd every test skips with the reason, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from remote_store import RetryPolicy, Store

BACKEND_IDS = ("sftp", "sftp-rooted")
MARKS = (pytest.mark.sftp,)
#: ``sftp-rooted`` is the same sshd below a store root: bulk cases run on ``sftp`` only.
TRAITS = {"sftp-rooted": frozenset({"variant"})}
NOTE = "SFTPBackend (paramiko) against OpenSSH sshd on loopback, key auth, pinned host key"

_SSHD_FILE = Path(__file__).resolve().parents[2] / "sftp" / "_sshd.py"
_shared_backend: dict[int, Any] = {}


def _load_sshd() -> ModuleType:
    module = sys.modules.get("_sshd")
    if module is None:
        spec = importlib.util.spec_from_file_location("_sshd", _SSHD_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["_sshd"] = module
        spec.loader.exec_module(module)
    return module


def _session_backend(request: pytest.FixtureRequest, server: Any) -> Any:
    from remote_store.backends import SFTPBackend

    backend = _shared_backend.get(server.port)
    if backend is None:
        options = server.backend_kwargs(base_path=str(server.new_folder()), retry=RetryPolicy(1))
        backend = _shared_backend[server.port] = SFTPBackend(**options)
        request.config.add_cleanup(backend.close)
        request.config.add_cleanup(lambda: _shared_backend.pop(server.port, None))
    return backend


def make_store(request: pytest.FixtureRequest, backend_id: str) -> Iterator[Store]:
    pytest.importorskip("paramiko")
    from remote_store.backends import SFTPBackend

    sshd = _load_sshd()
    server = sshd.require_sshd()
    if backend_id == "sftp-rooted":
        store = Store(_session_backend(request, server), f"nested/{uuid.uuid4().hex[:12]}")
        yield store  # not closed: the backend is shared (close() would only drop connections)
        return
    folder = server.new_folder()
    options = server.backend_kwargs(base_path=str(folder), retry=RetryPolicy(max_attempts=1))
    with Store(SFTPBackend(**options)) as store:
        yield store
