"""Renders each text twice, as Kivy's Label/Button draws it and as screens.glass's InkLabel /
InkButton draws it (only the inked part of the texture), each into its own framebuffer on the
same ground, and prints how many pixels differ: one JSON line "INK {...}"; and whether PNGs
made into textures by screens.picture equal Kivy's own: "PICTURE [...]"; then exits.

  python tests/ui/ink_app.py --kivy-home DIR [--fonts DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# (kind, text, font size, halign, text_size[, valign]): what the frame and home draw, and
# harder cases (text in a corner of its texture: a box upside down or mirrored would cut it)
CASES = [
    ("label", "[b]办理进度[/b] top", 40, "left", "box", "top"),
    ("label", "bottom right 右下", 40, "right", "box", "bottom"),
    ("label", "[b]政务服务大厅[/b]", 26, "left", "box"),
    ("label", "政务服务 24小时自助", 48, "left", "box"),
    ("label", "Government services, 24 hours, a title long enough to wrap onto a second line", 48, "left", "box"),
    ("button", "{icon_apply}\n申请办理", 44, "center", "width"),
    ("button", "{icon_collect}\nCollect and print certificates", 66, "center", "width"),
    ("button", "{icon_apply}\nApply for a service\n[size=32]Not available now: the printer is out of paper[/size]", 44, "center", "width"),
    ("button", "{icon_elder} 长辈模式", 32, "center", None),
    ("button", "[i]Italic overhang ƒ j y[/i] Wj", 48, "center", None),
    ("label", "", 32, "left", "box"),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kivy-home", type=Path, required=True)
    parser.add_argument("--fonts", type=Path, default=None)
    args = parser.parse_args()
    from screens import environment

    environment.prepare(args.kivy_home, 800, 600)
    from screens.fonts import register_default_font

    register_default_font(args.fonts or args.kivy_home / "fonts")
    import numpy as np
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    from screens.glass import InkButton, InkLabel
    from screens.widgets import icon

    icons = {f"icon_{name}": icon(name, 70) for name in ("apply", "collect", "elder")}

    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels
    from kivy.uix.widget import Widget

    root = Widget()
    todo = [(case, cls) for case in CASES
            for cls in ((Button, InkButton) if case[0] == "button" else (Label, InkLabel))]
    pictures: list[np.ndarray] = []

    def show(_dt: float) -> None:
        """Put the next widget on the window; read the window back once it was drawn."""
        if not todo:
            report()
            return
        (_kind, text, size, halign, text_size, *valign), cls = todo.pop(0)
        widget = cls(text=text.format(**icons), markup=True, font_size=size, halign=halign,
                     valign=(valign or ["middle"])[0], pos=(13, 17), size=(761, 351), color=(0.1, 0.12, 0.16, 1))
        if isinstance(widget, Button):
            widget.background_normal = ""
            widget.background_color = (1, 1, 1, 1)
        if text_size == "box":
            widget.text_size = widget.size
        elif text_size == "width":
            widget.text_size = (widget.width - 24, None)
        root.clear_widgets()
        root.add_widget(widget)
        pictures.append(widget)  # replaced by its picture once drawn
        Clock.schedule_once(read, 0.3)

    def read(_dt: float) -> None:
        widget = pictures.pop()
        data = glReadPixels(0, 0, Window.width, Window.height, GL_RGB, GL_UNSIGNED_BYTE)
        pictures.append((widget, np.frombuffer(data, np.uint8).reshape(Window.height,
                                                                         Window.width, 3)))
        Clock.schedule_once(show, 0)

    def compare_pictures() -> list[dict]:
        """Each PNG through Kivy's loader and through screens.picture (decoded off the main
        loop, uploaded on it): the same texture, pixel for pixel and the same way up."""
        import io

        from kivy.core.image import Image as CoreImage
        from PIL import Image as PilImage

        from kiosk.journeys.payment import qr_png
        from screens.picture import decode_png, texture_of

        base = PilImage.radial_gradient("L").resize((333, 271))  # odd widths: row alignment
        pngs = {"qr (1 bit)": qr_png("https://pay.example/q?id=1")}
        for mode in ("L", "LA", "RGB", "RGBA", "P"):
            picture = base.convert(mode) if mode != "RGB" else PilImage.merge(
                "RGB", (base, base.transpose(PilImage.Transpose.FLIP_TOP_BOTTOM), base))
            buffer = io.BytesIO()
            picture.save(buffer, "PNG")
            pngs[mode] = buffer.getvalue()
        out = []
        for name, png in pngs.items():
            kivy = CoreImage(io.BytesIO(png), ext="png").texture
            ours = texture_of(decode_png(png))
            out.append({"picture": name, "size": list(ours.size),
                        "same": kivy.size == ours.size and kivy.pixels == ours.pixels
                        and list(kivy.tex_coords) == list(ours.tex_coords)})
        return out

    def report() -> None:
        print("PICTURE", json.dumps(compare_pictures()), flush=True)
        out = []
        for (plain, a), (inked, b) in zip(pictures[::2], pictures[1::2], strict=True):
            out.append({"text": plain.text[:24], "differ": int(np.any(a != b, axis=2).sum()),
                        "inked": bool((a.min(axis=2) < 128).any()),
                        "quad": list(inked.ink_size), "texture": list(plain.texture_size)})
        print("INK", json.dumps(out, ensure_ascii=False), flush=True)
        App.get_running_app().stop()

    class InkApp(App):
        def build(self):  # type: ignore[no-untyped-def]
            Window.clearcolor = (0.96, 0.97, 0.99, 1)
            Clock.schedule_once(show, 0.5)
            return root

    InkApp().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
