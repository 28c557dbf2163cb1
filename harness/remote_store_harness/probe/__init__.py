"""The probe: boto3-only questions an on-prem user must have answered before trusting a
configuration (TLS chain, addressing, conditional writes, pagination, ...), each answered with
its evidence, plus the ``remote_store`` configuration those answers recommend."""

from __future__ import annotations

from ._client import ProbeTarget
from ._run import ProbeReport, ProbeRow, run_probe

__all__ = ["ProbeReport", "ProbeRow", "ProbeTarget", "run_probe"]
