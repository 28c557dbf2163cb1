"""``SFTPUtils`` (0.33's helper namespace) against the real sshd on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import paramiko
import pytest

from remote_store import Store
from remote_store.backends import SFTPBackend, SFTPUtils


@pytest.mark.parametrize(
    ("spelling", "member"),
    [
        ("AUTO_ADD", "AUTO_ADD"),
        ("auto_add", "AUTO_ADD"),
        ("auto", "AUTO_ADD"),
        ("trust_on_first_use", "TRUST_ON_FIRST_USE"),
        ("TOFU", "TRUST_ON_FIRST_USE"),
        ("STRICT", "STRICT"),
    ],
)
def test_host_key_policy_accepts_value_and_name_spellings(spelling: str, member: str) -> None:
    assert SFTPUtils.HostKeyPolicy(spelling) is SFTPUtils.HostKeyPolicy[member]


def test_host_key_policy_still_refuses_an_unknown_spelling() -> None:
    with pytest.raises(ValueError):
        SFTPUtils.HostKeyPolicy("sometimes")


def test_scan_host_keys_returns_the_pinnable_known_hosts_line(sshd: Any) -> None:
    line = SFTPUtils.scan_host_keys("127.0.0.1", sshd.port, timeout=5)

    assert line == sshd.host_key_line


def test_a_scanned_host_key_is_accepted_under_strict(sshd: Any, tmp_path: Path) -> None:
    line = SFTPUtils.scan_host_keys("127.0.0.1", sshd.port, timeout=5)
    options = sshd.backend_kwargs(base_path=str(sshd.new_folder()), known_host_keys=line)

    with Store(SFTPBackend(**options)) as store:
        store.write("f.txt", b"ok")
        assert store.read_bytes("f.txt") == b"ok"


def test_scan_host_algorithms_reports_the_banner_and_kexinit_lists(sshd: Any) -> None:
    info = SFTPUtils.scan_host_algorithms("127.0.0.1", sshd.port, timeout=5)

    assert str(info["banner"]).startswith("SSH-2.0-OpenSSH")
    assert "ecdsa-sha2-nistp256" in info["server_host_key_algorithms"]
    assert info["kex_algorithms"] and info["encryption_algorithms_ctos"]
    assert len(info) == 11


def test_scan_host_algorithms_of_a_closed_port_is_an_os_error() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OSError):
        SFTPUtils.scan_host_algorithms("127.0.0.1", port, timeout=2)


def test_load_private_key_from_text_and_from_file(tmp_path: Path) -> None:
    key = paramiko.ECDSAKey.generate()
    path = tmp_path / "id_ecdsa"
    key.write_private_key_file(str(path))

    from_file = SFTPUtils.load_private_key(str(path), from_file=True)
    from_text = SFTPUtils.load_private_key(path.read_text().replace("\n", " "))

    assert from_file.get_base64() == from_text.get_base64() == key.get_base64()


def test_load_private_key_refuses_text_that_is_not_a_key() -> None:
    with pytest.raises(ValueError, match="pkey"):
        SFTPUtils.load_private_key("not a key")


def test_enable_ssh_rsa_compat_restores_ssh_rsa_everywhere_idempotently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport: Any = paramiko.Transport
    for name in ("_preferred_keys", "_preferred_pubkeys"):
        monkeypatch.setattr(
            transport, name, tuple(n for n in getattr(transport, name) if n != "ssh-rsa")
        )
    monkeypatch.setattr(transport, "_key_info", dict(transport._key_info))
    monkeypatch.setattr(paramiko.RSAKey, "HASHES", dict(paramiko.RSAKey.HASHES))

    SFTPUtils.enable_ssh_rsa_compat()
    SFTPUtils.enable_ssh_rsa_compat()

    assert transport._preferred_keys.count("ssh-rsa") == 1
    assert transport._preferred_pubkeys.count("ssh-rsa") == 1
    assert transport._key_info["ssh-rsa"] is paramiko.RSAKey
    assert "ssh-rsa" in paramiko.RSAKey.HASHES
