"""Benchmarks: the same workload against pocketlite and PocketBase, reported as ratios."""
