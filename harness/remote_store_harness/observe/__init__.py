"""What the harness observes and injects: the request log, fault and latency plans, and the
naming of S3 operations from raw HTTP requests. Pure data and rules: no sockets."""

from __future__ import annotations

from ._faults import FaultPlan, FaultRule, Latency, RequestFacts
from ._requestlog import ProxyLog, ProxyRecord, RequestLog, RequestRecord
from ._s3ops import s3_operation, split_bucket_key

__all__ = [
    "FaultPlan",
    "FaultRule",
    "Latency",
    "ProxyLog",
    "ProxyRecord",
    "RequestFacts",
    "RequestLog",
    "RequestRecord",
    "s3_operation",
    "split_bucket_key",
]
