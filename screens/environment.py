"""Kivy's process-wide settings, applied before the first `import kivy` (they are read then).

Why each matters on an unattended terminal (see shared/design/PITFALLS.md):
- KIVY_HOME in the run directory: never ~/.kivy of whoever starts it, and writable.
- No console/file log of Kivy's own: its log goes through ours, which masks personal data.
- No command-line parsing by Kivy (it would swallow our options).
- Fullscreen under a bare X server draws only a corner: borderless + explicit size instead.
- No escape key exit, no cursor, no screensaver; input providers chosen explicitly (the
  default adds probesysfs on top of SDL's mouse and doubles every touch).
- No multisampling (a frame drawn in software costs twice as much with it).
- No Kivy module, whatever a config.ini in KIVY_HOME lists: the inspector (Ctrl+E), the
  screenshot and keybinding modules (F11/F12) and the console answer keys a keyboard plugged
  into the terminal could press (tests/ui/test_lockdown.py). F1's settings panel is the App's
  (screens/app.py refuses it).
"""

from __future__ import annotations

import os
from pathlib import Path


def prepare(kivy_home: Path, width: int, height: int) -> None:
    """Call once, before anything imports kivy."""
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(kivy_home)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ.setdefault("KIVY_WINDOW", "sdl2")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "log_level", "warning")
    Config.set("graphics", "fullscreen", "0")
    Config.set("graphics", "borderless", "1")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")
    Config.set("graphics", "show_cursor", "0")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "resizable", "0")
    # no multisampling: the terminal's edges are straight or come in textures, and where GL is
    # drawn by the CPU (a terminal without a GPU, the tests under Xvfb) it doubled every frame
    Config.set("graphics", "multisamples", "0")
    for option in list(Config.options("input")) if Config.has_section("input") else []:
        Config.remove_option("input", option)
    Config.set("input", "mouse", "mouse,disable_multitouch")
    for option in list(Config.options("modules")) if Config.has_section("modules") else []:
        Config.remove_option("modules", option)
