"""zendesk_objects_shared."""
