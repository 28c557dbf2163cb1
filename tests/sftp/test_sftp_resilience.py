"""Connection loss, stalls, reconnects and the one-connection-per-thread posture.

Each test that breaks a server uses its own (``private_sshd``), never the shared one.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import paramiko
import pytest

from remote_store import BackendUnavailable, RetryPolicy, Store
from remote_store.backends import SFTPBackend
from remote_store.backends.sftp._streams import READ_AHEAD

pytestmark = pytest.mark.sftp


def test_server_killed_mid_read_raises_backend_unavailable_then_next_call_reconnects(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(private_sshd)
    payload = os.urandom(3 * READ_AHEAD)  # more than the stream buffers ahead
    backend.write("big.bin", payload)
    stream = backend.read("big.bin")
    assert stream.read(1024) == payload[:1024]
    assert private_sshd.kill_sessions() > 0
    with pytest.raises(BackendUnavailable) as info:
        while stream.read(256 * 1024):
            pass
    assert info.value.backend == "sftp"
    stream.close()
    assert backend.read_bytes("big.bin") == payload  # a new connection, transparently


def test_server_killed_mid_atomic_upload_leaves_the_target_untouched(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(private_sshd)
    backend.write("doc.txt", b"original")
    with pytest.raises(BackendUnavailable), backend.open_atomic("doc.txt", overwrite=True) as out:
        out.write(b"x" * 65536)
        private_sshd.kill_sessions()
        for _ in range(200):  # keep writing until the dead connection is noticed
            out.write(b"y" * 65536)
    assert backend.read_bytes("doc.txt") == b"original"


def test_dropped_connection_between_operations_is_replaced(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(private_sshd)
    backend.write("a.txt", b"1")
    private_sshd.kill_sessions()
    deadline = time.monotonic() + 5
    outcome: list[str] = []
    while time.monotonic() < deadline:  # first call may see the death, or find it already noticed
        try:
            outcome.append(backend.read_bytes("a.txt").decode())
            break
        except BackendUnavailable:
            outcome.append("unavailable")
    assert outcome[-1] == "1"
    assert outcome.count("unavailable") <= 1


def test_stopped_server_is_backend_unavailable_and_restart_recovers(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(private_sshd)
    backend.write("a.txt", b"1")
    private_sshd.stop()
    with pytest.raises(BackendUnavailable):
        backend.read_bytes("a.txt")
    with pytest.raises(BackendUnavailable, match="Cannot connect"):
        backend.read_bytes("a.txt")  # no server at all: the connect itself fails
    private_sshd.start()
    assert backend.read_bytes("a.txt") == b"1"


def test_stalled_server_hits_io_timeout_as_backend_unavailable(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(private_sshd, io_timeout=0.5)
    backend.write("a.txt", b"1")
    stopped = private_sshd.session_pids()
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(BackendUnavailable):
            backend.read_bytes("a.txt")
        assert time.monotonic() - started < 10
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    assert backend.read_bytes("a.txt") == b"1"


def test_stall_message_names_the_configured_io_timeout_in_033_words(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(private_sshd, io_timeout=0.5)
    backend.write("a.txt", b"1")
    stopped = private_sshd.session_pids()
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(
            BackendUnavailable, match=r"SFTP channel stalled: no data within io_timeout=0\.5s"
        ) as caught:
            backend.read_bytes("a.txt")
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    assert "SFTP connection failed while trying to read" in str(caught.value)


def test_connect_is_retried_per_policy_then_reported(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend], caplog: pytest.LogCaptureFixture
) -> None:
    backend = make_backend(
        private_sshd,
        retry=RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02, jitter=0),
    )
    private_sshd.stop()
    with caplog.at_level(logging.DEBUG, logger="remote_store"), pytest.raises(BackendUnavailable):
        backend.exists("x")
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2  # 3 attempts in total, the first included


def test_retry_timeout_caps_the_total_time(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(
        private_sshd,
        retry=RetryPolicy(
            max_attempts=50, backoff_base=0.2, backoff_max=0.2, jitter=0, timeout=0.5
        ),
    )
    private_sshd.stop()
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        backend.exists("x")
    assert time.monotonic() - started < 5


def test_connect_succeeds_when_the_server_comes_back_during_retries(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    backend = make_backend(
        private_sshd,
        retry=RetryPolicy(max_attempts=20, backoff_base=0.1, backoff_max=0.2, jitter=0),
    )
    private_sshd.stop()
    restarter = threading.Timer(0.4, private_sshd.start)
    restarter.start()
    try:
        assert backend.exists("") is True
        backend.check_health()
    finally:
        restarter.join()


def test_each_thread_gets_its_own_connection(make_backend: Callable[..., SFTPBackend]) -> None:
    backend = make_backend()
    clients: list[paramiko.SSHClient] = []

    def grab() -> None:
        backend.exists("x")
        clients.append(backend.unwrap(paramiko.SSHClient))

    threads = [threading.Thread(target=grab) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grab()
    assert len({id(c) for c in clients}) == 4


def test_threads_share_one_backend_without_interfering(
    make_backend: Callable[..., SFTPBackend],
) -> None:
    backend = make_backend()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                backend.write(f"t{n}/f{i}.txt", f"{n}-{i}".encode() * 1000)
                assert backend.read_bytes(f"t{n}/f{i}.txt") == f"{n}-{i}".encode() * 1000
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(list(backend.list_files("", recursive=True))) == 60


def test_close_is_idempotent_and_not_terminal(make_backend: Callable[..., SFTPBackend]) -> None:
    backend = make_backend()
    with Store(backend) as store:
        store.write("a.txt", b"1")
    backend.close()
    backend.close()
    assert backend.read_bytes("a.txt") == b"1"


def test_unwrap_gives_the_live_sftp_client(make_backend: Callable[..., SFTPBackend]) -> None:
    backend = make_backend()
    backend.write("a.txt", b"1")
    client = backend.unwrap(paramiko.SFTPClient)
    assert isinstance(client, paramiko.SFTPClient)
    assert client.stat(backend.native_path("a.txt")).st_size == 1


class _Endless:
    """A content stream that never ends: the upload is still running whenever the stall hits."""

    def read(self, size: int = -1) -> bytes:
        return b"x" * (1024 * 1024)


STALLED_UPLOADS: dict[str, Callable[[SFTPBackend], object]] = {
    "write": lambda b: b.write("out.bin", _Endless()),  # type: ignore[arg-type]
    "copy": lambda b: b.copy("big.bin", "copy.bin"),
}


@pytest.mark.parametrize("upload", STALLED_UPLOADS.values(), ids=STALLED_UPLOADS.keys())
def test_a_stall_mid_upload_costs_one_io_timeout(
    private_sshd: Any,
    make_backend: Callable[..., SFTPBackend],
    upload: Callable[[SFTPBackend], object],
) -> None:
    """Measured before the fix: 3 io_timeouts (the failed write, then CLOSE and REMOVE of the
    partial file, each waiting again on the stalled session); after: 1.0."""
    io_timeout = 1.0
    backend = make_backend(private_sshd, io_timeout=io_timeout)
    folder = backend.native_path("")
    with open(os.path.join(folder, "big.bin"), "wb") as source:
        source.truncate(2 * 1024**3)  # sparse: the server reads it fast, the copy takes long
    backend.exists("big.bin")  # connected, so the session process below is ours
    stopped: list[float] = []

    def stall_once_bytes_arrive() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            names = [n for n in os.listdir(folder) if n != "big.bin"]
            if any(os.path.getsize(os.path.join(folder, n)) > 4 * 1024**2 for n in names):
                for pid in private_sshd.session_pids():
                    os.kill(pid, signal.SIGSTOP)
                stopped.append(time.monotonic())
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=stall_once_bytes_arrive)
    watcher.start()
    try:
        with pytest.raises(BackendUnavailable, match="stalled"):
            upload(backend)
        ended = time.monotonic()
    finally:
        watcher.join()
        for pid in private_sshd.session_pids():
            os.kill(pid, signal.SIGCONT)
    assert stopped, "the upload never got going"
    assert ended - stopped[0] < 1.5 * io_timeout


def test_a_stall_mid_read_bytes_costs_one_io_timeout(
    private_sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    """Measured before the fix: 2 io_timeouts (the read, then CLOSE of the handle); after: 1.0."""
    io_timeout = 1.0
    backend = make_backend(private_sshd, io_timeout=io_timeout)
    with open(os.path.join(backend.native_path(""), "big.bin"), "wb") as source:
        source.truncate(8 * 1024**3)  # sparse, and far more than loopback SSH moves in 0.3 s
    backend.exists("big.bin")
    pids = private_sshd.session_pids()
    stopped: list[float] = []

    def stall() -> None:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        stopped.append(time.monotonic())

    timer = threading.Timer(0.3, stall)
    timer.start()
    try:
        with pytest.raises(BackendUnavailable, match="stalled"):
            backend.read_bytes("big.bin")
        ended = time.monotonic()
    finally:
        timer.join()
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert ended - stopped[0] < 1.5 * io_timeout
