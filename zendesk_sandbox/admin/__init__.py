"""The admin API: change data while an export runs and read what was written.

`Admin` (api.py) is the Python one that tests and benchmarks call; routes.py mirrors it over HTTP under
/_sandbox/ (no auth, loopback only), history_routes.py the part that reads and appends tickets' history.
"""
