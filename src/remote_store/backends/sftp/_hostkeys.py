"""Host-key trust for the SFTP backend: which server keys we accept, and from where we learn them.

A server's host key is the only thing that tells a client it talks to the
machine it meant to reach, so the default is strict: an unknown host is
refused and a host whose key differs from the pinned one is refused with a
message naming both fingerprints. Trust-on-first-use and accept-anything are
available, but only when asked for by name (the latter logs a WARNING).

Known keys are taken from the first source that is set, in this order: the
``known_host_keys`` option, ``config["known_host_keys"]``, the environment
variable ``SFTP_KNOWN_HOST_KEYS`` (read once, at construction), and finally
the ``host_keys_path`` file (default: the user's OpenSSH ``known_hosts``).
Inline key text uses ``known_hosts`` lines (``host keytype base64``); a line
with only ``keytype base64`` pins that key for the configured host and port.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import paramiko

__all__ = [
    "ENV_KNOWN_HOST_KEYS",
    "HostKeyPolicy",
    "HostKeyRejected",
    "HostKeyTrust",
    "fingerprint",
    "parse_host_key_policy",
]

log = logging.getLogger("remote_store.backends.sftp")

ENV_KNOWN_HOST_KEYS = "SFTP_KNOWN_HOST_KEYS"
_TOFU_FILE_LOCK = threading.Lock()


class HostKeyPolicy(enum.Enum):
    """What to do with a server whose host key is not among the known keys."""

    STRICT = "strict"
    """Refuse it (default)."""
    TRUST_ON_FIRST_USE = "tofu"
    """Accept it and remember it in the known-hosts file; a changed key is still refused."""
    AUTO_ADD = "auto"
    """Accept any key, known or not, without remembering it. For throw-away test servers only."""

    @classmethod
    def _missing_(cls, value: object) -> HostKeyPolicy | None:
        """``HostKeyPolicy(text)`` also takes the member name in any case (``"auto_add"``).

        The value in any case and surrounding blanks are forgiven too; anything else falls
        through to the enum's ``ValueError``.
        """
        if not isinstance(value, str):
            return None
        text = value.strip()
        for policy in cls:
            if text.lower() == policy.value or text.upper() == policy.name:
                return policy
        return None


def parse_host_key_policy(value: HostKeyPolicy | str) -> HostKeyPolicy:
    """Accept the enum, its value (``"strict"``) or its name in any case (``"auto_add"``)."""
    if isinstance(value, HostKeyPolicy):
        return value
    if isinstance(value, str):
        try:
            return HostKeyPolicy(value)
        except ValueError:
            pass
    choices = ", ".join(repr(p.value) for p in HostKeyPolicy)
    raise ValueError(
        f"host_key_policy must be one of {choices} (or a HostKeyPolicy), got {value!r}"
    )


class HostKeyRejected(paramiko.SSHException):
    """The server's host key was not accepted. Never retried: a retry cannot change the answer."""


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH-style ``SHA256:<base64>`` fingerprint, the form ``ssh-keygen -l`` prints."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def host_key_name(host: str, port: int) -> str:
    """The name OpenSSH (and paramiko) file a host key under: ``host`` or ``[host]:port``."""
    return host if port == 22 else f"[{host}]:{port}"


def parse_known_host_lines(text: str, *, host_name: str) -> paramiko.HostKeys:
    """Parse inline ``known_hosts`` text; raise ``ValueError`` for a line that is not a key."""
    keys = paramiko.HostKeys()
    for lineno, raw in enumerate(text.replace("\\n", "\n").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) == 2 or (len(fields) >= 3 and _looks_like_key_type(fields[0])):
            fields = [host_name, *fields[:2]]
        if len(fields) < 3:
            raise ValueError(
                f"known_host_keys line {lineno} is not 'host keytype base64': {line!r}"
            )
        try:
            entry = paramiko.hostkeys.HostKeyEntry.from_line(" ".join(fields[:3]), lineno)
        except (paramiko.hostkeys.InvalidHostKey, binascii.Error, paramiko.SSHException) as exc:
            raise ValueError(f"known_host_keys line {lineno} holds no valid key: {exc}") from exc
        if entry is None or entry.key is None:
            raise ValueError(f"known_host_keys line {lineno} holds no usable key: {line!r}")
        for name in entry.hostnames:
            keys.add(name, entry.key.get_name(), entry.key)
    return keys


def _looks_like_key_type(field: str) -> bool:
    return field.startswith(("ssh-", "ecdsa-", "sk-", "rsa-"))


def default_known_hosts_path() -> str:
    return str(Path.home() / ".ssh" / "known_hosts")


@dataclass(frozen=True)
class HostKeyTrust:
    """Resolved host-key configuration of one backend (no I/O until ``apply``)."""

    policy: HostKeyPolicy
    inline_keys: str | None
    """Inline known-hosts text (option, ``config`` or environment); wins over the file."""
    known_hosts_path: str
    """File read when there is no inline text, and where trust-on-first-use records new keys."""
    host: str
    port: int

    @property
    def host_name(self) -> str:
        return host_key_name(self.host, self.port)

    def apply(self, client: paramiko.SSHClient) -> None:
        """Load the known keys into ``client`` and install the policy for unknown hosts."""
        if self.policy is not HostKeyPolicy.AUTO_ADD:
            target = client.get_host_keys()
            for name, key in self._known_keys():
                target.add(name, key.get_name(), key)
        client.set_missing_host_key_policy(_UnknownHostPolicy(self))

    def _known_keys(self) -> list[tuple[str, paramiko.PKey]]:
        if self.inline_keys is not None:
            keys = parse_known_host_lines(self.inline_keys, host_name=self.host_name)
        else:
            keys = paramiko.HostKeys()
            if os.path.isfile(self.known_hosts_path):
                keys.load(self.known_hosts_path)
        pairs: list[tuple[str, paramiko.PKey]] = []
        for name in keys:
            pairs.extend((name, key) for key in keys[name].values())
        return pairs

    def remember(self, key: paramiko.PKey) -> None:
        """Append the key to the known-hosts file (dir ``0o700``, file ``0o644`` when created)."""
        path = Path(self.known_hosts_path)
        line = f"{self.host_name} {key.get_name()} {key.get_base64()}\n"
        with _TOFU_FILE_LOCK:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            created = not path.exists()
            with path.open("a", encoding="ascii") as handle:
                handle.write(line)
            if created:
                path.chmod(0o644)


class _UnknownHostPolicy(paramiko.MissingHostKeyPolicy):
    """Called by paramiko only for a host with no known key (a mismatch never gets here)."""

    def __init__(self, trust: HostKeyTrust) -> None:
        self._trust = trust

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        trust = self._trust
        if trust.policy is HostKeyPolicy.STRICT:
            raise HostKeyRejected(
                f"Host key of {hostname} is unknown ({key.get_name()} {fingerprint(key)}); "
                "host_key_policy='strict' refuses unknown hosts. Pin the key with "
                "known_host_keys, add it to the known_hosts file, or choose 'tofu'."
            )
        if trust.policy is HostKeyPolicy.TRUST_ON_FIRST_USE:
            trust.remember(key)
            log.info(
                "Trusting new host key of %s (%s %s) on first use; recorded in %s",
                hostname,
                key.get_name(),
                fingerprint(key),
                trust.known_hosts_path,
            )
        client.get_host_keys().add(hostname, key.get_name(), key)
