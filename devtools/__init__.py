"""What the tests, the benchmarks and the scripts share (not shipped).

Plugin settings for a sandbox (`sandbox_configs`) and the peer tap's virtual environment (`peer`).
"""
