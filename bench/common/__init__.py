"""What the benchmarks share; each module says what it holds (see bench/__init__.py for the list)."""
