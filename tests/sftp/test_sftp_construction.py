"""SFTPBackend construction: validation, credential masking, no network before first use."""

from __future__ import annotations

import logging

import paramiko
import pytest

from remote_store import Capability, RetryPolicy, Secret
from remote_store.backends import HostKeyPolicy, SFTPBackend
from remote_store.backends.sftp._hostkeys import parse_host_key_policy

pytestmark = pytest.mark.sftp

UNUSED_PORT = 1  # nothing listens there; construction must not notice


def test_blank_host_is_rejected_naming_the_option() -> None:
    with pytest.raises(ValueError, match="host"):
        SFTPBackend("  ")


@pytest.mark.parametrize("io_timeout", [0, -1.5])
def test_non_positive_io_timeout_is_rejected(io_timeout: float) -> None:
    with pytest.raises(ValueError, match="io_timeout"):
        SFTPBackend("example.invalid", io_timeout=io_timeout)


def test_io_timeout_none_means_unbounded_and_is_accepted() -> None:
    SFTPBackend("example.invalid", io_timeout=None)


def test_non_positive_connect_timeout_is_rejected() -> None:
    with pytest.raises(ValueError, match="timeout"):
        SFTPBackend("example.invalid", timeout=0)


def test_unknown_host_key_policy_is_rejected_naming_the_option() -> None:
    with pytest.raises(ValueError, match="host_key_policy"):
        SFTPBackend("example.invalid", host_key_policy="yolo")


@pytest.mark.parametrize(
    ("spelling", "policy"),
    [
        ("strict", HostKeyPolicy.STRICT),
        ("STRICT", HostKeyPolicy.STRICT),
        ("tofu", HostKeyPolicy.TRUST_ON_FIRST_USE),
        ("trust_on_first_use", HostKeyPolicy.TRUST_ON_FIRST_USE),
        ("auto", HostKeyPolicy.AUTO_ADD),
        ("Auto_Add", HostKeyPolicy.AUTO_ADD),
        (HostKeyPolicy.AUTO_ADD, HostKeyPolicy.AUTO_ADD),
    ],
)
def test_host_key_policy_accepts_value_or_name_in_any_case(
    spelling: str | HostKeyPolicy, policy: HostKeyPolicy
) -> None:
    assert parse_host_key_policy(spelling) is policy


def test_insecure_auto_add_policy_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="remote_store"):
        SFTPBackend("example.invalid", host_key_policy="auto")
    assert any(r.levelno == logging.WARNING and "ANY host key" in r.message for r in caplog.records)


def test_strict_policy_logs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="remote_store"):
        SFTPBackend("example.invalid")
    assert not caplog.records


def test_malformed_pem_key_is_a_value_error_naming_pkey() -> None:
    with pytest.raises(ValueError, match="pkey"):
        SFTPBackend(
            "example.invalid",
            pkey="-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n-----END OPENSSH PRIVATE KEY-----",
        )


def test_text_that_is_not_pem_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="PEM"):
        SFTPBackend("example.invalid", pkey="ssh-ed25519 AAAA")


def test_malformed_pinned_host_key_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="known_host_keys"):
        SFTPBackend("example.invalid", known_host_keys="ssh-ed25519 !!!notbase64")


def test_unknown_config_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="config"):
        SFTPBackend("example.invalid", config={"colour": "blue"})


def test_connect_kwargs_cannot_override_managed_options() -> None:
    with pytest.raises(ValueError, match="password"):
        SFTPBackend("example.invalid", connect_kwargs={"password": "x"})


def test_retry_must_be_a_retry_policy() -> None:
    with pytest.raises(ValueError, match="retry"):
        SFTPBackend("example.invalid", retry={"max_attempts": 2})  # type: ignore[arg-type]


def test_construction_does_no_network_io() -> None:
    backend = SFTPBackend("127.0.0.1", port=UNUSED_PORT, retry=RetryPolicy(max_attempts=1))
    backend.close()  # closing a never-connected backend is fine too


def test_repr_masks_password_and_key() -> None:
    key = paramiko.ECDSAKey.generate()
    backend = SFTPBackend("h.invalid", username="u", password=Secret("hunter2"), pkey=key)
    text = repr(backend)
    assert "hunter2" not in text
    assert "password=***" in text and "pkey=***" in text
    assert "h.invalid" in text


def test_repr_shows_none_for_unset_credentials() -> None:
    text = repr(SFTPBackend("h.invalid"))
    assert "password=None" in text and "pkey=None" in text


def test_pem_key_with_flattened_line_breaks_is_repaired() -> None:
    key = paramiko.ECDSAKey.generate()
    import io

    buffer = io.StringIO()
    key.write_private_key(buffer)
    flattened = buffer.getvalue().replace("\n", "\\n")  # as env vars / CI secrets often carry it
    backend = SFTPBackend("h.invalid", pkey=Secret(flattened))
    assert backend._pkey == key


def test_pem_key_with_spaces_instead_of_newlines_is_repaired() -> None:
    key = paramiko.ECDSAKey.generate()
    import io

    buffer = io.StringIO()
    key.write_private_key(buffer)
    assert SFTPBackend("h.invalid", pkey=buffer.getvalue().replace("\n", " "))._pkey == key


def test_capabilities_are_all_but_glob_atomic_move_and_user_metadata() -> None:
    caps = SFTPBackend("h.invalid").capabilities
    missing = {c for c in Capability if not caps.supports(c)}
    assert missing == {Capability.GLOB, Capability.ATOMIC_MOVE, Capability.USER_METADATA}


def test_name_is_sftp_and_close_is_not_terminal() -> None:
    backend = SFTPBackend("h.invalid")
    assert backend.name == "sftp"
    assert backend.close_is_terminal is False


def test_native_path_and_to_key_round_trip_below_base_path() -> None:
    backend = SFTPBackend("h.invalid", base_path="/srv/data/")
    assert backend.native_path("a/b.txt") == "/srv/data/a/b.txt"
    assert backend.native_path("") == backend.native_path(".") == "/srv/data"
    assert backend.to_key("/srv/data/a/b.txt") == "a/b.txt"
    assert backend.to_key("/srv/data") == ""
    assert backend.to_key("/elsewhere/x") == "/elsewhere/x"
