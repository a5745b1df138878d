"""Benchmarks of the gateway, run on demand by `make bench`; results in docs/benchmarks.md.

Nothing here is imported by the gateway or the test suite: timings are never asserted.
"""
