"""Configuration as data: which backends exist and which stores point at them.

Config objects are frozen and their mappings are read-only views, so a config
that passed validation cannot change afterwards (IO-12). Credentials under the
sensitive option names are wrapped in ``Secret`` however the config was built
(``from_dict`` or direct construction), and so are string values under
credential-like keys at any depth of a nested option (``client_options={"token":
...}``, ``config={"passphrase": ...}``). A number under a credential key (YAML
``password: 1234``) is accepted and held as its text in a ``Secret``. ``repr``
and ``str`` redact at any depth by key name and by value shape (URL userinfo,
PEM blocks), whatever was wrapped.

No implicit environment lookups happen anywhere: environment variables enter a
config only through ``resolve_env`` (or ``resolve_env_vars=True`` on a loader).
"""

from __future__ import annotations

import copy
import os
import re
import sys
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._redact import protect, redact_value
from ._retry import RetryPolicy
from ._secret import Secret

__all__ = [
    "SENSITIVE_KEYS",
    "BackendConfig",
    "RegistryConfig",
    "StoreProfile",
    "resolve_env",
]

SENSITIVE_KEYS = frozenset(
    {
        "key",
        "secret",
        "password",
        "account_key",
        "sas_token",
        "connection_string",
        "client_secret",
        "client_certificate",
    }
)


def _as_secret(value: object, owner: str, name: str) -> object:
    """A credential value as a ``Secret``; numbers (YAML ``password: 1234``) become their text."""
    if value is None or isinstance(value, Secret):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(
            f"{owner}: option '{name}' is a credential and must be a str, a number or a Secret, "
            f"got {type(value).__name__}"
        )
    return Secret(value)


def _wrap_secrets(options: Mapping[str, object], owner: str) -> dict[str, object]:
    wrapped: dict[str, object] = {}
    for name, value in options.items():
        if not isinstance(name, str):
            raise TypeError(f"{owner}: option names must be str, got {name!r}")
        if name in SENSITIVE_KEYS:
            value = _as_secret(value, owner, name)
        else:
            value = protect({name: value})[name]  # pkey PEM text, nested token/passphrase ...
        wrapped[name] = value
    return wrapped


def _read_only(value: Mapping[str, Any] | None, what: str) -> MappingProxyType[str, Any]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a mapping, got {type(value).__name__}")
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class BackendConfig:
    """One backend: its registered ``type``, constructor ``options`` and optional ``retry``."""

    type: str
    options: Mapping[str, object] = field(default_factory=dict)
    retry: RetryPolicy | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.type, str):
            raise TypeError(f"backend 'type' must be a string, got {type(self.type).__name__}")
        options = _read_only(self.options, "backend options")
        wrapped = _wrap_secrets(options, f"backend of type '{self.type}'")
        object.__setattr__(self, "options", MappingProxyType(wrapped))
        if self.retry is not None and not isinstance(self.retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy or None, got {type(self.retry).__name__}")

    def __repr__(self) -> str:
        # Redacted at any depth, by key name and by value shape (remote_store._redact).
        return (
            f"BackendConfig(type={self.type!r}, options={redact_value(self.options)!r}, "
            f"retry={self.retry!r})"
        )


@dataclass(frozen=True)
class StoreProfile:
    """A named store: which backend, and the folder inside it that is the store's root."""

    backend: str
    root_path: str = ""
    options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.backend, str):
            raise TypeError(f"store 'backend' must be a string, got {type(self.backend).__name__}")
        if not isinstance(self.root_path, str):
            raise TypeError(
                f"store 'root_path' must be a string, got {type(self.root_path).__name__}"
            )
        object.__setattr__(self, "options", _read_only(self.options, "store options"))

    def __repr__(self) -> str:
        return (
            f"StoreProfile(backend={self.backend!r}, root_path={self.root_path!r}, "
            f"options={redact_value(self.options)!r})"
        )


