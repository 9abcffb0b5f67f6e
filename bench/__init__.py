"""Benchmarks: `python -m bench` runs them all, `python -m bench NAME [ARGS]` one (see bench/__main__.py)."""
