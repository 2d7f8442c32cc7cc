"""Benchmark data: the synthetic corpus generator."""
