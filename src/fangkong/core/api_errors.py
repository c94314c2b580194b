"""The one shape of the API's error answers, and the rule that puts every
error status an operation can answer into the OpenAPI document.

Every error is JSON: ``{"detail": "<reason>"}``, and for invalid input (422)
also ``errors``: field → messages in the user's language. What each status
means is in ``STATUS_MEANING`` (also shown on the docs page). fangkong.api maps
exceptions to these statuses in one place; ``document_errors`` adds them to
each operation of the document, so the document says what the API does."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Schema
from pydantic import Field

# The largest id a database row can have (signed 64-bit): anything bigger is
# malformed input, not a missing row, and must not reach the database driver.
MAX_ID = 2**63 - 1


def path_id(pk: int) -> int:
    """An id from a URL path, or Http404 (the same answer as a missing row)
    when no row can have it."""
    if not 1 <= pk <= MAX_ID:
        raise Http404
    return pk


class Conflict(ValidationError):
    """A write the current state of the records forbids (a person with
    follow-ups cannot be deleted): pages show the message (400, or the form's
    own status), the API answers 409 with it."""


STATUS_MEANING = {
    400: "unreadable request: the body is not JSON, or a NUL character in the query or body",
    401: "not authenticated: no token, or an expired or revoked one",
    403: "not allowed: your role lacks the capability (or a signed-in browser session sent no CSRF token)",
    404: "not found: missing, outside your jurisdiction (the same answer), or a division outside it",
    409: "conflict: already registered",
    413: "request body too large",
    422: "invalid input: `errors` gives field → messages",
    429: "too many requests: wait `Retry-After` seconds",
}


class ErrorOut(Schema):
    detail: str = Field(description="why, in a few words")


class ValidationErrorOut(Schema):
    detail: Literal["invalid"]
    errors: dict[str, list[str]] = Field(
        description="field name → messages in the user's language; ``__all__`` for errors not tied to one field"
    )


def _error_content(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error statuses every operation can answer, each with its schema:
    401 and 403 where a token is needed; 404 where the path names a record or
    the query a division; 422 where there is input; 400 and 413 where there is
    a body. Statuses a router declared itself are kept as they are."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut):
        schemas.setdefault(model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            params = operation.get("parameters", [])
            has_body = "requestBody" in operation
            statuses = {400}  # a NUL anywhere in the query is refused before routing (core.middleware)
            if operation.get("security"):
                statuses |= {401, 403}
            if any(p["in"] == "path" for p in params) or any(p["name"] in ("division", "prefix") for p in params):
                statuses.add(404)
            if params or has_body:
                statuses.add(422)
            if has_body:
                statuses.add(413)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": STATUS_MEANING[status],
                        "content": _error_content("ValidationErrorOut" if status == 422 else "ErrorOut"),
                    }
            for status, response in responses.items():
                if int(status) in STATUS_MEANING and response.get("description") in ("", "OK", None):
                    response["description"] = STATUS_MEANING[int(status)]
    return document
