"""`python -m target_zendesk_objects`."""

from target_zendesk_objects.target import TargetZendeskObjects

TargetZendeskObjects.cli()
