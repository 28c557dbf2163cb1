"""Conformance plug-ins shipped with the suite (memory, local, S3 on harness topologies)."""
