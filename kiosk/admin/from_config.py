"""The PIN gate as the configuration describes it (`[admin]`, `terminal.data_dir`).

Read with getattr until `[admin]` is in the schema: no section = no PIN = no admin screen.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.admin.pin import PinGate

STATE_NAME = "admin-pin-state.json"


def pin_state_path(config: object) -> Path:
    return Path(config.terminal.data_dir) / STATE_NAME  # type: ignore[attr-defined]


def pin_gate(config: object) -> PinGate:
    admin = getattr(config, "admin", None)
    if admin is None:
        return PinGate("", pin_state_path(config))
    return PinGate(admin.pin_hash, pin_state_path(config), free_tries=admin.lockout_free_tries,
                   base_delay_s=admin.lockout_base_s, max_delay_s=admin.lockout_max_s)
