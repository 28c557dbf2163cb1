"""The SFTP backend over paramiko: connection management, host-key policy, authentication,
error mapping and streams, each in its own module. Importing this package imports paramiko
(``remote_store.backends`` imports it only on first access to ``SFTPBackend``)."""

from __future__ import annotations

from ._backend import SFTPBackend
from ._hostkeys import HostKeyPolicy
from ._utils import SFTPUtils

__all__ = ["HostKeyPolicy", "SFTPBackend", "SFTPUtils"]
