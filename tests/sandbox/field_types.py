"""The ten types a Zendesk custom field can have, the same for user, organization and custom object fields.

Written here, not read from the sandbox, so that a type the sandbox loses fails the tests that expect it.
"""

from __future__ import annotations

CUSTOM_FIELD_TYPES = frozenset(
    {
        "checkbox",
        "date",
        "decimal",
        "dropdown",
        "integer",
        "lookup",
        "multiselect",
        "regexp",
        "text",
        "textarea",
    }
)