@dataclass(frozen=True)
class RegistryConfig:
    """Backends and stores by name. ``validate()`` checks the cross references."""

    backends: Mapping[str, BackendConfig] = field(default_factory=dict)
    stores: Mapping[str, StoreProfile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        backends = _read_only(self.backends, "backends")
        stores = _read_only(self.stores, "stores")
        for name, backend in backends.items():
            if not isinstance(backend, BackendConfig):
                raise TypeError(f"backends['{name}'] must be a BackendConfig")
        for name, store in stores.items():
            if not isinstance(store, StoreProfile):
                raise TypeError(f"stores['{name}'] must be a StoreProfile")
        object.__setattr__(self, "backends", backends)
        object.__setattr__(self, "stores", stores)

    def validate(self) -> None:
        """Every store must reference a configured backend (``ValueError`` names it)."""
        for name, profile in self.stores.items():
            if profile.backend not in self.backends:
                raise ValueError(
                    f"Store '{name}' references unknown backend '{profile.backend}'. "
                    f"Available backends: {sorted(self.backends)}"
                )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistryConfig:
        """Build from plain data (as parsed from TOML/YAML/JSON). The input is not mutated."""
        if not isinstance(data, Mapping):
            raise TypeError(f"config must be a mapping, got {type(data).__name__}")
        unknown = sorted(str(k) for k in data if k not in ("backends", "stores"))
        if unknown:
            warnings.warn(
                f"Unknown top-level config keys ignored: {unknown}", stacklevel=_caller_level()
            )
        raw_backends = data.get("backends")
        raw_stores = data.get("stores")
        raw_backends = {} if raw_backends is None else raw_backends
        raw_stores = {} if raw_stores is None else raw_stores
        if not isinstance(raw_backends, Mapping):
            raise TypeError(
                f"'backends' must be a mapping, got {type(raw_backends).__name__} "
                "(Expected 'backends' and 'stores' to be dicts)"
            )
        if not isinstance(raw_stores, Mapping):
            raise TypeError(
                f"'stores' must be a mapping, got {type(raw_stores).__name__} "
                "(Expected 'backends' and 'stores' to be dicts)"
            )
        backends = {name: _backend_from_dict(name, raw) for name, raw in raw_backends.items()}
        stores = {name: _store_from_dict(name, raw) for name, raw in raw_stores.items()}
        return cls(backends=backends, stores=stores)

    @classmethod
    def from_toml(
        cls,
        path: str | Path,
        *,
        table: tuple[str, ...] = (),
        resolve_env_vars: bool = False,
    ) -> RegistryConfig:
        """Load a TOML file, optionally descending into ``table`` (``("tool", "remote-store")``)."""
        with open(path, "rb") as handle:
            data: Any = tomllib.load(handle)
        for key in table:
            if not isinstance(data, Mapping) or key not in data:
                raise KeyError(
                    f"Table {'.'.join(table)!r} not found in {str(path)!r} (missing {key!r}; "
                    f"Table key {key!r} not found)"
                )
            data = data[key]
        if not isinstance(data, Mapping):
            raise TypeError(
                f"Config table in {str(path)!r} must be a table, got {type(data).__name__} "
                f"(Expected a TOML table, got {type(data).__name__})"
            )
        if resolve_env_vars:
            data = resolve_env(dict(data))
        return cls.from_dict(data)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this package.

    ``from_dict`` is called directly and through ``from_toml`` / ``from_yaml``; a fixed
    ``stacklevel`` would blame the loader instead of the caller's line.
    """
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _backend_from_dict(name: str, raw: object) -> BackendConfig:
    if not isinstance(raw, Mapping):
        raise TypeError(
            f"backends['{name}'] must be a mapping, got {type(raw).__name__} "
            f"(Backend config for '{name}' must be a dict)"
        )
    if "type" not in raw:
        raise KeyError(f"backends['{name}'] is missing the required key 'type'")
    backend_type = raw["type"]
    if not isinstance(backend_type, str):
        raise TypeError(
            f"backends['{name}'].type must be a string, got {type(backend_type).__name__}"
        )
    options = raw.get("options") or {}
    if not isinstance(options, Mapping):
        raise TypeError(
            f"backends['{name}'].options must be a mapping, got {type(options).__name__}"
        )
    retry_raw = raw.get("retry")
    retry: RetryPolicy | None
    if isinstance(retry_raw, RetryPolicy):
        retry = retry_raw
    elif isinstance(retry_raw, Mapping):
        try:
            retry = RetryPolicy(**retry_raw)
        except TypeError as exc:
            raise TypeError(f"backends['{name}'].retry: {exc}") from exc
        except ValueError as exc:
            raise ValueError(f"backends['{name}'].retry: {exc}") from exc
    else:
        retry = None
    try:
        return BackendConfig(type=backend_type, options=dict(options), retry=retry)
    except TypeError as exc:
        raise TypeError(f"backends['{name}']: {exc}") from exc


def _store_from_dict(name: str, raw: object) -> StoreProfile:
    if not isinstance(raw, Mapping):
        raise TypeError(
            f"stores['{name}'] must be a mapping, got {type(raw).__name__} "
            f"(Store profile for '{name}' must be a dict)"
        )
    if "backend" not in raw:
        raise KeyError(f"stores['{name}'] is missing the required key 'backend'")
    backend = raw["backend"]
    if not isinstance(backend, str):
        raise TypeError(f"stores['{name}'].backend must be a string, got {type(backend).__name__}")
    root_path = raw.get("root_path")
    if root_path is None:
        root_path = ""
    if not isinstance(root_path, str):
        raise TypeError(
            f"stores['{name}'].root_path must be a string, got {type(root_path).__name__}"
        )
    options = raw.get("options") or {}
    if not isinstance(options, Mapping):
        raise TypeError(f"stores['{name}'].options must be a mapping, got {type(options).__name__}")
    return StoreProfile(backend=backend, root_path=root_path, options=dict(options))


# ``$${`` escapes; ``${NAME}``, ``${NAME:-default}`` (unset or empty), ``${NAME-default}`` (unset).
_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-)([^}]*))?\}")


def _interpolate(text: str, environ: Mapping[str, str], where: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name, operator, default = match.group(1), match.group(2), match.group(3)
        value = environ.get(name)
        if operator == ":-" and not value:
            return default
        if operator == "-" and value is None:
            return default
        if value is None:
            raise KeyError(
                f"Environment variable '{name}' is not set (referenced at config path '{where}')"
            )
        return value

    return _PLACEHOLDER.sub(substitute, text)


def _walk(value: Any, environ: Mapping[str, str], where: str) -> Any:
    if isinstance(value, str):
        return _interpolate(value, environ, where)
    if isinstance(value, Mapping):
        return {k: _walk(v, environ, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, environ, f"{where}[{i}]") for i, v in enumerate(value)]
    return copy.deepcopy(value)


def resolve_env(
    data: Mapping[str, Any], *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A deep copy of ``data`` with ``${VAR}`` placeholders in string values substituted.

    Shell semantics (IO-13): ``${VAR:-d}`` uses ``d`` when ``VAR`` is unset or
    empty, ``${VAR-d}`` only when unset; ``$${`` is a literal ``${``. An unset
    variable without a default raises ``KeyError`` naming the config path.
    Keys are never interpolated; defaults are not interpolated further.
    """
    env = os.environ if environ is None else environ
    result = _walk(data, env, "$")
    assert isinstance(result, dict)
    return result
