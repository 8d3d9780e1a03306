"""zendesk_sandbox."""
