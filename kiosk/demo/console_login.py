"""The line a demo prints so a person can open the operations console beside the sim."""

from __future__ import annotations

from typing import Any


def console_login(sim: Any) -> str:
    login = sim.control("platform", "console", {})
    return (f"operations console: {login['url']} — log in as {login['username']}, password "
            f"{login['password']}, code from `kiosk sim ctl platform console` "
            f"(now {login['code']})")
