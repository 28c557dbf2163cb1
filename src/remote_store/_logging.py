"""The package logger. Libraries never configure handlers; a NullHandler keeps Python quiet."""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("remote_store")
logger.addHandler(logging.NullHandler())
