"""Validators for the seed tests, built from the contract itself (kiosk/api/openapi.yaml)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from kiosk.api import load_spec


@cache
def contract_validator(name: str) -> Draft202012Validator:
    """A validator for one component schema; its `#/components/...` refs resolve in the spec."""
    wrapper = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": load_spec()["components"],
        "$ref": f"#/components/schemas/{name}",
    }
    return Draft202012Validator(wrapper, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors_of(validator: Draft202012Validator, instance: Any) -> list[str]:
    """Readable messages with the failing path, for assertion output."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(instance)]
