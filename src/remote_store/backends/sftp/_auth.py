"""Private keys for SFTP authentication, parsed once at construction (no network).

Keys frequently travel through environment variables and CI secret stores
that flatten line breaks (``\\n`` as two characters, or spaces instead of
newlines). A PEM text is therefore rebuilt from its BEGIN/END armour and
base64 body before parsing; anything that still does not parse is a
``ValueError`` naming the ``pkey`` option, raised before any connection.
"""

from __future__ import annotations

import io
import re

import paramiko

from ..._secret import Secret

__all__ = ["load_private_key", "normalise_pem"]

_ARMOUR = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]+)-----(?P<body>.*?)-----END (?P=label)-----", re.DOTALL
)
_KEY_CLASSES: tuple[type[paramiko.PKey], ...] = (
    paramiko.Ed25519Key,
    paramiko.ECDSAKey,
    paramiko.RSAKey,
)


def normalise_pem(text: str) -> str:
    """Rebuild a PEM block whose line breaks were mangled; raise ``ValueError`` if there is none."""
    text = text.replace("\\r", "").replace("\\n", "\n").replace("\r", "")
    match = _ARMOUR.search(text)
    if match is None:
        raise ValueError("pkey is not a PEM private key (no '-----BEGIN ... -----' block)")
    label = match.group("label")
    tokens = match.group("body").split()
    headers: list[str] = []
    body_tokens: list[str] = []
    # Legacy encrypted PEM carries "Proc-Type: 4,ENCRYPTED" / "DEK-Info: ..." headers.
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.endswith(":") and index + 1 < len(tokens):
            headers.append(f"{token} {tokens[index + 1]}")
            index += 2
            continue
        body_tokens.append(token)
        index += 1
    body = "".join(body_tokens)
    lines = [f"-----BEGIN {label}-----", *headers]
    if headers:
        lines.append("")
    lines.extend(body[i : i + 64] for i in range(0, len(body), 64))
    lines.append(f"-----END {label}-----")
    return "\n".join(lines) + "\n"


def load_private_key(
    pkey: paramiko.PKey | str | Secret | None, *, passphrase: str | None = None
) -> paramiko.PKey | None:
    """A paramiko key from a key object or PEM text (plain or ``Secret``)."""
    if pkey is None or isinstance(pkey, paramiko.PKey):
        return pkey
    if isinstance(pkey, Secret):
        pkey = pkey.reveal()
    if not isinstance(pkey, str):
        raise ValueError(
            f"pkey must be a paramiko PKey, a PEM string or a Secret, got {type(pkey).__name__}"
        )
    pem = normalise_pem(pkey)
    failures: list[str] = []
    for key_class in _KEY_CLASSES:
        try:
            return key_class.from_private_key(io.StringIO(pem), password=passphrase)
        except paramiko.PasswordRequiredException as exc:
            raise ValueError("pkey is encrypted; pass its passphrase in config") from exc
        except (paramiko.SSHException, ValueError, TypeError, IndexError) as exc:
            failures.append(f"{key_class.__name__}: {exc}")
    raise ValueError("pkey is a malformed or unsupported private key (" + "; ".join(failures) + ")")
