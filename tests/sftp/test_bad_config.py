"""SFTP configuration mistakes are refused at construction, naming the option, before connecting.

The host is a loopback port nobody listens on: a construction that tried to connect
would fail differently (``BackendUnavailable``), never with the ``ValueError`` asserted.
"""

from __future__ import annotations

from typing import Any

import pytest

from remote_store.backends import SFTPBackend

DEAD = {"host": "127.0.0.1", "port": 9, "host_key_policy": "auto"}

BAD_CONFIGS: list[tuple[str, dict[str, Any], str]] = [
    ("host-empty", {"host": " "}, "host"),
    ("port-zero", {"port": 0}, "port"),
    ("port-str", {"port": "22"}, "port"),
    ("timeout-negative", {"timeout": -1}, "timeout"),
    ("io-timeout-zero", {"io_timeout": 0}, "io_timeout"),
    ("username-int", {"username": 5}, "username"),
    ("password-int", {"password": 5}, "password"),
    ("pkey-garbage", {"pkey": "not a key"}, "pkey"),
    ("pkey-int", {"pkey": 5}, "pkey"),
    ("config-unknown", {"config": {"passphrse": "x"}}, r"config.*passphrase"),
    ("config-passphrase-int", {"config": {"passphrase": 5}}, "passphrase"),
    ("config-not-dict", {"config": ["x"]}, "config"),
    ("policy-unknown", {"host_key_policy": "trust-me"}, "host_key_policy"),
    ("known-host-keys-garbage", {"known_host_keys": "ssh-ed25519 !!!"}, "known_host_keys"),
    ("known-host-keys-int", {"known_host_keys": 5}, "known_host_keys"),
    ("host-keys-path-int", {"host_keys_path": 5}, "host_keys_path"),
    ("base-path-empty", {"base_path": ""}, "base_path"),
    ("connect-kwargs-unknown", {"connect_kwargs": {"agent": False}}, r"agent.*allow_agent"),
    ("connect-kwargs-managed", {"connect_kwargs": {"password": "x"}}, r"must not set.*password"),
    ("connect-kwargs-bool", {"connect_kwargs": {"allow_agent": "no"}}, r"allow_agent.*bool"),
    ("connect-kwargs-key-filename", {"connect_kwargs": {"key_filename": 5}}, "key_filename"),
    ("connect-kwargs-not-dict", {"connect_kwargs": [1]}, "connect_kwargs"),
    ("retry-int", {"retry": 3}, "retry"),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in BAD_CONFIGS]
)
def test_a_bad_sftp_configuration_is_refused_at_construction(
    overrides: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        SFTPBackend(**{**DEAD, **overrides})
