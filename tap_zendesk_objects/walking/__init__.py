"""How a stream walks its source: paginators, replication values beside the cursor, rides, progress."""
