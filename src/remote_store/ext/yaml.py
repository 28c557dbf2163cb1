"""``from_yaml``: load a ``RegistryConfig`` from a YAML file (needs the ``yaml`` extra).

Uses PyYAML's safe loader, or ``ruamel.yaml`` in safe mode when only that is
installed; with neither, importing this module raises ``ModuleNotFoundError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._config import RegistryConfig, resolve_env

__all__ = ["from_yaml"]


def _pick_loader() -> Callable[[str], Any]:
    try:
        import yaml
    except ImportError:
        pass
    else:
        return yaml.safe_load
    try:
        from ruamel.yaml import YAML  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ModuleNotFoundError(
            "remote_store.ext.yaml needs PyYAML (or ruamel.yaml): "
            "pip install 'remote-store-s3kit[yaml]'"
        ) from exc
    loader = YAML(typ="safe")
    return lambda text: loader.load(text)


_load = _pick_loader()


def from_yaml(path: str | Path, *, resolve_env_vars: bool = False) -> RegistryConfig:
    """Parse ``path`` and build the config with the ``RegistryConfig.from_dict`` rules."""
    with open(path, encoding="utf-8") as handle:
        data = _load(handle.read())
    if not isinstance(data, Mapping):
        raise TypeError(f"YAML config {str(path)!r} must be a mapping, got {type(data).__name__}")
    if resolve_env_vars:
        data = resolve_env(dict(data))
    return RegistryConfig.from_dict(data)
