"""remote_store: one synchronous file-storage API over memory, local disk, S3 and SFTP."""

from ._version import __version__

__all__ = ["__version__"]
