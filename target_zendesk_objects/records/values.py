"""A record's values as Zendesk takes them: text, text attributes, lists of text, flags."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from target_zendesk_objects.records.validation import InvalidFieldsError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def text_value(value: Any) -> str | None:  # noqa: ANN401 (any JSON value)
    """A property's value as the text Zendesk takes, None for null or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def texts(
    record: Mapping[str, Any], attributes: Iterable[str], *, keys: Iterable[str] = ()
) -> dict[str, Any]:
    """The text attributes a record gives, as given ("" stays "", null clears one); `keys` never empty."""
    identity = set(keys)
    body: dict[str, Any] = {}
    for attribute in attributes:
        if attribute not in record:
            continue
        value = record[attribute]
        if attribute in identity:
            if text_value(value) is not None:
                body[attribute] = text_value(value)
        else:
            body[attribute] = value if value is None or isinstance(value, str) else text_value(value)
    return body


def text_list(record: Mapping[str, Any], attribute: str, body: dict[str, Any]) -> None:
    """Put a list of text (`tags`, `domain_names`) into `body`: a list, or space-separated words."""
    if attribute not in record:
        return
    value = record[attribute]
    if value is None:
        body[attribute] = []
    elif isinstance(value, str):
        body[attribute] = value.split()
    elif isinstance(value, list) and all(isinstance(item, (str, int)) for item in value):
        body[attribute] = [str(item) for item in value]
    else:
        msg = f"{attribute}: expected a list of text, got {type(value).__name__}"
        raise InvalidFieldsError(msg)


def flags(record: Mapping[str, Any], attributes: Iterable[str], body: dict[str, Any]) -> None:
    """Put true/false attributes into `body` (null leaves Zendesk's value)."""
    for attribute in attributes:
        value = record.get(attribute)
        if value is None:
            continue
        if not isinstance(value, bool):
            msg = f"{attribute}: expected true or false, got {value!r}"
            raise InvalidFieldsError(msg)
        body[attribute] = value
