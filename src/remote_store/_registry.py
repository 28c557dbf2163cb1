"""``Registry``: turns a ``RegistryConfig`` into stores, building each backend once.

Configuration mistakes surface when the Registry is built, not at the first
request (IO-11): unknown backend types, option names the backend's constructor
does not accept, missing required options. Backends are still instantiated
lazily (constructors of network backends do no I/O, but there is no reason to
build clients nobody uses), under a lock so two threads never build two
clients for one backend name. After ``close()`` the registry refuses to hand
out stores (IO-23), because stores must not outlive the backends it closed.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from ._backend import Backend
from ._closing import ClosesOnExit
from ._config import BackendConfig, RegistryConfig
from ._errors import BackendUnavailable
from ._store import Store

__all__ = ["Registry", "register_backend"]

BackendFactory = Callable[..., Backend]

_BACKEND_TYPES: dict[str, BackendFactory] = {}
_TYPES_LOCK = threading.Lock()


def register_backend(type_name: str, cls: type[Backend]) -> None:
    """Make ``type_name`` usable as a config ``type``; re-registering replaces the earlier one."""
    if not isinstance(type_name, str) or not type_name:
        raise ValueError("backend type name must be a non-empty str")
    with _TYPES_LOCK:
        _BACKEND_TYPES[type_name] = cls


_BUILTIN_TYPES: dict[str, str] = {
    # config ``type`` -> the ``remote_store.backends`` attribute that implements it
    "memory": "MemoryBackend",
    "local": "LocalBackend",
    "s3": "S3Backend",
    "sftp": "SFTPBackend",
}


def _builtin(type_name: str) -> BackendFactory | None:
    """The built-in backend class for ``type_name``, imported only now (``None``: no extra).

    Importing a network backend loads its third-party client library, so a registry
    that configures only local stores never imports s3fs or paramiko.
    """
    attribute = _BUILTIN_TYPES.get(type_name)
    if attribute is None:
        return None
    from . import backends

    try:
        factory: BackendFactory = getattr(backends, attribute)
    except ImportError:  # the backend's extra is not installed
        return None
    return factory


def _resolve(type_name: str) -> BackendFactory | None:
    """A registered type (user registrations win over built-ins), loading a built-in lazily."""
    with _TYPES_LOCK:
        factory = _BACKEND_TYPES.get(type_name)
    if factory is not None:
        return factory
    factory = _builtin(type_name)
    if factory is None:
        return None
    with _TYPES_LOCK:
        return _BACKEND_TYPES.setdefault(type_name, factory)


def _known_types() -> list[str]:
    from . import backends

    with _TYPES_LOCK:
        names = set(_BACKEND_TYPES)
    names.update(t for t, attr in _BUILTIN_TYPES.items() if attr in backends.__all__)
    return sorted(names)


def _kwargs(cfg: BackendConfig) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(cfg.options)
    if cfg.retry is not None:
        kwargs["retry"] = cfg.retry
    return kwargs


def _invalid_options(name: str, cfg: BackendConfig, exc: Exception) -> ValueError:
    return ValueError(
        f"Invalid options for backend '{name}' (type='{cfg.type}'): {exc}. "
        f"Provided options: {sorted(_kwargs(cfg))}"
    )


class Registry(ClosesOnExit):
    """Named stores over lazily built, shared backends. Use as a context manager."""

    def __init__(self, config: RegistryConfig | None = None) -> None:
        self._config = config if config is not None else RegistryConfig()
        self._config.validate()
        self._factories: dict[str, BackendFactory] = {}
        for name, cfg in self._config.backends.items():
            factory = _resolve(cfg.type)
            if factory is None:
                hint = ""
                if cfg.type in _BUILTIN_TYPES:
                    from .backends import _install_hint

                    hint = f" ({_install_hint(_BUILTIN_TYPES[cfg.type])})"
                raise ValueError(
                    f"Unknown backend type '{cfg.type}' for backend '{name}'{hint}. "
                    f"Registered types: {_known_types()}"
                )
            self._check_signature(name, cfg, factory)
            self._factories[name] = factory
        self._backends: dict[str, Backend] = {}
        self._lock = threading.Lock()
        self._closed = False

    @staticmethod
    def _check_signature(name: str, cfg: BackendConfig, factory: BackendFactory) -> None:
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):  # builtins or C callables: decide at instantiation
            return
        try:
            signature.bind(**_kwargs(cfg))
        except TypeError as exc:
            raise _invalid_options(name, cfg, exc) from exc

    @property
    def config(self) -> RegistryConfig:
        return self._config

    def _backend(self, name: str) -> Backend:
        with self._lock:
            if self._closed:
                raise BackendUnavailable("Registry is closed", backend=None)
            backend = self._backends.get(name)
            if backend is None:
                cfg = self._config.backends[name]
                try:
                    backend = self._factories[name](**_kwargs(cfg))
                except TypeError as exc:
                    raise _invalid_options(name, cfg, exc) from exc
                self._backends[name] = backend
            return backend

    def get_store(self, name: str) -> Store:
        """A new store for profile ``name`` (stores do not own the shared backend)."""
        if self._closed:
            raise BackendUnavailable(f"Registry is closed; cannot open store '{name}'")
        profile = self._config.stores.get(name)
        if profile is None:
            raise KeyError(
                f"Unknown store '{name}'. Available stores: {sorted(self._config.stores)}"
            )
        return Store._borrowing(self._backend(profile.backend), profile.root_path)

    def close(self) -> None:
        """Close every backend built so far, even if some fail; then re-raise the first error."""
        with self._lock:
            self._closed = True
            backends = list(self._backends.values())
            self._backends.clear()
        first: BaseException | None = None
        for backend in backends:
            try:
                backend.close()
            except Exception as exc:  # collected, re-raised below
                if first is None:
                    first = exc
        if first is not None:
            raise first

    def __repr__(self) -> str:
        return f"Registry(stores={sorted(self._config.stores)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Registry):
            return NotImplemented
        return self._config == other._config

    def __hash__(self) -> int:
        return id(self)
