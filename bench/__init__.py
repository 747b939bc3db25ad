"""Benchmarks: the load tool and its baselines (not part of the test suite)."""
