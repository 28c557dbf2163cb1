"""The ``remote-store-harness`` command line: a dispatcher and its subcommands (``up``, ``run``,
``bench-report``). Subcommand modules load lazily so ``--help`` stays fast."""

from __future__ import annotations

from ._main import main

__all__ = ["main"]
