"""Peak resident-set growth of this process while a block runs, sampled by a thread.

``ru_maxrss`` is a lifetime peak and cannot be reset, so a sampler polls the current RSS (psutil)
every few milliseconds. A short spike between two samples can be missed; at 2 ms against
transfers of hundreds of milliseconds per 64 MiB that error is small, and the report says it is
a sampled peak. The moto target runs in another process, so its memory is not counted.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["PeakRss", "peak_rss"]


@dataclass
class PeakRss:
    baseline: int = 0
    peak: int = 0

    @property
    def growth(self) -> int:
        return max(0, self.peak - self.baseline)


@contextmanager
def peak_rss(interval: float = 0.002) -> Iterator[PeakRss]:
    import psutil

    process = psutil.Process()
    gc.collect()
    result = PeakRss(baseline=process.memory_info().rss)
    result.peak = result.baseline
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result.peak = max(result.peak, process.memory_info().rss)
            stop.wait(interval)

    thread = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
        result.peak = max(result.peak, process.memory_info().rss)
