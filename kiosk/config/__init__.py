"""Layered, validated configuration: default < site < fleet."""

from kiosk.config.loader import ConfigError, LoadedConfig, load_config, load_layers, check_file
from kiosk.config.schema import KioskConfig

__all__ = ["ConfigError", "KioskConfig", "LoadedConfig", "check_file", "load_config", "load_layers"]
