"""`python -m screens.panel --control URL`: the demo's emulator control panel (a second window).

For a demonstrator beside the app: place or remove a card, show a QR code, place a document,
run the printer out of paper. The buttons and what they send are `kiosk.demo.panel.PANEL`;
a press is sent on a worker thread so the panel never freezes while an emulator answers.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path


def _prepare_kivy(width: int, height: int, left: int) -> None:
    home = Path(os.environ.get("KIOSK_PANEL_HOME", "run/panel-kivy")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(home)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", str(left))
    Config.set("graphics", "top", "0")
    for option in list(Config.options("input")) if Config.has_section("input") else []:
        Config.remove_option("input", option)
    Config.set("input", "mouse", "mouse,disable_multitouch")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m screens.panel")
    parser.add_argument("--control", required=True, help="the simulation's control URL")
    parser.add_argument("--emulators", default="", help="comma-separated running emulators")
    parser.add_argument("--left", type=int, default=0)
    parser.add_argument("--press-all", action="store_true",
                        help="press every button once, print the outcomes and exit (a check)")
    args = parser.parse_args(argv)
    _prepare_kivy(460, 800, args.left)
    from screens.fonts import register_default_font

    register_default_font(Path(os.environ["KIVY_HOME"]) / "fonts")

    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    from kiosk.demo.panel import PanelButton, buttons, press

    available = set(filter(None, args.emulators.split(","))) or None
    outcomes: list[str] = []

    class PanelApp(App):
        title = "模拟设备 Emulator panel"

        def build(self) -> BoxLayout:
            root = BoxLayout(orientation="vertical", padding=8, spacing=6)
            self.status = Label(text="", size_hint_y=None, height=48)
            self.buttons: list[Button] = []
            for title, row in buttons(available):
                root.add_widget(Label(text=title, size_hint_y=None, height=28, bold=True))
                line = BoxLayout(spacing=6, size_hint_y=None, height=56)
                for spec in row:
                    button = Button(text=spec.label, font_size=15)
                    button.bind(on_release=lambda _b, s=spec: self.send(s))
                    button.spec = spec
                    self.buttons.append(button)
                    line.add_widget(button)
                root.add_widget(line)
            root.add_widget(self.status)
            if args.press_all:
                Clock.schedule_once(lambda _dt: self.press_all(), 0.5)
            return root

        def send(self, spec: PanelButton, done: threading.Event | None = None) -> None:
            def work() -> None:
                line = press(args.control, spec)
                outcomes.append(line)
                Clock.schedule_once(lambda _dt: setattr(self.status, "text", line), 0)
                if done is not None:
                    done.set()
            threading.Thread(target=work, daemon=True).start()

        def press_all(self) -> None:
            def work() -> None:
                for button in self.buttons:
                    done = threading.Event()
                    Clock.schedule_once(lambda _dt, b=button, d=done: self.send(b.spec, d), 0)
                    done.wait(15)
                Clock.schedule_once(lambda _dt: self.stop(), 0)
            threading.Thread(target=work, daemon=True).start()

    PanelApp().run()
    for line in outcomes:
        print(line)
    return 0 if all(line.endswith(": ok") for line in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
