"""Helpers shared by the targets tests (a plain module: the test dirs are not packages)."""

from __future__ import annotations

import socket
import time


def port_is_closed(port: int, host: str = "127.0.0.1", wait: float = 3.0) -> bool:
    """True once nothing accepts connections on host:port (polls up to ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) != 0:
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def pid_is_gone(pid: int, wait: float = 5.0) -> bool:
    """True once no process ``pid`` exists (zombies count as gone only after reaping)."""
    import psutil

    deadline = time.monotonic() + wait
    while True:
        try:
            proc = psutil.Process(pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
