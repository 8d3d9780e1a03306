"""What every request passes on its way to a handler.

Its shape and the bodies of the answers (wire.py), who it comes from and what it may call (auth.py), and
the faults injected into it (faults.py).
"""
