"""target_zendesk_objects."""
