"""A private certificate authority for the harness, built on trustme.

Every TLS endpoint the harness serves (the gateway, a TLS-serving moto) presents a leaf issued by a
:class:`HarnessCA`. Clients trust it only if they are told to (a CA file path or an SSL context), so
a test can prove which trust source a client actually used. Additional, unrelated CAs are created
the same way for negative tests ("the wrong CA").

``trustme`` (and through it ``cryptography``) is imported lazily so that importing the harness
package stays cheap.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import trustme

__all__ = ["DEFAULT_SERVER_NAMES", "HarnessCA", "ServerCert"]

#: Names every default server certificate is valid for: loopback in all spellings plus the
#: synthetic ``s3.test`` domain that only the harness forward proxy resolves.
DEFAULT_SERVER_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1", "s3.test", "*.s3.test")


@dataclass(frozen=True)
class ServerCert:
    """A leaf certificate (with its chain) and private key, as PEM bytes.

    ``chain_pem`` is the leaf followed by any intermediates; the root CA is never included, so a
    client must be given the CA explicitly.
    """

    names: tuple[str, ...]
    chain_pem: bytes = field(repr=False)
    private_key_pem: bytes = field(repr=False)

    def write(self, directory: str | Path, stem: str = "server") -> tuple[Path, Path]:
        """Write ``<stem>.pem`` (chain) and ``<stem>.key`` into *directory*; return both paths.

        The key file is created with mode 0600. The directory is created if needed.
        """
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        cert_path = target / f"{stem}.pem"
        key_path = target / f"{stem}.key"
        cert_path.write_bytes(self.chain_pem)
        key_path.touch(mode=0o600, exist_ok=True)
        key_path.chmod(0o600)
        key_path.write_bytes(self.private_key_pem)
        return cert_path, key_path

    def server_ssl_context(self) -> ssl.SSLContext:
        """A fresh server-side context presenting this certificate (TLS 1.2 or newer)."""
        import tempfile

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # load_cert_chain only reads files; keep them only for the duration of the call.
        with tempfile.TemporaryDirectory(prefix="harness-cert-") as tmp:
            cert_path, key_path = self.write(tmp)
            context.load_cert_chain(cert_path, key_path)
        return context


class HarnessCA:
    """A throw-away root CA. Create with :meth:`create`; it lives only in memory until written."""

    def __init__(self, ca: trustme.CA, common_name: str) -> None:
        self._ca = ca
        self.common_name = common_name

    @classmethod
    def create(cls, common_name: str = "remote-store-harness test CA") -> HarnessCA:
        """Generate a new root CA. Two calls give two CAs that do not trust each other."""
        import trustme

        return cls(trustme.CA(organization_name=common_name), common_name)

    def __repr__(self) -> str:
        return f"HarnessCA(common_name={self.common_name!r})"

    @property
    def ca_pem(self) -> bytes:
        """The root certificate in PEM form (what a client's CA bundle must contain)."""
        return self._ca.cert_pem.bytes()

    def write_ca(self, path: str | Path) -> Path:
        """Write the root certificate to *path* (parents created) and return the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.ca_pem)
        return target

    def issue_server_cert(self, *names: str) -> ServerCert:
        """Issue a leaf for *names* (host names, wildcards, IP literals); defaults to
        :data:`DEFAULT_SERVER_NAMES`."""
        identities = names or DEFAULT_SERVER_NAMES
        leaf = self._ca.issue_cert(*identities)
        chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
        return ServerCert(
            names=tuple(identities),
            chain_pem=chain,
            private_key_pem=leaf.private_key_pem.bytes(),
        )

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA and nothing else (hostname checking on)."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=self.ca_pem.decode())
        return context
