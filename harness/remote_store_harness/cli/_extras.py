"""One line naming the extra to install when an optional dependency is missing.

Every subcommand reports a ``ModuleNotFoundError`` through :func:`missing_extra_message` (the
dispatcher catches it), so a user sees ``pip install 'remote-store-s3kit[harness]'`` instead of
a traceback.
"""

from __future__ import annotations

__all__ = ["EXTRA_OF_MODULE", "missing_extra_message"]

#: Top-level module -> the package extra that installs it.
EXTRA_OF_MODULE: dict[str, str] = {
    "moto": "harness",
    "trustme": "harness",
    "boto3": "harness",
    "botocore": "harness",
    "werkzeug": "harness",
    "cryptography": "harness",
    "s3fs": "s3",
    "aiobotocore": "s3",
    "fsspec": "s3",
    "paramiko": "sftp",
    "yaml": "yaml",
    "matplotlib": "report",
    "pytest": "dev",
}


def missing_extra_message(exc: ModuleNotFoundError) -> str:
    """``missing dependency 'moto': pip install 'remote-store-s3kit[harness]'``."""
    name = (exc.name or "").partition(".")[0]
    extra = EXTRA_OF_MODULE.get(name, "harness")
    return f"missing dependency {name or exc.name!r}: pip install 'remote-store-s3kit[{extra}]'"
