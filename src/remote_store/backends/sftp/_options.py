"""Construction-time checks of ``connect_kwargs`` against ``paramiko.SSHClient.connect``.

The accepted names are read from paramiko's signature (minus the keywords the
backend manages itself), not from a list kept here, so a paramiko release that
adds a keyword needs no change. A keyword whose default is a ``bool`` / number
must get a value of that type; a mistake is a ``ValueError`` naming the option
and the accepted names, raised before any connection is attempted.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import Any

import paramiko

__all__ = ["check_connect_kwargs"]


@functools.cache
def _connect_parameters() -> dict[str, inspect.Parameter]:
    signature = inspect.signature(paramiko.SSHClient.connect)
    return {
        name: parameter
        for name, parameter in signature.parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }


def check_connect_kwargs(connect_kwargs: Mapping[str, Any], managed: frozenset[str]) -> None:
    """Refuse unknown, backend-managed or wrongly typed ``connect_kwargs`` entries."""
    params = _connect_parameters()
    taken = sorted(set(connect_kwargs) & managed)
    if taken:
        raise ValueError(
            f"connect_kwargs must not set {taken}; use the SFTPBackend options instead"
        )
    accepted = sorted(set(params) - managed)
    unknown = sorted(str(k) for k in connect_kwargs if k not in params)
    if unknown:
        raise ValueError(f"connect_kwargs has unknown option(s) {unknown}; accepted: {accepted}")
    for name, value in connect_kwargs.items():
        default = params[name].default
        if value is None:
            continue
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ValueError(
                f"connect_kwargs[{name!r}] must be a bool (True/False), got {type(value).__name__}"
            )
        if name == "key_filename" and not (
            isinstance(value, str)
            or (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value))
        ):
            raise ValueError("connect_kwargs['key_filename'] must be a path or a list of paths")
        if name == "disabled_algorithms" and not isinstance(value, Mapping):
            raise ValueError(
                f"connect_kwargs['disabled_algorithms'] must be a dict, got {type(value).__name__}"
            )
