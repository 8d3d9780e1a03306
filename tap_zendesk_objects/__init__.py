"""tap_zendesk_objects."""
