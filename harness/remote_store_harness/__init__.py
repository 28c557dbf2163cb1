"""remote_store_harness: emulated S3 targets behind our own CA, TLS, proxies, log and faults.

Import-light by contract: this module imports nothing but the standard library. Every public name
is resolved on first attribute access (PEP 562), so the pytest plugin, which is loaded in every
pytest run of a project that installs us, costs nothing until a fixture is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._faults import FaultPlan, FaultRule, Latency
    from ._forward_proxy import ForwardProxy
    from ._gateway import Gateway
    from ._requestlog import ProxyLog, ProxyRecord, RequestLog, RequestRecord
    from ._resolver import HarnessResolver
    from ._targets import (
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
    from ._tls import HarnessCA, ServerCert
    from ._topology import Topology, TopologyError, TopologySpec, start_topology

__all__ = [
    "Credentials",
    "ExternalTarget",
    "FaultPlan",
    "FaultRule",
    "ForwardProxy",
    "Gateway",
    "HarnessCA",
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
    "FaultPlan": "._faults",
    "FaultRule": "._faults",
    "Latency": "._faults",
    "ForwardProxy": "._forward_proxy",
    "Gateway": "._gateway",
    "ProxyLog": "._requestlog",
    "ProxyRecord": "._requestlog",
    "RequestLog": "._requestlog",
    "RequestRecord": "._requestlog",
    "HarnessResolver": "._resolver",
    "HarnessCA": "._tls",
    "ServerCert": "._tls",
    "Topology": "._topology",
    "TopologyError": "._topology",
    "TopologySpec": "._topology",
    "start_topology": "._topology",
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
        "._targets",
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
