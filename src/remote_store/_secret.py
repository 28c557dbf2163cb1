"""``Secret``: a credential that never shows itself by accident."""

from __future__ import annotations

import logging
from typing import Any

from ._redact import redact_text, register_secret

__all__ = ["Secret", "SecretRedactionFilter", "reveal"]


class Secret:
    """Wraps a credential so ``repr``, ``str``, logs and tracebacks show ``***``.

    Only ``reveal()`` returns the value; backends call it at the last moment,
    when handing the credential to the SDK.
    """

    __slots__ = ("_value",)

    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret value must be a str, got {type(value).__name__}")
        object.__setattr__(self, "_value", value)
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Secret, (self._value,))

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return Secret(self._value)


def reveal(value: str | Secret | None) -> str | None:
    """The plain text of a ``str | Secret | None`` credential option."""
    if isinstance(value, Secret):
        return value.reveal()
    return value


class SecretRedactionFilter(logging.Filter):
    """Scrubs a log record before any handler formats it: attach it to your handlers.

    The message (arguments merged in) loses ``Secret`` values, every registered
    secret text, URL userinfo and PEM blocks (see ``remote_store._redact``);
    a traceback attached with ``exc_info`` is formatted here and scrubbed too.
    On a handler it covers every logger's records (botocore, paramiko, ...);
    on a logger only the records logged to that very logger.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple("***" if isinstance(a, Secret) else a for a in args)
        elif isinstance(args, dict):
            record.args = {k: ("***" if isinstance(v, Secret) else v) for k, v in args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
