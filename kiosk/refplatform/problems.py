"""Refusals as RFC 9457 problem documents with the contract's stable `code`.

A `Problem` is raised anywhere below the routes and turned into an `application/problem+json`
response by the app. Its texts are written here or by the caller, never formatted from request
values, so an ID number or a form value cannot leak into an error.
"""

from __future__ import annotations

from typing import Any

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
    500: "Internal Server Error",
}


class Problem(Exception):
    """A refusal; `errors` are `{path, message}` pairs naming fields, never their values."""

    def __init__(self, status: int, code: str, detail: str = "", *,
                 errors: list[dict[str, str]] | None = None, tries_left: int | None = None,
                 retry_after_s: int | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.tries_left = tries_left  # holder verification: wrong codes still allowed
        self.retry_after_s = retry_after_s  # 429: sent as Retry-After

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": f"urn:govkiosk:problem:{self.code}",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            doc["detail"] = self.detail
        if self.errors:
            doc["errors"] = self.errors
        if self.tries_left is not None:
            doc["tries_left"] = self.tries_left
        return doc


def not_found(what: str) -> Problem:
    return Problem(404, "not_found", f"no such {what}")


def conflict(code: str, detail: str) -> Problem:
    return Problem(409, code, detail)


def schema_error_entry(error: Any, prefix: str = "") -> dict[str, str]:
    """A jsonschema ValidationError as `{path, message}` with no trace of the instance value."""
    parts = [str(p) for p in error.absolute_path]
    path = "/".join(([prefix] if prefix else []) + parts)
    return {"path": path or (prefix or "/"), "message": describe(error)}


def describe(error: Any) -> str:
    """What a schema rule asks for, built from the rule (the schema), not from the value."""
    keyword = error.validator
    rule = error.validator_value
    if keyword == "required":
        missing = [name for name in rule if isinstance(error.instance, dict)
                   and name not in error.instance]
        return "required property missing: " + ", ".join(missing) if missing else "required"
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        return "properties not allowed here"
    if keyword == "type":
        return f"must be of type {rule}"
    if keyword == "pattern":
        return f"must match {rule}"
    if keyword == "format":
        return f"must be a valid {rule}"
    if keyword in ("enum", "const"):
        return f"must be one of {rule}" if keyword == "enum" else f"must equal {rule}"
    if keyword in ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
                   "exclusiveMaximum", "minItems", "maxItems", "minProperties", "maxProperties",
                   "multipleOf"):
        return f"violates {keyword} {rule}"
    return f"violates {keyword}"
