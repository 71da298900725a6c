"""A package's names loaded from their modules when first asked for (PEP 562): the app's first
frame imports a package for one light name without the heavy modules beside it (the session's
card parsers and cryptography, the configuration's pydantic schema)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def module_getattr(package: str, module_of: Mapping[str, str],
                   namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The package's `__getattr__`: `name` from `<package>.<module_of[name]>`, kept in the
    package's `namespace` so that it is looked up once."""
    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value
    return __getattr__
