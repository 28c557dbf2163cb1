"""Fixtures of the SFTP tests: a real OpenSSH sshd on loopback and backends logged in to it.

Without sshd these tests skip with the reason, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("paramiko")

from remote_store import RetryPolicy
from remote_store.backends import SFTPBackend


def _load_sshd() -> ModuleType:
    """One module object named ``_sshd`` shared with the conformance plug-in (one server)."""
    module = sys.modules.get("_sshd")
    if module is None:
        spec = importlib.util.spec_from_file_location("_sshd", Path(__file__).with_name("_sshd.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["_sshd"] = module
        spec.loader.exec_module(module)
    return module


sshd_module = _load_sshd()

NO_RETRY = RetryPolicy(max_attempts=1)


@pytest.fixture(scope="session")
def sshd() -> Any:
    """The shared sshd (session-wide). Do not kill or restart it: use ``private_sshd``."""
    return sshd_module.require_sshd()


@pytest.fixture
def private_sshd(tmp_path: Path) -> Iterator[Any]:
    """A server of this test's own, free to be killed or restarted."""
    server = sshd_module.require_sshd(lambda: sshd_module.SshServer.start_new(tmp_path / "sshd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_backend(sshd: Any) -> Iterator[Callable[..., SFTPBackend]]:
    """``make_backend(server=None, **options)``: a backend in a fresh folder, closed after."""
    made: list[SFTPBackend] = []

    def factory(server: Any = None, **overrides: Any) -> SFTPBackend:
        server = server or sshd
        options = server.backend_kwargs(base_path=str(server.new_folder()), retry=NO_RETRY)
        options.update(overrides)
        backend = SFTPBackend(**options)
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.close()


@pytest.fixture
def backend(make_backend: Callable[..., SFTPBackend]) -> SFTPBackend:
    return make_backend()
