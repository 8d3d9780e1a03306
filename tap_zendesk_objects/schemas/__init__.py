"""The streams' JSON Schemas: tickets, records, people, the warehouse, and the typed `cf_` custom fields."""
