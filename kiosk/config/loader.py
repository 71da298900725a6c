"""Reads the configuration layers and validates their merge against the one schema.

Errors name the file, the dotted key and what was expected, because the person reading them is
a technician at a terminal or a fleet manager about to push a change to hundreds of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

# read_layer, merge, Layer, ConfigError and DEFAULT_FILE are used from here by the fleet tools
from kiosk.config.layers import (DEFAULT_FILE, SITE_ENV, ConfigError, Layer, merge, read_layer,
                                 source_of)
from kiosk.config.remote import refusal
from kiosk.config.schema import KioskConfig

log = logging.getLogger(__name__)
FLEET_ENV = "KIOSK_FLEET_LAYER"


@dataclass(frozen=True)
class LoadedConfig:
    config: KioskConfig
    layers: tuple[Layer, ...]
    # the applied fleet layer as the updater recorded it (its file's SHA-256), "" = none used
    fleet_sha256: str = ""
    fleet_problem: str = ""  # why the applied fleet layer on disk was not used, "" = it was

    def source_of(self, dotted_key: str) -> str:
        """Which layer's file decided this key (the last one that set it), or 'built-in'."""
        return source_of(self.layers, tuple(dotted_key.split("."))) or "built-in"


def _describe(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "is not a known setting (misspelt, or in the wrong section?)"
    expected = err.get("msg", "invalid")
    if "input" in err and kind != "missing" and not isinstance(err["input"], Mapping):
        return f"{expected}; got {err['input']!r}"
    return expected


def validate_layers(layers: Sequence[Layer]) -> KioskConfig:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = merge(merged, layer.data)
    try:
        return KioskConfig.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            where = source_of(layers, loc) or "built-in defaults"
            key = ".".join(loc) or "(top level)"
            problems.append(f"{where}: {key}: {_describe(err)}")
        raise ConfigError(problems) from None


def load_layers(site: str | os.PathLike[str] | None = None,
                fleet: str | os.PathLike[str] | None = None,
                default: str | os.PathLike[str] | None = None) -> LoadedConfig:
    """default < site (argument or $KIOSK_CONFIG) < fleet (argument, $KIOSK_FLEET_LAYER, or
    the updater's `<fleet dir>/applied.toml` when that file exists)."""
    layers = [read_layer("default", Path(default) if default else DEFAULT_FILE)]
    site = site or os.environ.get(SITE_ENV)
    if site:
        layers.append(read_layer("site", Path(site)))
    fleet = fleet or os.environ.get(FLEET_ENV)
    sha, problem = "", ""
    if fleet:
        layer = read_layer("fleet", Path(fleet))
        refused = refusal(layer.data)
        if refused:
            raise ConfigError([f"{fleet}: {refused}"])
        layers.append(layer)
    else:
        applied = Path(validate_layers(layers).fleet_dir) / "applied.toml"
        if applied.is_file():
            layer, sha, problem = read_applied_layer(applied)
            if layer is None:
                log.error("fleet layer %s not used: %s", applied, problem)
            else:
                layers.append(layer)
    return LoadedConfig(validate_layers(layers), tuple(layers), sha, problem)


def recorded_hashes(fleet_dir: Path) -> set[str]:
    """The applied layer's file hashes the updater vouches for: the one applied and, while it
    is being applied, the one on its way."""
    try:
        state = json.loads((fleet_dir / "state.json").read_bytes())
    except (OSError, ValueError):
        return set()
    if not isinstance(state, dict):
        return set()
    records = [state.get("applied"), (state.get("pending") or {}).get("new")]
    return {str(r["file_sha256"]) for r in records
            if isinstance(r, dict) and r.get("file_sha256")}


def read_applied_layer(path: Path) -> tuple[Layer | None, str, str]:
    """The updater's layer (layer, its SHA-256, "") if it is byte for byte what the updater
    recorded and sets only what a fleet layer may; else (None, "", why). A layer changed by
    anyone else (an escaped UI, a restored backup) is not used: the terminal serves on with its
    default and site files, and says so."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, "", f"cannot be read: {exc.strerror or exc}"
    sha = hashlib.sha256(data).hexdigest()
    if sha not in recorded_hashes(path.parent):
        return None, "", "it is not the layer the fleet updater recorded (changed on disk)"
    try:
        layer = Layer("fleet", path, tomllib.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return None, "", f"not valid TOML: {exc}"
    refused = refusal(layer.data)
    if refused:
        return None, "", refused
    return layer, sha, ""


def load_config(site: str | os.PathLike[str] | None = None) -> KioskConfig:
    return load_layers(site).config


def check_file(path: str | os.PathLike[str]) -> KioskConfig:
    """Validate one file as it would be layered on top of the defaults."""
    return validate_layers([read_layer("default", DEFAULT_FILE), read_layer("file", Path(path))])
