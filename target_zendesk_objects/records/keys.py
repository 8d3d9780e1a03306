"""Natural keys: as Zendesk compares them, as a lookup finds them, and as a lookup field waits for one.

A key is compared as Zendesk compares it (`normal_key`); an `Alias` is a key as a lookup finds it and as
a write of this run makes it findable; a `LookupNeed` is one lookup field's key on its way to an id.
"""

from __future__ import annotations

from dataclasses import dataclass

# (target type, key kind, key as Zendesk compares it): what a lookup finds, and what a write may create.
Alias = tuple[str, str, str]


@dataclass
class LookupNeed:
    """A natural key a record's lookup field waits for; `ids` is filled once the key is resolved."""

    field: str
    target: str
    by: str
    key: str
    ids: tuple[str, ...] | None = None  # every match (never a guess: only one match fills the field)
    # Where the id goes in the write's body: a custom object's `custom_object_fields`, a user's
    # `user_fields`, or "" for a top-level id (a user's `organization_id`, a membership's two ends).
    into: str = "custom_object_fields"
    required: bool = False  # no match rejects the record whatever `lookup_unresolved` says
    deferred: bool = False  # a write of this run may create the key: resolved once that write is settled
    given_id: str | None = None  # an id the record also gives for the field: the two must agree

    def alias(self) -> Alias:
        """The key as a lookup finds it (and as a write of this run would make it findable)."""
        return self.target, self.by, normal_key(self.target, self.key)

    def problem(self) -> str | None:
        """Why the key fills nothing (no match, more than one, an id that disagrees), or None."""
        if self.ids is None or len(self.ids) == 1:
            return self.disagreement()
        if not self.ids:
            return f"{self.field}: no {self.target} with {self.by} {self.key}"
        return f"{self.field}: {len(self.ids)} {self.target} matches for {self.by} {self.key} (ambiguous)"

    def disagreement(self) -> str | None:
        """Why the id the record gives and the one its key names cannot both be right, or None."""
        if self.given_id is None or self.ids is None or len(self.ids) != 1 or self.ids[0] == self.given_id:
            return None
        return (
            f"{self.field}: the record gives id {self.given_id}, but {self.by} {self.key} is {self.target}"
            f" {self.ids[0]}: linked to neither"
        )


def normal_key(target: str, key: str) -> str:
    """The key as Zendesk compares it: users' and organizations' keys ignore case, the others keep it.

    See wire notes §15: user emails, external ids and organization names and external ids are compared
    without case; `filter[external_ids]` is case-sensitive; for tickets' external ids nothing is documented,
    so they are compared exactly (wire notes §22).
    """
    return key.lower() if target in {"zen:user", "zen:organization"} else key
