"""Request budgets, and the counters of what the sandbox served.

How a limit counts its window, the simulated foreign integration and the rate-limit headers (budgets.py);
what was served and refused, for tests and benchmarks (stats.py).
"""
