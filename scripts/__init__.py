"""Thin entry points for developers and operators; the benchmarks live in `scripts/bench`."""
