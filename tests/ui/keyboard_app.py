"""A Kivy app holding only the on-screen keyboard and the field it types into, for the UI tests.

The app has no form screen yet, so the keyboard is tried on its own, in its own process under
the tests' Xvfb, driven through the project's UI driver (taps are real Kivy touches). The
field's value is shown as one line "TEXT:<value>" and, after Done, "DONE:<value>". The state
also gives every kid's size in pixels (the keys are held to 15 mm), text and disabled state.

  python tests/ui/keyboard_app.py --port P --kivy-home DIR [--modes pinyin,letters,digits]
      [--extras X] [--max-length N] [--elder] [--language en] [--ime-gate FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


@dataclass
class Prefs:
    language: str
    elder_mode: bool
    high_contrast: bool = False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--kivy-home", type=Path, required=True)
    parser.add_argument("--fonts", type=Path, default=None)
    parser.add_argument("--modes", default="pinyin,letters,digits")
    parser.add_argument("--extras", default="")
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--elder", action="store_true")
    parser.add_argument("--language", default="zh-CN")
    parser.add_argument("--ime-gate", type=Path, default=None,
                        help="hold the pinyin index back until this file exists")
    args = parser.parse_args()

    from screens import environment

    environment.prepare(args.kivy_home, 1920, 1080)
    from screens.fonts import register_default_font

    register_default_font(args.fonts or args.kivy_home / "fonts")

    from kivy.app import App
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import Screen, ScreenManager

    from kiosk.i18n import Translator
    from kiosk.ime.composer import SHARED_IME, Composer, ImeLoader
    from kiosk.ime.pinyin import default_ime
    from screens.keyboard import OnScreenKeyboard
    from screens.theme import theme
    from screens.uidriver import UiDriver

    loader = SHARED_IME
    if args.ime_gate is not None:
        def slow_load():  # type: ignore[no-untyped-def]
            while not args.ime_gate.exists():
                time.sleep(0.05)
            return default_ime()

        loader = ImeLoader(slow_load)
    composer = Composer(args.modes.split(","), extras=args.extras, max_length=args.max_length,
                        ime=loader.get)

    class KeyboardApp(App):
        def __init__(self) -> None:
            super().__init__()
            self.prefs = Prefs(args.language, args.elder)
            self.translator = Translator(args.language)
            self.theme = theme(args.elder, False)
            self.manager: ScreenManager | None = None

        def build(self) -> ScreenManager:
            field = Label(text="TEXT:", font_size=self.theme.title_px, color=(0, 0, 0, 1))
            field.kid = "field"
            done = Label(text="", font_size=self.theme.text_px, color=(0, 0, 0, 1),
                         size_hint_y=None, height=60)
            done.kid = "field_done"
            keyboard = OnScreenKeyboard(
                self, composer,
                on_change=lambda text: setattr(field, "text", f"TEXT:{text}"),
                on_done=lambda text: setattr(done, "text", f"DONE:{text}"),
                loader=loader)
            box = BoxLayout(orientation="vertical")
            box.add_widget(field)
            box.add_widget(done)
            box.add_widget(keyboard)
            screen = Screen(name="keyboard")
            screen.add_widget(box)
            self.manager = ScreenManager()
            self.manager.add_widget(screen)
            return self.manager

    class KeyboardDriver(UiDriver):
        def state(self):  # type: ignore[no-untyped-def]
            state = super().state()
            if state.get("ready"):
                screen = self.app.manager.current_screen
                kids = [w for w in screen.walk() if getattr(w, "kid", None)]
                state["sizes"] = {w.kid: [round(w.width), round(w.height)] for w in kids}
                state["labels"] = {w.kid: w.text for w in kids if hasattr(w, "text")}
                state["disabled"] = sorted(w.kid for w in kids if w.disabled)
            return state

    app = KeyboardApp()
    KeyboardDriver(app, args.port).start()
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
