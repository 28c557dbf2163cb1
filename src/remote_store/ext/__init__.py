"""Optional extensions built on the public ``Store`` API (``cache``, ``yaml``)."""
