"""Objects and fields from a stream's SCHEMA: its spelling, its types, the plan, and carrying it out."""
