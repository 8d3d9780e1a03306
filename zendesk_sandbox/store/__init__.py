"""What the sandbox holds once seeded, and how it changes.

The SQLite file (database.py) and the SQL of users and organizations (people.py), memberships and
tickets' history; custom objects and their records, and the directory of users, organizations, groups and
fields, each write checked as Zendesk checks it (records.py, directory.py, validation.py, lookups.py,
object_schema.py); the bulk jobs that apply writes (jobs.py); the change clock, the export cursors and the
users search.
"""
