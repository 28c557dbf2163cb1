"""A server that accepts the ``sftp`` subsystem but never sends VERSION cannot hang a call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _sshd import SshServer, require_sshd  # registered by conftest.py (one module object)

from remote_store import BackendUnavailable, RetryPolicy, Store
from remote_store.backends import SFTPBackend

IO_TIMEOUT = 2.0


@pytest.fixture
def silent_sshd(tmp_path: Path) -> Iterator[Any]:
    """Real sshd whose sftp subsystem is a process that reads nothing and says nothing
    (it exits by itself 20 s later, so no straggler outlives the run for long)."""
    server = require_sshd(
        lambda: SshServer.start_new(tmp_path / "sshd", sftp_subsystem="/bin/sleep 20")
    )
    try:
        yield server
    finally:
        server.stop()


def test_ping_against_a_silent_sftp_subsystem_ends_within_io_timeout(silent_sshd: Any) -> None:
    options = silent_sshd.backend_kwargs(
        base_path=str(silent_sshd.new_folder()),
        retry=RetryPolicy.disabled(),
        io_timeout=IO_TIMEOUT,
    )
    started = time.monotonic()
    with Store(SFTPBackend(**options)) as store, pytest.raises(BackendUnavailable):
        store.ping()
    assert time.monotonic() - started < IO_TIMEOUT + 3.0
