"""The harness's network parts: an asyncio HTTP/1.1 toolkit, the TLS gateway in front of every
target, the forward proxy, the test CA and the name resolver for ``s3.test``.

Nothing here knows about S3 beyond what the gateway records; what it records and which faults it
injects come from :mod:`remote_store_harness.observe`.
"""

from __future__ import annotations

from ._forward_proxy import ForwardProxy
from ._gateway import Gateway, GatewayConfigError, s3_error_body
from ._resolver import HarnessResolver
from ._tls import HarnessCA, ServerCert

__all__ = [
    "ForwardProxy",
    "Gateway",
    "GatewayConfigError",
    "HarnessCA",
    "HarnessResolver",
    "ServerCert",
    "s3_error_body",
]
