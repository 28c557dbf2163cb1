"""remote_store_harness: emulated S3 targets behind our own CA, TLS, proxies, log and faults.

Import-light by contract: this module imports nothing but the standard library. Every public name
is resolved on first attribute access (PEP 562), so the pytest plugin, which is loaded in every
pytest run of a project that installs us, costs nothing until a fixture is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .errors import HarnessError
    from .net._forward_proxy import ForwardProxy
    from .net._gateway import Gateway
    from .net._resolver import HarnessResolver
    from .net._tls import HarnessCA, ServerCert
    from .observe._faults import FaultPlan, FaultRule, Latency
    from .observe._requestlog import ProxyLog, ProxyRecord, RequestLog, RequestRecord
    from .targets import (
        Credentials,
        ExternalTarget,
        MinioTarget,
        MotoProcessTarget,
        MotoThreadTarget,
        Target,
        TargetError,
        TargetStartError,
        TargetUnavailable,
        start_target,
        synthetic_body,
    )
    from .topology import Topology, TopologyError, TopologySpec, start_topology

__all__ = [
    "Credentials",
    "Endpoint",
    "ExternalTarget",
    "FaultPlan",
    "FaultRule",
    "ForwardProxy",
    "Gateway",
    "HarnessCA",
    "HarnessError",
    "HarnessResolver",
    "Latency",
    "MinioTarget",
    "MotoProcessTarget",
    "MotoThreadTarget",
    "ProxyLog",
    "ProxyRecord",
    "RequestLog",
    "RequestRecord",
    "ServerCert",
    "Target",
    "TargetError",
    "TargetStartError",
    "TargetUnavailable",
    "Topology",
    "TopologyError",
    "TopologySpec",
    "start_target",
    "start_topology",
    "synthetic_body",
]

_WHERE: dict[str, str] = {
    "Endpoint": ".endpoint",
    "HarnessError": ".errors",
    "FaultPlan": ".observe",
    "FaultRule": ".observe",
    "Latency": ".observe",
    "ForwardProxy": ".net",
    "Gateway": ".net",
    "ProxyLog": ".observe",
    "ProxyRecord": ".observe",
    "RequestLog": ".observe",
    "RequestRecord": ".observe",
    "HarnessResolver": ".net",
    "HarnessCA": ".net",
    "ServerCert": ".net",
    "Topology": ".topology",
    "TopologyError": ".topology",
    "TopologySpec": ".topology",
    "start_topology": ".topology",
}
_WHERE.update(
    dict.fromkeys(
        [
            "Credentials",
            "ExternalTarget",
            "MinioTarget",
            "MotoProcessTarget",
            "MotoThreadTarget",
            "Target",
            "TargetError",
            "TargetStartError",
            "TargetUnavailable",
            "start_target",
            "synthetic_body",
        ],
        ".targets",
    )
)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
