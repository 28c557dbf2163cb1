"""Errors of ``remote-store-harness run`` and its probe (defined in :mod:`..errors`).

Kept as the import point the probe and the CLI already use; the classes and the tree live in
:mod:`remote_store_harness.errors`.
"""

from __future__ import annotations

from ..errors import (
    BucketMissing,
    CaBundleInvalid,
    CredentialsRejected,
    EndpointUnreachable,
    PrefixNotEmpty,
    RunError,
    TlsVerificationFailed,
    UsageError,
)

__all__ = [
    "BucketMissing",
    "CaBundleInvalid",
    "CredentialsRejected",
    "EndpointUnreachable",
    "PrefixNotEmpty",
    "RunError",
    "TlsVerificationFailed",
    "UsageError",
]
