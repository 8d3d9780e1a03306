"""Where a record goes and what it becomes: custom object records, users, organizations, memberships."""
