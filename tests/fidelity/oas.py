"""Zendesk's OAS as a validator of response bodies, with exactly the allowances docs/wire-notes.md lists.

docs/wire-notes.md "Reading the OAS against real responses" names three ways real responses break the OAS:
null arrives where the OAS types a value as non-null, ticket `status` can be `"deleted"`, and `oneOf`
branches overlap once null is admitted. `relax` applies those three and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

# Vendored, byte for byte, with its provenance in docs/reference/README.md.
OAS_PATH = Path(__file__).parents[2] / "docs" / "reference" / "zendesk-oas.yaml"

# The ticket status enum as the OAS spells it; real exports also send "deleted" (wire notes §2).
TICKET_STATUS_ENUM = frozenset({"new", "open", "pending", "hold", "solved", "closed"})
DELETED_TICKET_STATUS = "deleted"

_JSON_SUFFIX = ".json"
_API_ROOT = "/api/v2/"
# The one operation outside /api/v2: Zendesk's OAuth token endpoint (wire notes §24).
_TOKEN_PATH = "/oauth/tokens"  # noqa: S105 - a path, not a secret

JsonDict = dict[str, Any]


class OasError(LookupError):
    """The OAS has no operation, response or schema for what was asked."""


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


def _oas_loader() -> type[yaml.SafeLoader]:
    """Return a YAML loader that reads the OAS as JSON would (libyaml's when available: ~1 s, not ~10 s)."""
    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: type[yaml.SafeLoader] = type("OasLoader", (base,), {})
    # The OAS has a plain `=` scalar (lines 32367, 32370) that PyYAML resolves to the `value` tag.
    loader.add_constructor("tag:yaml.org,2002:value", _scalar)
    # Example timestamps would become datetime objects; JSON bodies carry them as strings.
    loader.add_constructor("tag:yaml.org,2002:timestamp", _scalar)
    return loader


def load_oas(path: Path = OAS_PATH, cache_dir: Path | None = None) -> JsonDict:
    """Parse the OAS file, reusing a JSON copy in `cache_dir` keyed by the file's sha256."""
    raw = path.read_bytes()
    cached = None
    if cache_dir is not None:
        digest = hashlib.sha256(raw).hexdigest()
        cached = cache_dir / f"zendesk-oas-{digest}.json"
        if cached.is_file():
            loaded: JsonDict = json.loads(cached.read_text(encoding="utf-8"))
            return loaded
    document: JsonDict = yaml.load(raw, Loader=_oas_loader())  # noqa: S506 - a SafeLoader subclass
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(document), encoding="utf-8")
        partial.replace(cached)
    return document


def api_path(request_path: str) -> str:
    """Return the `/api/v2/...` part of a request path without any prefix or `.json` suffix.

    `/oauth/tokens` after any prefix is returned as `/oauth/tokens`, the path the OAS declares it under.
    """
    start = request_path.find(_API_ROOT)
    if start < 0:
        if request_path.split("?", 1)[0].endswith(_TOKEN_PATH):
            return _TOKEN_PATH
        message = f"not a Zendesk API path: {request_path}"
        raise OasError(message)
    path = request_path[start:].split("?", 1)[0]
    return path.removesuffix(_JSON_SUFFIX)


def _template_matches(template: str, segments: list[str]) -> bool:
    parts = template.strip("/").split("/")
    if len(parts) != len(segments):
        return False
    return all(part.startswith("{") or part == segment for part, segment in zip(parts, segments, strict=True))


def _literal_count(template: str) -> int:
    return sum(not part.startswith("{") for part in template.strip("/").split("/"))


