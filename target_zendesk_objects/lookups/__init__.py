"""Natural keys to Zendesk ids: which properties fill which lookup fields, the waiting stage, the resolver."""
