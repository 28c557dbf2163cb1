"""Support code for the benchmarks: trees, listing strategies, request observation.

Lives next to the benchmarks (not in the installed packages) because nothing but the benchmarks
uses it. ``benchmarks/conftest.py`` makes it importable (pytest puts ``benchmarks/`` on
``sys.path`` because the folder is not a package).
"""
