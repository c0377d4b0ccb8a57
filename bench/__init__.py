"""Benchmarks that run the same workload against pocketlite and PocketBase and report ratios."""
