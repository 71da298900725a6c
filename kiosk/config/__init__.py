"""Layered, validated configuration: default < site < fleet.

Names are loaded from their module when first asked for (PEP 562): the app reads its run
directory from the files (`layers`, no pydantic) before its first frame, and validates the
whole against the schema (pydantic, 0.3 s of imports) after it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_MODULE_OF = {
    "ConfigError": "layers", "site_run_dir": "layers",
    "LoadedConfig": "loader", "check_file": "loader", "load_config": "loader",
    "load_layers": "loader",
    "KioskConfig": "schema",
}
__all__ = ["ConfigError", "KioskConfig", "LoadedConfig", "check_file", "load_config", "load_layers",
           "site_run_dir"]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from kiosk.config.layers import ConfigError, site_run_dir
    from kiosk.config.loader import LoadedConfig, check_file, load_config, load_layers
    from kiosk.config.schema import KioskConfig
