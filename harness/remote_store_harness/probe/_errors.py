"""Errors of ``remote-store-harness run`` and its probe.

Every error here is a condition the *user* can fix (a wrong argument, an unreachable endpoint, a
bucket that is not there), so its message is one self-contained line meant for stderr. The CLI
prints ``str(error)`` and exits with :attr:`RunError.exit_code`; it never shows a traceback for
these. Anything else escaping the run is a bug and is allowed to show one.
"""

from __future__ import annotations

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


class RunError(Exception):
    """Base class: a run cannot start or continue for a reason the user can act on."""

    #: Process exit status the CLI uses for this error (2 = usage, like argparse).
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        # Keep the message on one line whatever the cause text contained.
        super().__init__(" ".join(message.split()))


class UsageError(RunError):
    """Arguments that contradict each other or are malformed (bad URL, missing bucket name)."""

    exit_code = 2


class CaBundleInvalid(UsageError):
    """``--ca`` names no file, a directory, or a file without a usable PEM certificate."""


class EndpointUnreachable(RunError):
    """No HTTP answer from the endpoint (or the proxy) within the connect timeout."""

    exit_code = 3


class TlsVerificationFailed(RunError):
    """The endpoint's certificate chain does not verify against the CA the run was told to use."""

    exit_code = 3


class CredentialsRejected(RunError):
    """The service refused the access key / signature, or denied access to the bucket."""

    exit_code = 4


class BucketMissing(RunError):
    """The named bucket does not exist at the endpoint (the run never creates buckets there)."""

    exit_code = 4


class PrefixNotEmpty(RunError):
    """The prefix the run would write under already holds objects; the run refuses to touch it."""

    exit_code = 5
