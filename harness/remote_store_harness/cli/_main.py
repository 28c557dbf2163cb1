"""``remote-store-harness``: a subcommand dispatcher.

Each subcommand lives in its own module, listed in :data:`SUBCOMMAND_MODULES`. A module provides
``NAME`` (the subcommand word), ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. To add a subcommand (e.g. ``run`` in ``_cli_run.py``), create the module and
list it here; a listed module that does not exist yet is skipped, so the list may run ahead.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from collections.abc import Sequence
from types import ModuleType

__all__ = ["SUBCOMMAND_MODULES", "build_parser", "main"]

#: Registration hook: modules (relative to this package) that each define one subcommand.
SUBCOMMAND_MODULES: tuple[str, ...] = ("._up", "._run", "..report._bench_report")


def _load_subcommands() -> list[ModuleType]:
    modules: list[ModuleType] = []
    for name in SUBCOMMAND_MODULES:
        full = importlib.util.resolve_name(name, __package__)
        try:
            modules.append(importlib.import_module(full))
        except ModuleNotFoundError as exc:
            if exc.name != full:  # the module exists but one of its imports is missing: report
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="remote-store-harness",
        description="Emulated S3 endpoints (moto, MinIO) behind the harness' own CA, TLS "
        "gateway and forward proxy, with a live request log.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _load_subcommands():
        sub = commands.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    from ._extras import missing_extra_message

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args._run(args)
    except ModuleNotFoundError as exc:
        print(f"remote-store-harness {args.command}: error: {missing_extra_message(exc)}",
              file=sys.stderr)  # fmt: skip
        return 1
    return code
