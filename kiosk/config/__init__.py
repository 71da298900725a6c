"""Layered, validated configuration: default < site < fleet.

Names are loaded from their module when first asked for (PEP 562): the app reads its run
directory from the files (`layers`, no pydantic) before its first frame, and validates the
whole against the schema (pydantic, 0.3 s of imports) after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.lazy_names import module_getattr

_MODULE_OF = {
    "ConfigError": "layers", "site_run_dir": "layers",
    "LoadedConfig": "loader", "check_file": "loader", "load_config": "loader",
    "load_layers": "loader",
    "KioskConfig": "schema",
}
__all__ = ["ConfigError", "KioskConfig", "LoadedConfig", "check_file", "load_config", "load_layers",
           "site_run_dir"]


__getattr__ = module_getattr(__name__, _MODULE_OF, globals())


if TYPE_CHECKING:
    from kiosk.config.layers import ConfigError, site_run_dir
    from kiosk.config.loader import LoadedConfig, check_file, load_config, load_layers
    from kiosk.config.schema import KioskConfig
