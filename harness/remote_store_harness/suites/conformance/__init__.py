"""The conformance suite: the behaviour contract of ``remote_store`` as pytest tests, run once
per registered backend id against the public ``Store`` API only.

It ships in the package so that it runs from any install: ``remote-store-harness run``, or plain
``pytest --pyargs remote_store_harness.suites.conformance``. Backends plug in without editing the
suite (README.md in this folder): the built-ins in ``backends/``, third-party packages through the
entry-point group ``remote_store_harness.conformance_backends``, and files or modules named by the
pytest ini option ``conformance_backends`` / the option ``--conformance-backend``.
"""