def _resolve(node: Any, document: JsonDict, trail: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_resolve(item, document, trail) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in trail:
            message = f"recursive $ref {ref}"
            raise OasError(message)
        return _resolve(_pointer(document, ref), document, (*trail, ref))
    return {key: _resolve(value, document, trail) for key, value in node.items()}


def _pointer(document: JsonDict, ref: str) -> Any:
    if not ref.startswith("#/"):
        message = f"only local $refs are expected in the Zendesk OAS, got {ref}"
        raise OasError(message)
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def relax(schema: Any) -> Any:
    """Return a copy of a resolved schema with the wire notes' three allowances and no other change."""
    if isinstance(schema, list):
        return [relax(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    relaxed = {key: relax(value) for key, value in schema.items()}
    if "oneOf" in relaxed:
        # Overlapping branches once null is admitted (e.g. job_status.results): read as anyOf.
        relaxed["anyOf"] = relaxed.pop("oneOf")
    if "type" in relaxed:
        # Real responses carry null for many non-nullable properties (priority, type, recipient...).
        relaxed["nullable"] = True
        if isinstance(relaxed.get("enum"), list) and None not in relaxed["enum"]:
            relaxed["enum"] = [*relaxed["enum"], None]
    enum = relaxed.get("enum")
    if isinstance(enum, list) and set(enum) >= TICKET_STATUS_ENUM and DELETED_TICKET_STATUS not in enum:
        relaxed["enum"] = [*enum, DELETED_TICKET_STATUS]
    return relaxed


class ZendeskOas:
    """The parsed OAS: finds operations by path + method and validates bodies against their responses."""

    def __init__(self, document: JsonDict) -> None:
        """Wrap a parsed OAS document."""
        self.document = document
        self._schemas: dict[tuple[str, str, str, bool], JsonDict | None] = {}
        self._validators: dict[tuple[str, str, str, bool], Any] = {}

    def template_for(self, request_path: str, method: str) -> str:
        """Return the OAS path template that serves this request path and method."""
        segments = api_path(request_path).strip("/").split("/")
        candidates: list[str] = [
            template
            for template, item in self.document["paths"].items()
            if method.lower() in item and _template_matches(template, segments)
        ]
        if not candidates:
            message = f"the OAS declares no operation {method.upper()} {api_path(request_path)}"
            raise OasError(message)
        # A literal segment beats a parameter: /records/count is not /records/{id}.
        return max(candidates, key=_literal_count)

    def operation(self, template: str, method: str) -> JsonDict:
        """Return the operation object of a path template and method."""
        try:
            found: JsonDict = self.document["paths"][template][method.lower()]
        except KeyError as missing:
            message = f"the OAS declares no operation {method.upper()} {template}"
            raise OasError(message) from missing
        return found

    def declared_statuses(self, template: str, method: str) -> list[str]:
        """Return the response status codes the OAS declares for an operation."""
        return sorted(self.operation(template, method).get("responses", {}))

    def response_schema(
        self, template: str, method: str, status: int, *, relaxed: bool = True
    ) -> JsonDict | None:
        """Return the resolved JSON schema of a declared response; None when it declares no body."""
        key = (template, method.lower(), str(status), relaxed)
        if key not in self._schemas:
            responses = self.operation(template, method).get("responses", {})
            if str(status) not in responses:
                message = f"the OAS declares no {status} for {method.upper()} {template}"
                raise OasError(message)
            response = _resolve(responses[str(status)], self.document)
            content = response.get("content", {}).get("application/json")
            schema = None if content is None else content["schema"]
            self._schemas[key] = relax(schema) if relaxed and schema is not None else schema
        return self._schemas[key]

    def component_errors(self, name: str, body: Any) -> list[str]:
        """Return every way `body` breaks the named (relaxed) component schema, as `path: message` lines."""
        key = ("#/components/schemas/" + name, "", "", True)
        if key not in self._validators:
            self._validators[key] = response_validator(relax(self.schema_component(name)))
        return list(validator_errors(self._validators[key], body))

    def schema_component(self, name: str) -> JsonDict:
        """Return a named schema from components, with its $refs resolved (not relaxed)."""
        resolved: JsonDict = _resolve(self.document["components"]["schemas"][name], self.document)
        return resolved

    def errors(
        self, template: str, method: str, status: int, body: Any, *, relaxed: bool = True
    ) -> list[str]:
        """Return every way `body` breaks the OAS response schema, as `path: message` lines."""
        key = (template, method.lower(), str(status), relaxed)
        if key not in self._validators:
            schema = self.response_schema(template, method, status, relaxed=relaxed)
            if schema is None:
                message = f"the OAS declares no JSON body for {status} of {method.upper()} {template}"
                raise OasError(message)
            self._validators[key] = response_validator(schema)
        return list(validator_errors(self._validators[key], body))


def response_validator(schema: Mapping[str, Any]) -> Any:
    """Return an OAS 3.0 validator that reads as a client does (writeOnly properties must be absent)."""
    return OAS30ReadValidator(dict(schema), format_checker=oas30_format_checker)


def schema_errors(schema: Mapping[str, Any], body: Any) -> Iterator[str]:
    """Yield every validation error of `body` against an OAS 3.0 schema, as `path: message` lines."""
    return validator_errors(response_validator(schema), body)


def validator_errors(validator: Any, body: Any) -> Iterator[str]:
    """Yield every validation error a validator finds in `body`, as `path: message` lines."""
    for error in sorted(validator.iter_errors(body), key=lambda found: list(map(str, found.absolute_path))):
        where = "/".join(str(part) for part in error.absolute_path) or "(body)"
        yield f"{where}: {_shorten(error.message)}"


def _shorten(message: str, limit: int = 300) -> str:
    flat = re.sub(r"\s+", " ", message)
    return flat if len(flat) <= limit else flat[:limit] + "..."
