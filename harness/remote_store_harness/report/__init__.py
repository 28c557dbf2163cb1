"""Reports people act on: the qualification run's report (Markdown, HTML, JSON) and the
benchmark report (Markdown + PNG charts) rendered from pytest-benchmark JSON."""
