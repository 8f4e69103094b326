"""Benchmarks with budgets: `make bench` writes bench/results.json."""
