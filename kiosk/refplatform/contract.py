"""The OpenAPI document applied at the door: requests checked, responses optionally checked.

openapi-core validates each request against `kiosk/api/openapi.yaml`; its errors are turned
into problems that name the parameter or the body path and the rule broken, never the value
(openapi-core's own messages quote values, which may be an ID number). With response checking
on, every answer the platform gives is held to the same document, so the reference platform
proves in every test that it keeps the contract it demonstrates.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from flask import Request, Response
from jsonschema import Draft202012Validator
from openapi_core import OpenAPI
from openapi_core.contrib.flask import FlaskOpenAPIRequest
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIResponse
from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    InvalidParameter, InvalidRequestBody, MissingRequiredParameter, MissingRequiredRequestBody,
    ParameterValidationError, RequestBodyValidationError, SecurityValidationError)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

from kiosk.api import load_spec
from kiosk.refplatform.problems import Problem, schema_error_entry

log = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class ContractViolation(Exception):
    """The platform was about to answer something the contract does not allow."""


def _schema_errors(exc: Exception) -> list[Any]:
    cause = exc.__cause__
    if isinstance(cause, InvalidSchemaValue):
        return list(cause.schema_errors)
    return []


class Contract:
    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = spec or load_spec()
        self.openapi = OpenAPI.from_dict(self.spec)
        self._problem = Draft202012Validator(self.spec["components"]["schemas"]["Problem"])
        self._query_names: dict[str, set[str]] = {}
        self._templates: list[tuple[re.Pattern[str], bool, list[str]]] = []
        for template, item in self.spec["paths"].items():
            methods = [m.upper() for m in item if m in HTTP_METHODS]
            pattern = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$")
            self._templates.append((pattern, "{" not in template, methods))
            for method in methods:
                op = item[method.lower()]
                self._query_names[op["operationId"]] = {
                    p["name"] for p in item.get("parameters", []) + op.get("parameters", [])
                    if "$ref" not in p and p["in"] == "query"}

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the document gives the path (after the base), for an `Allow` header.

        A literal path wins over a template (`/applications/query` is not a receipt number).
        """
        literal = [m for pattern, fixed, m in self._templates if fixed and pattern.match(path)]
        if literal:
            return sorted(literal[0])
        return sorted({m for pattern, _, ms in self._templates if pattern.match(path) for m in ms})

    def check_request(self, request: Request) -> None:
        """Raise a Problem (400/401/415) unless the request follows the contract."""
        known = self._query_names.get(request.url_rule.endpoint if request.url_rule else "", set())
        unknown = sorted(set(request.args) - known)
        if unknown:
            raise Problem(400, "validation_failed", "unknown query parameters",
                          errors=[{"path": "query", "message": "not a parameter of this operation"}])
        try:
            self.openapi.validate_request(FlaskOpenAPIRequest(request))
        except MissingRequiredParameter as exc:
            raise Problem(400, "validation_failed", "a required parameter is missing",
                          errors=[{"path": exc.name, "message": "required"}]) from None
        except InvalidParameter as exc:
            errors = [schema_error_entry(e, exc.name) for e in _schema_errors(exc)]
            raise Problem(400, "validation_failed", "a parameter is not valid",
                          errors=errors or [{"path": exc.name, "message": "not valid"}]) from None
        except ParameterValidationError as exc:
            raise Problem(400, "validation_failed", "a parameter cannot be read",
                          errors=[{"path": exc.name, "message": "cannot be read"}]) from None
        except MissingRequiredRequestBody:
            raise Problem(400, "validation_failed", "a request body is required") from None
        except InvalidRequestBody as exc:
            errors = [schema_error_entry(e, "body") for e in _schema_errors(exc)]
            raise Problem(400, "validation_failed", "the body does not follow the contract",
                          errors=errors) from None
        except RequestBodyValidationError as exc:
            if isinstance(exc.__cause__, MediaTypeNotFound):
                raise Problem(415, "unsupported_media_type",
                              "the body must be application/json") from None
            if isinstance(exc.__cause__, MediaTypeDeserializeError):
                raise Problem(400, "bad_request", "the body is not valid JSON") from None
            raise Problem(400, "bad_request", "the body cannot be read") from None
        except SecurityValidationError:
            raise Problem(401, "unauthorized", "a kiosk credential is required") from None

    def check_response(self, request: Request, response: Response) -> None:
        """Raise ContractViolation if the answer breaks the document.

        Problems are held to the Problem schema (including statuses such as 405 or 415 that an
        operation does not list); everything else to the operation's declared response.
        """
        if response.mimetype == PROBLEM_TYPE:
            errors = list(self._problem.iter_errors(response.get_json()))
            if errors:
                raise ContractViolation("problem document: " + "; ".join(
                    f"{e.validator} at /{'/'.join(map(str, e.absolute_path))}" for e in errors))
            return
        if response.status_code == 204:
            self._check_empty(request, response)
            return
        if not (response.mimetype or "").endswith("json"):
            self._check_binary(request, response)
            return
        try:
            self.openapi.validate_response(FlaskOpenAPIRequest(request),
                                           WerkzeugOpenAPIResponse(response))
        except Exception as exc:
            details = [f"{e.validator} at /{'/'.join(map(str, e.absolute_path))}"
                       for e in _schema_errors(exc)]
            raise ContractViolation(f"{type(exc).__name__} for {response.status_code}"
                                    + (": " + "; ".join(details) if details else "")) from None

    def _declared(self, request: Request, status: int) -> dict[str, Any] | None:
        rule = request.url_rule.rule if request.url_rule else ""
        path = rule.replace("/api/v1", "", 1).replace("<", "{").replace(">", "}")
        operation = self.spec["paths"].get(path, {}).get(request.method.lower(), {})
        return operation.get("responses", {}).get(str(status))

    def _check_empty(self, request: Request, response: Response) -> None:
        """A 204: declared, and nothing in it."""
        if self._declared(request, 204) is None:
            raise ContractViolation("204 is not declared")
        if response.get_data():
            raise ContractViolation("204 has a body")

    def _check_binary(self, request: Request, response: Response) -> None:
        """A non-JSON answer (the PDF): declared status and media type, and not empty.

        openapi-core would read a binary body as a JSON Schema string and refuse it.
        """
        declared = self._declared(request, response.status_code) or {}
        if response.mimetype not in declared.get("content", {}):
            raise ContractViolation(f"{response.status_code} {response.mimetype} is not declared")
        if not response.get_data():
            raise ContractViolation(f"{response.status_code} {response.mimetype} is empty")


@cache
def default_contract() -> Contract:
    """The contract of `kiosk/api/openapi.yaml`, built once per process (building takes ~0.3 s)."""
    return Contract()
