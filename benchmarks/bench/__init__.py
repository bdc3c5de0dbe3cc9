"""The benchmark harness behind ``make bench`` (see ``benchmarks/run.py``)."""
