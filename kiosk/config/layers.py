"""The configuration files as read, before they are validated (no pydantic: the app draws
its first frame before the schema is imported, kiosk/config/loader.py validates after it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = PROJECT_ROOT / "config" / "default.toml"
SITE_ENV = "KIOSK_CONFIG"
MAX_CONFIG_BYTES = 1_000_000
# [ui]'s defaults, kept here (the schema's UiConfig takes them) because the app draws its first
# frame in them, before the schema is imported; a site that sets others is redrawn after it.
UI_LANGUAGE, UI_ELDER_MODE, UI_HIGH_CONTRAST = "zh-CN", False, False


class ConfigError(Exception):
    """A layer is unreadable or the merged configuration breaks the schema."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Layer:
    name: str  # "default", "site", "fleet"
    path: Path
    data: Mapping[str, Any]


def read_layer(name: str, path: Path) -> Layer:
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError([f"{path}: {size} bytes is too large for a configuration file"])
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file ({name} configuration)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return Layer(name, path, data)


def merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` laid over `base`, table by table (a new dict; neither input changes)."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def source_of(layers: Sequence[Layer], loc: tuple[str, ...]) -> str | None:
    """The file of the topmost layer that holds the longest prefix of `loc`."""
    for depth in range(len(loc), 0, -1):
        for layer in reversed(layers):
            node: Any = layer.data
            for part in loc[:depth]:
                if not isinstance(node, Mapping) or part not in node:
                    break
                node = node[part]
            else:
                return str(layer.path)
    return None


def site_run_dir(site: str | os.PathLike[str] | None = None) -> Path:
    """The run directory as the default and site files set it, read before the configuration is
    validated: the app keeps Kivy's home there, and Kivy's home must be set before Kivy is
    imported, which is before the first frame. A fleet layer cannot move it (it may not set
    `terminal.run_dir`, and is not read here); the validation that follows judges the rest."""
    layers = [read_layer("default", DEFAULT_FILE)]
    site = site or os.environ.get(SITE_ENV)
    if site:
        layers.append(read_layer("site", Path(site)))
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = merge(merged, layer.data)
    terminal = merged.get("terminal")
    run_dir = terminal.get("run_dir") if isinstance(terminal, Mapping) else None
    if not isinstance(run_dir, str) or not run_dir:
        where = source_of(layers, ("terminal", "run_dir")) or "built-in defaults"
        raise ConfigError([f"{where}: terminal.run_dir: a directory's path expected; "
                           f"got {run_dir!r}"])
    return Path(run_dir)
