"""The one redaction mechanism: every place a value is *shown* goes through here.

Three rules decide what is a credential, so nothing depends on a value having
been wrapped by the right caller:

* **by key name, at any depth**: a mapping value under a credential-like key
  (``password``, ``secret``, ``token``, ``passphrase``, ``pkey`` ...; see
  ``is_sensitive_name``) is shown as ``***``;
* **by value shape**: URL userinfo (``http://user:pw@host`` ->
  ``http://***@host``) and PEM blocks (``-----BEGIN ...-----`` to ``-----END
  ...-----``) are masked wherever they appear in a text;
* **by value**: the plain text of every ``Secret`` created in this process is
  registered here, and is masked wherever it appears (an SDK's DEBUG log that
  prints an ``Authorization`` header carries the access key id, for one).
  Values shorter than ``MIN_REGISTERED_LENGTH`` (8) are not registered: masking
  every ``1234`` or ``testing`` (moto's credentials) in every log line and path
  would destroy more than it protects; real keys and passwords are longer, and
  short ones are still masked by key name and inside URLs.

Users of the library reach these rules through ``repr``/``str`` of config
objects, the messages and cause chains of ``RemoteStoreError``, and
``SecretRedactionFilter`` on their log handlers; the harness uses the same
functions for its console and report files.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

__all__ = [
    "MASK",
    "MIN_REGISTERED_LENGTH",
    "RedactedError",
    "has_userinfo",
    "is_sensitive_name",
    "protect",
    "redact_exception",
    "redact_text",
    "redact_value",
    "register_secret",
    "reveal_all",
]

MASK = "***"
MIN_REGISTERED_LENGTH = 8

_EXACT_NAMES = frozenset(
    {"key", "pkey", "sas_token", "connection_string", "client_certificate", "auth", "proxy_auth"}
)
_NAME_FRAGMENTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "passphrase",
    "credential",
    "private_key",
    "privatekey",
    "api_key",
    "apikey",
    "access_key",
    "account_key",
    "customer_key",
)

# scheme://userinfo@ -- userinfo stops at the first '/', whitespace, quote or '@'.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s'\"<>@]+@")
_URL_USERINFO_PARTS = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.\-]*://(?P<user>[^/\s'\"<>@:]*)(?::(?P<password>[^/\s'\"<>@]*))?@"
)
# A PEM block, with real or escaped ("\\n") line breaks; an unterminated one runs to the end.
_PEM_BLOCK = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]+)-----.*?(?:-----END (?P=label)-----|\Z)", re.DOTALL
)

_known: set[str] = set()
_known_pattern: re.Pattern[str] | None = None
_known_lock = threading.Lock()


def is_sensitive_name(name: object) -> bool:
    """Whether a mapping key names a credential (case-insensitive; ``-`` counts as ``_``)."""
    if not isinstance(name, str):
        return False
    lowered = name.lower().replace("-", "_")
    return lowered in _EXACT_NAMES or any(part in lowered for part in _NAME_FRAGMENTS)


def register_secret(value: str) -> None:
    """Mask ``value`` wherever ``redact_text`` sees it from now on (``Secret`` calls this)."""
    global _known_pattern
    userinfo = _URL_USERINFO_PARTS.search(value)
    if userinfo is not None:
        # A proxy URL: its user and password are the secret, not the host a log names.
        for part in (userinfo.group("user"), userinfo.group("password")):
            if part:
                register_secret(unquote(part))
                register_secret(part)
        return
    if len(value) < MIN_REGISTERED_LENGTH:
        return
    with _known_lock:
        if value in _known:
            return
        _known.add(value)
        ordered = sorted(_known, key=len, reverse=True)  # longest first: no partial masks
        _known_pattern = re.compile("|".join(re.escape(v) for v in ordered))


def redact_text(text: str) -> str:
    """``text`` with URL userinfo, PEM blocks and registered secret values masked."""
    pattern = _known_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
    return _PEM_BLOCK.sub(lambda m: f"-----BEGIN {m.group('label')}----- {MASK} -----END", text)


def redact_value(value: Any) -> Any:
    """A display copy of ``value``: sensitive keys masked at any depth, strings scrubbed.

    Only plain containers (mappings, lists, tuples, sets) are walked; any other
    object is kept as it is, so its own ``repr`` decides (``Secret`` shows ``***``).
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            k: (_masked(v) if is_sensitive_name(k) else redact_value(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(redact_value(v) for v in value)
    return value


class _Masked:
    """Shows as ``***`` in a ``repr`` (a plain ``"***"`` string would show quoted)."""

    def __repr__(self) -> str:
        return MASK


def _masked(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    from ._secret import Secret

    if isinstance(value, Secret):
        return value
    return _Masked()


def has_userinfo(text: str) -> bool:
    """Whether ``text`` holds a URL with ``user[:password]@``."""
    return _URL_USERINFO.search(text) is not None


def protect(value: Any, *, urls: bool = False) -> Any:
    """A copy of plain containers with credential strings wrapped in ``Secret``.

    Strings under credential-like keys at any depth are wrapped; with
    ``urls=True`` so is every string that holds URL userinfo (proxy URLs), for
    values a backend keeps until it hands them to its SDK (``reveal_all``).
    """
    from ._secret import Secret

    if isinstance(value, Mapping):
        return {
            k: (Secret(v) if isinstance(v, str) and is_sensitive_name(k) else protect(v, urls=urls))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(protect(v, urls=urls) for v in value)
    if urls and isinstance(value, str) and has_userinfo(value):
        return Secret(value)
    return value


def reveal_all(value: Any) -> Any:
    """A copy of ``value`` with every ``Secret`` inside plain containers revealed.

    Called only at the moment options are handed to an SDK constructor.
    """
    from ._secret import Secret

    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, dict):
        return {k: reveal_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(reveal_all(v) for v in value)
    return value


class RedactedError(Exception):
    """Stands in a cause chain for an SDK exception whose text carried a credential.

    ``original_type`` is the dotted name of the replaced exception; the message
    is its text with the credential masked. The original (and its traceback,
    whose frames may hold the credential in locals) is dropped.
    """

    def __init__(self, original_type: str, message: str) -> None:
        super().__init__(f"{original_type}: {message}")
        self.original_type = original_type


def _leaks(exc: BaseException) -> bool:
    texts = [str(exc), repr(exc), *(str(note) for note in getattr(exc, "__notes__", ()))]
    return any(redact_text(text) != text for text in texts)


def _chain(exc: BaseException) -> list[BaseException]:
    links: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        links.append(current)
        current = current.__cause__ if current.__cause__ is not None else current.__context__
    return links


def redact_exception(exc: BaseException) -> BaseException:
    """``exc`` itself if nothing in its chain shows a credential, else a redacted stand-in chain.

    Use as the cause of a library error (``raise error from redact_exception(exc)``),
    outside the ``except`` block so the original is not kept as ``__context__``.
    """
    links = _chain(exc)
    if not any(_leaks(link) for link in links):
        return exc
    rebuilt: BaseException | None = None
    for link in reversed(links):
        name = f"{type(link).__module__}.{type(link).__qualname__}"
        stand_in = RedactedError(name, redact_text(str(link)))
        stand_in.__cause__ = rebuilt
        rebuilt = stand_in
    assert rebuilt is not None
    return rebuilt


def format_exception_redacted(exc: BaseException) -> str:
    """``traceback.format_exception`` of ``exc`` (chain included), scrubbed."""
    return redact_text("".join(traceback.format_exception(exc)))
