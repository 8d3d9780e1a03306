"""tap_zendesk_objects: the plugin (`tap.py`, `output.py`) over its streams and what they stand on.

The streams (`streams/`, one module per source family) derive from the base streams (`client.py`, and
`time_walks.py` for the time-based exports), which walk their source with `walking/` (paginators, the
replication value beside the cursor, several streams riding one walk, progress) and share the run's
`runtime.py`; every stream's schema is in `schemas/`. Imports point down only: `tap.py` over `streams/`
over `time_walks.py` over `client.py` over `walking/` over `runtime.py`; `schemas/` and `output.py`
import nothing else of the tap's.
"""
