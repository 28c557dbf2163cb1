"""Every error the harness raises, under one root.

A caller that wants "anything the harness refused or failed to do" catches :class:`HarnessError`;
a caller that cares about one part catches that part's base. The tree::

    HarnessError
    ├── TargetError                  a target misbehaved (targets/)
    │   ├── TargetUnavailable        cannot run on this machine: fixtures skip with the reason
    │   └── TargetStartError         could run but did not start or become ready in time
    ├── TopologyError                a topology spec is inconsistent or its parts failed to start
    ├── NetError                     the network parts (net/)
    │   ├── GatewayConfigError       (also ValueError) the gateway cannot serve that configuration
    │   ├── ProxyConfigError         (also ValueError) unusable resolve-map entry or credentials
    │   ├── ServerStateError         (also RuntimeError) a server used in the wrong life-cycle state
    │   ├── HeadTimeout              a client started a request head but did not finish it in time
    │   └── HttpProtocolError        the peer sent something that is not HTTP/1.x we can relay
    │       └── IncompleteBody       the peer closed before the announced body was complete
    ├── BenchDataError               (also ValueError) not pytest-benchmark output of our cases
    └── RunError                     ``remote-store-harness run`` cannot start or continue
        ├── UsageError               contradictory or malformed arguments (exit 2)
        │   └── CaBundleInvalid      ``--ca`` names no usable PEM bundle
        ├── EndpointUnreachable      no HTTP answer within the connect timeout (exit 3)
        ├── TlsVerificationFailed    the chain does not verify against the given CA (exit 3)
        ├── CredentialsRejected      key/signature refused or bucket access denied (exit 4)
        ├── BucketMissing            the named bucket does not exist (exit 4)
        └── PrefixNotEmpty           the run prefix already holds objects (exit 5)

The second bases (``ValueError``, ``RuntimeError``) are kept so code written against the earlier,
unrooted classes keeps catching them. The classes live here so the tree is visible in one place;
the part that raises each one re-exports it under its old public name (``targets.TargetError``,
``net.GatewayConfigError``, ``topology.TopologyError``, ...).

This module imports nothing: it sits below every other module of the package.
"""

from __future__ import annotations

__all__ = [
    "BenchDataError",
    "BucketMissing",
    "CaBundleInvalid",
    "CredentialsRejected",
    "EndpointUnreachable",
    "GatewayConfigError",
    "HarnessError",
    "HeadTimeout",
    "HttpProtocolError",
    "IncompleteBody",
    "NetError",
    "PrefixNotEmpty",
    "ProxyConfigError",
    "RunError",
    "ServerStateError",
    "TargetError",
    "TargetStartError",
    "TargetUnavailable",
    "TlsVerificationFailed",
    "TopologyError",
    "UsageError",
]


class HarnessError(Exception):
    """Root of every exception the harness defines."""


# -- targets -------------------------------------------------------------------------------------


class TargetError(HarnessError):
    """Base class of every error a harness target raises."""


class TargetUnavailable(TargetError):
    """The target cannot run on this machine (no engine, no binary, no endpoint).

    The message is the reason, written for a person reading a pytest skip line. Fixtures turn this
    into ``pytest.skip``; it never means a bug in the code under test.
    """


class TargetStartError(TargetError):
    """The target could run here but failed to start or to become ready in time."""


# -- topology ------------------------------------------------------------------------------------


class TopologyError(HarnessError):
    """A topology spec is inconsistent or its parts failed to start."""


# -- net -----------------------------------------------------------------------------------------


class NetError(HarnessError):
    """Base class of the errors raised by the network parts (gateway, proxy, HTTP toolkit)."""


class GatewayConfigError(NetError, ValueError):
    """The gateway was configured with something it cannot serve (e.g. an https upstream)."""


class ProxyConfigError(NetError, ValueError):
    """A resolve-map entry or credential pair is unusable."""


class ServerStateError(NetError, RuntimeError):
    """A server was used in the wrong life-cycle state (e.g. ``url`` before ``start()``)."""


class HeadTimeout(NetError):
    """A client started a request head but did not finish it in time."""


class HttpProtocolError(NetError):
    """The peer sent something that is not HTTP/1.x we can relay."""


class IncompleteBody(HttpProtocolError):
    """The peer closed the connection before the announced body was complete."""


# -- reports -------------------------------------------------------------------------------------


class BenchDataError(HarnessError, ValueError):
    """The JSON is not pytest-benchmark output or holds no case of our benchmarks."""


# -- run / probe ---------------------------------------------------------------------------------


class RunError(HarnessError):
    """A run cannot start or continue for a reason the user can act on.

    Every subclass is a condition the *user* can fix (a wrong argument, an unreachable endpoint, a
    bucket that is not there), so its message is one self-contained line meant for stderr. The CLI
    prints ``str(error)`` and exits with :attr:`exit_code`; it never shows a traceback for these.
    Anything else escaping the run is a bug and is allowed to show one.
    """

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
