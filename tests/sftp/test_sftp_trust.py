"""Host-key verification and authentication against the real sshd.

A refused connection must be a clear ``PermissionDenied`` that happens before anything is
written: each test checks the remote folder stayed empty.
"""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
import pytest

from remote_store import PermissionDenied, RetryPolicy, Secret, Store
from remote_store.backends import SFTPBackend

pytestmark = pytest.mark.sftp

NO_RETRY = RetryPolicy(max_attempts=1)


def _backend(server: Any, folder: Path, **overrides: Any) -> SFTPBackend:
    options = server.backend_kwargs(base_path=str(folder), retry=NO_RETRY)
    options.update(overrides)
    return SFTPBackend(**options)


def _other_key_line(server: Any) -> str:
    return (
        f"[127.0.0.1]:{server.port} ecdsa-sha2-nistp256 {paramiko.ECDSAKey.generate().get_base64()}"
    )


def test_pinned_host_key_lets_the_connection_through(sshd: Any) -> None:
    folder = sshd.new_folder()
    with Store(_backend(sshd, folder)) as store:
        store.write("ok.txt", b"1")
    assert (folder / "ok.txt").read_bytes() == b"1"


def test_pinned_key_without_host_field_applies_to_the_configured_host(sshd: Any) -> None:
    folder = sshd.new_folder()
    bare = sshd.host_key_line.split(" ", 1)[1]  # "ecdsa-sha2-nistp256 AAAA..."
    with Store(_backend(sshd, folder, known_host_keys=bare)) as store:
        store.write("ok.txt", b"1")
    assert (folder / "ok.txt").exists()


def test_wrong_pinned_host_key_is_refused_with_a_clear_error_and_nothing_written(
    sshd: Any,
) -> None:
    folder = sshd.new_folder()
    backend = _backend(sshd, folder, known_host_keys=_other_key_line(sshd))
    with pytest.raises(PermissionDenied, match="Host key mismatch") as info:
        backend.write("never.txt", b"secret payload")
    assert "SHA256:" in str(info.value)
    assert list(folder.iterdir()) == []


def test_host_key_mismatch_is_not_retried(sshd: Any, caplog: pytest.LogCaptureFixture) -> None:
    backend = _backend(
        sshd,
        sshd.new_folder(),
        known_host_keys=_other_key_line(sshd),
        retry=RetryPolicy(max_attempts=5, backoff_base=5.0),  # a retry would take seconds
    )
    with caplog.at_level(logging.DEBUG, logger="remote_store"), pytest.raises(PermissionDenied):
        backend.exists("x")
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]


def test_unknown_host_is_refused_under_the_strict_default(sshd: Any, tmp_path: Path) -> None:
    folder = sshd.new_folder()
    backend = _backend(
        sshd, folder, known_host_keys=None, host_keys_path=str(tmp_path / "known_hosts")
    )
    with pytest.raises(PermissionDenied, match="unknown"):
        backend.write("never.txt", b"x")
    assert list(folder.iterdir()) == []


def test_host_keys_path_file_is_used_when_nothing_is_pinned(sshd: Any, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(sshd.host_key_line + "\n")
    backend = _backend(sshd, sshd.new_folder(), known_host_keys=None, host_keys_path=str(known))
    assert backend.exists("") is True
    backend.check_health()
    backend.close()


def test_environment_variable_supplies_pinned_keys(
    sshd: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SFTP_KNOWN_HOST_KEYS", sshd.host_key_line)
    backend = _backend(
        sshd, sshd.new_folder(), known_host_keys=None, host_keys_path=str(tmp_path / "none")
    )
    backend.check_health()
    backend.close()


def test_explicit_pinned_keys_win_over_the_environment(
    sshd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SFTP_KNOWN_HOST_KEYS", _other_key_line(sshd))
    backend = _backend(sshd, sshd.new_folder())  # pins the right key explicitly
    backend.check_health()
    backend.close()


def test_trust_on_first_use_records_the_key_then_strict_accepts_it(
    sshd: Any, tmp_path: Path
) -> None:
    known = tmp_path / "fresh" / "known_hosts"
    tofu = _backend(
        sshd,
        sshd.new_folder(),
        known_host_keys=None,
        host_keys_path=str(known),
        host_key_policy="tofu",
    )
    tofu.check_health()
    tofu.close()
    assert sshd.host_key.get_base64() in known.read_text()
    assert stat.S_IMODE(os.stat(known.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(known).st_mode) == 0o644
    strict = _backend(sshd, sshd.new_folder(), known_host_keys=None, host_keys_path=str(known))
    strict.check_health()
    strict.close()


def test_trust_on_first_use_still_refuses_a_changed_key(sshd: Any, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(_other_key_line(sshd) + "\n")
    backend = _backend(
        sshd,
        sshd.new_folder(),
        known_host_keys=None,
        host_keys_path=str(known),
        host_key_policy="tofu",
    )
    with pytest.raises(PermissionDenied, match="mismatch"):
        backend.check_health()


def test_auto_add_accepts_even_a_mismatching_pinned_key(sshd: Any) -> None:
    backend = _backend(
        sshd, sshd.new_folder(), known_host_keys=_other_key_line(sshd), host_key_policy="auto"
    )
    backend.check_health()
    backend.close()


def test_wrong_user_key_is_permission_denied_and_nothing_written(sshd: Any) -> None:
    folder = sshd.new_folder()
    backend = _backend(sshd, folder, pkey=paramiko.ECDSAKey.generate())
    with pytest.raises(PermissionDenied, match="Authentication"):
        backend.write("never.txt", b"x")
    assert list(folder.iterdir()) == []


def test_wrong_password_is_permission_denied(sshd: Any) -> None:
    backend = _backend(sshd, sshd.new_folder(), pkey=None, password=Secret("not-the-password"))
    with pytest.raises(PermissionDenied, match="Authentication"):
        backend.exists("x")


def test_authentication_failure_is_not_retried(sshd: Any, caplog: pytest.LogCaptureFixture) -> None:
    backend = _backend(
        sshd,
        sshd.new_folder(),
        pkey=paramiko.ECDSAKey.generate(),
        retry=RetryPolicy(max_attempts=4, backoff_base=5.0),
    )
    with caplog.at_level(logging.DEBUG, logger="remote_store"), pytest.raises(PermissionDenied):
        backend.exists("x")
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]


def test_private_key_given_as_pem_text_logs_in(sshd: Any) -> None:
    buffer = io.StringIO()
    sshd.user_key.write_private_key(buffer)
    folder = sshd.new_folder()
    with Store(_backend(sshd, folder, pkey=Secret(buffer.getvalue()))) as store:
        store.write("pem.txt", b"ok")
    assert (folder / "pem.txt").read_bytes() == b"ok"


def test_repr_never_contains_the_private_key_text(make_backend: Callable[..., SFTPBackend]) -> None:
    backend = make_backend()
    assert "PRIVATE" not in repr(backend)
