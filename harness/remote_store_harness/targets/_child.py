"""The server process of a target the harness spawns (moto's server, ``rclone serve s3``).

One :class:`ChildProcess` owns one child and the temporary file its output goes to, so that a
target that fails to start can say what the child said (:meth:`ChildProcess.output_tail`), and
:meth:`ChildProcess.stop` ends the child for good (terminate, then kill) and closes every pipe and
file, whatever state start-up left it in.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from typing import IO

__all__ = ["ChildProcess"]

#: How much of the child's output a start-up error quotes (its end: where the reason is).
_TAIL_BYTES = 2000
#: Seconds a terminated child gets to exit before it is killed.
_TERMINATE_GRACE = 5.0


class ChildProcess:
    """A child whose stderr (and, with ``stdout=None``, stdout) goes to a temporary file."""

    def __init__(self, log_prefix: str) -> None:
        self._log_prefix = log_prefix
        self._log: IO[bytes] | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(
        self,
        cmd: Sequence[str],
        *,
        env: Mapping[str, str],
        stdin: int = subprocess.DEVNULL,
        stdout: int | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``cmd``; ``stdout=None`` sends its stdout to the log file as well."""
        self._log = tempfile.TemporaryFile(prefix=self._log_prefix)  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            list(cmd),
            stdin=stdin,
            stdout=self._log if stdout is None else stdout,
            stderr=self._log,
            env=dict(env),
        )
        return self.proc

    def output_tail(self) -> str:
        """The end of what the child wrote to its log ("" when there is none)."""
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            return self._log.read()[-_TAIL_BYTES:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def stop(self) -> None:
        """End the child (terminate, kill after a grace period) and close its pipes and log.
        Idempotent."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=_TERMINATE_GRACE)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=_TERMINATE_GRACE)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None
