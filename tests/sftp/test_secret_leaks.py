"""A planted SFTP password, private key and passphrase show up in no repr, error or log.

The key is the server's authorised user key, written as encrypted PEM text with the planted
passphrase, so the successful session really used every slot; the failing session offers a
key the server does not know and a wrong planted password.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import paramiko
import pytest

from remote_store import BackendConfig, PermissionDenied, RetryPolicy, SecretRedactionFilter
from remote_store.backends import SFTPBackend

PASSWORD = "plant-sftp-password-3e4r5t"
PASSPHRASE = "plant-sftp-passphrase-6y7u8i"
OTHER_PASSPHRASE = "plant-other-passphrase-9o0p"
LOGGERS = ("remote_store", "paramiko")
NO_RETRY = RetryPolicy(max_attempts=1)


def _pem(key: paramiko.PKey, passphrase: str) -> str:
    buffer = io.StringIO()
    key.write_private_key(buffer, password=passphrase)
    return buffer.getvalue()


def _body_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


@pytest.fixture
def planted(sshd: Any) -> tuple[list[str], dict[str, Any], dict[str, Any]]:
    """(planted values, good options, failing options) for the shared server."""
    good_pem = _pem(sshd.user_key, PASSPHRASE)
    bad_pem = _pem(paramiko.ECDSAKey.generate(), OTHER_PASSPHRASE)
    values = [PASSWORD, PASSPHRASE, OTHER_PASSPHRASE, *_body_lines(good_pem), *_body_lines(bad_pem)]
    base = sshd.backend_kwargs(base_path=str(sshd.new_folder()), retry=NO_RETRY)
    good = {**base, "pkey": good_pem, "password": PASSWORD, "config": {"passphrase": PASSPHRASE}}
    bad = {
        **base,
        "pkey": bad_pem,
        "password": PASSWORD,
        "config": {"passphrase": OTHER_PASSPHRASE},
        "connect_kwargs": {"allow_agent": False, "look_for_keys": False},
    }
    return values, good, bad


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.addFilter(SecretRedactionFilter())
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    previous = {name: logging.getLogger(name).level for name in LOGGERS}
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield text
    finally:
        root.removeHandler(handler)
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)


def _leaks(values: list[str], text: str) -> list[str]:
    return [value for value in values if value in text]


def test_config_and_backend_repr_show_no_planted_credential(
    planted: tuple[list[str], dict[str, Any], dict[str, Any]],
) -> None:
    values, good, _bad = planted
    options = {k: v for k, v in good.items() if k != "retry"}
    config = BackendConfig(type="sftp", options=options)
    backend = SFTPBackend(**good)
    try:
        text = "\n".join([repr(config), str(config), repr(backend), str(backend)])
    finally:
        backend.close()
    assert _leaks(values, text) == []


def test_a_session_using_every_slot_logs_no_credential(
    planted: tuple[list[str], dict[str, Any], dict[str, Any]], debug_log: io.StringIO
) -> None:
    values, good, _bad = planted
    backend = SFTPBackend(**good)
    try:
        backend.write("a.txt", b"x")
        assert backend.read_bytes("a.txt") == b"x"
    finally:
        backend.close()
    log = debug_log.getvalue()
    assert "paramiko" in log and _leaks(values, log) == []


def test_a_refused_login_shows_no_credential_in_the_error_or_the_log(
    planted: tuple[list[str], dict[str, Any], dict[str, Any]], debug_log: io.StringIO
) -> None:
    values, _good, bad = planted
    backend = SFTPBackend(**bad)
    try:
        with pytest.raises(PermissionDenied) as caught:
            backend.read_bytes("a.txt")
    finally:
        backend.close()
    text = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert _leaks(values, text) == [] and _leaks(values, debug_log.getvalue()) == []
