"""tap_zendesk_objects: the tap (`tap.py`), its base streams (`client.py`) and streams (`streams/`)."""
