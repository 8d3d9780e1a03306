"""The seeded data set, drawn deterministically from the settings.

Tickets, custom objects and the generators (datagen.py), custom field definitions (fielddefs.py), users,
organizations and groups (people.py), Sequin records (sequin_data.py) and each ticket's history
(history.py); seeding.py writes them into an empty file.
"""
