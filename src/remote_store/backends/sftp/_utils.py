"""``SFTPUtils``: setup and diagnosis helpers for SFTP, under the name remote-store 0.33 used.

0.33's troubleshooting guide has users write ``from remote_store.backends import SFTPUtils``, so
the name and its members exist here with the same signatures: ``HostKeyPolicy``,
``load_private_key``, ``scan_host_keys``, ``scan_host_algorithms``, ``enable_ssh_rsa_compat``.
None of them touches a backend; they help fill in the backend's options (a pinned host key, a
parsed private key) and explain a failed handshake.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path
from typing import Any

import paramiko
from cryptography.hazmat.primitives import hashes

from ._auth import load_private_key as _load_key
from ._hostkeys import HostKeyPolicy, host_key_name

__all__ = ["SFTPUtils"]

_CLIENT_BANNER = b"SSH-2.0-remote_store_scan\r\n"
_MSG_KEXINIT = 20
_MAX_PACKET = 256 * 1024
_NAME_LISTS = (
    "kex_algorithms",
    "server_host_key_algorithms",
    "encryption_algorithms_ctos",
    "encryption_algorithms_stoc",
    "mac_algorithms_ctos",
    "mac_algorithms_stoc",
    "compression_algorithms_ctos",
    "compression_algorithms_stoc",
    "languages_ctos",
    "languages_stoc",
)


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("server closed the connection during the SSH handshake")
        data += chunk
    return bytes(data)


def _read_banner(sock: socket.socket) -> str:
    """The server's identification line; RFC 4253 allows other lines before it."""
    for _ in range(64):
        line = bytearray()
        while not line.endswith(b"\n"):
            line += _read_exact(sock, 1)
            if len(line) > 1024:
                raise ConnectionError("SSH identification line longer than 1024 bytes")
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if text.startswith("SSH-"):
            return text
    raise ConnectionError("no SSH identification line from the server")


def _parse_kexinit(payload: bytes) -> dict[str, list[str]]:
    if not payload or payload[0] != _MSG_KEXINIT:
        raise ConnectionError("the server's first SSH packet is not KEXINIT")
    offset = 1 + 16  # message number, cookie
    lists: dict[str, list[str]] = {}
    for name in _NAME_LISTS:
        if offset + 4 > len(payload):
            raise ConnectionError("truncated KEXINIT packet")
        (length,) = struct.unpack(">I", payload[offset : offset + 4])
        offset += 4
        text = payload[offset : offset + length].decode("ascii", "replace")
        offset += length
        lists[name] = text.split(",") if text else []
    return lists


class SFTPUtils:
    """Helpers for configuring ``SFTPBackend`` (0.33's name and signatures)."""

    HostKeyPolicy = HostKeyPolicy

    @staticmethod
    def load_private_key(
        source: str, *, from_file: bool = False, passphrase: str | None = None
    ) -> paramiko.PKey:
        """A private key from PEM text, or from a file when ``from_file=True`` (``~`` expanded).

        Ed25519, ECDSA and RSA keys are accepted; PEM text whose line breaks were flattened
        (environment variables, CI secrets) is repaired first. Malformed or unsupported text is a
        ``ValueError``; a missing file is ``FileNotFoundError``.
        """
        text = Path(source).expanduser().read_text(encoding="utf-8") if from_file else source
        key = _load_key(text, passphrase=passphrase)
        assert key is not None  # a str never loads as "no key"
        return key

    @staticmethod
    def scan_host_keys(host: str, port: int = 22, *, timeout: float = 10.0) -> str:
        """The server's host key as one ``known_hosts`` line, learned by key exchange only.

        No authentication is attempted. The line is ``"<host> <type> <base64>"`` with the host
        written ``[host]:port`` when the port is not 22, ready for ``known_host_keys=`` or a
        ``host_keys_path`` file. It holds the one key type negotiated for this handshake.
        Handshake failures are ``paramiko.SSHException``; network failures ``OSError``.
        """
        sock = socket.create_connection((host, port), timeout=timeout)
        transport = paramiko.Transport(sock)
        try:
            transport.banner_timeout = timeout
            transport.start_client(timeout=timeout)
            key = transport.get_remote_server_key()
            return f"{host_key_name(host, port)} {key.get_name()} {key.get_base64()}"
        finally:
            transport.close()
            sock.close()

    @staticmethod
    def scan_host_algorithms(
        host: str, port: int = 22, *, timeout: float = 10.0
    ) -> dict[str, list[str] | str]:
        """What the server offers: its banner and the ten KEXINIT name-lists (RFC 4253 §7.1).

        Read from a plain socket (no paramiko negotiation, so local paramiko settings cannot
        colour the answer): useful when a connect fails with "incompatible peer", to see which
        list (host key, key exchange, cipher, MAC) the server narrowed. Keys: ``banner``,
        ``kex_algorithms``, ``server_host_key_algorithms``, ``encryption_algorithms_ctos`` /
        ``_stoc``, ``mac_algorithms_ctos`` / ``_stoc``, ``compression_algorithms_ctos`` /
        ``_stoc``, ``languages_ctos`` / ``_stoc``. Any failure is an ``OSError``.
        """
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(_CLIENT_BANNER)
            banner = _read_banner(sock)
            packet_length, padding = struct.unpack(">IB", _read_exact(sock, 5))
            if not 1 + padding <= packet_length <= _MAX_PACKET:
                raise ConnectionError(f"implausible SSH packet length {packet_length}")
            body = _read_exact(sock, packet_length - 1)
            payload = body[: len(body) - padding]
        result: dict[str, list[str] | str] = {"banner": banner}
        result.update(_parse_kexinit(payload))
        return result

    @staticmethod
    def enable_ssh_rsa_compat() -> None:
        """Let paramiko accept ``ssh-rsa`` (RSA with SHA-1) again, process-wide.

        paramiko 5 dropped ``ssh-rsa`` from its host-key negotiation, host-key parsing,
        signature hashes and public-key authentication; a legacy server that offers only
        ``ssh-rsa`` then fails with "no acceptable host key". This restores the algorithm at all
        four places, idempotently. SHA-1 signatures are weak: call it only for servers that
        cannot be upgraded. Key-exchange, cipher or MAC mismatches are not about this; widen
        those with ``connect_kwargs={"disabled_algorithms": ...}``.
        """
        transport: Any = paramiko.Transport  # the attributes are private, hence untyped
        for preference in ("_preferred_keys", "_preferred_pubkeys"):
            names = getattr(transport, preference)
            if "ssh-rsa" not in names:
                setattr(transport, preference, (*names, "ssh-rsa"))
        transport._key_info.setdefault("ssh-rsa", paramiko.RSAKey)
        paramiko.RSAKey.HASHES.setdefault("ssh-rsa", hashes.SHA1)
