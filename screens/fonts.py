"""A CJK font with Simplified-Chinese glyph shapes as Kivy's default.

Kivy opens the first face of a .ttc; in Debian's NotoSansCJK-Regular.ttc that is the Japanese
face, so 直 骨 角 冷 come out in Japanese shapes. The SC face is extracted once with fontTools
into the Kivy home and registered under Kivy's default font name.
"""

from __future__ import annotations

import os
from pathlib import Path


SC_FAMILY = "Noto Sans CJK SC"
COLLECTIONS = {
    "Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}


class FontMissing(RuntimeError):
    pass


def extract_sc_face(collection: Path, out: Path) -> Path:
    """Write the Simplified-Chinese face of `collection` to `out` (once) and return it."""
    if out.exists() and out.stat().st_size > 0:
        return out
    if not collection.exists():
        raise FontMissing(f"{collection} is missing: install fonts-noto-cjk")
    from fontTools.ttLib import TTCollection  # only to extract the face, once (not at each start)

    for face in TTCollection(str(collection)).fonts:
        if face["name"].getDebugName(1) == SC_FAMILY:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(f".{os.getpid()}.tmp")  # apps starting at once share a cache
            face.save(str(tmp))
            tmp.replace(out)
            return out
    raise FontMissing(f"{collection} has no {SC_FAMILY} face")


def register_default_font(cache_dir: Path) -> dict[str, Path]:
    """Make the SC faces Kivy's default font (Roboto's name, so every widget uses them), and
    register the icon font beside it."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    faces = {style: extract_sc_face(ttc, cache_dir / f"NotoSansCJKsc-{style}.otf")
             for style, ttc in COLLECTIONS.items()}
    LabelBase.register(DEFAULT_FONT, str(faces["Regular"]), fn_bold=str(faces["Bold"]))
    faces["Icons"] = register_icon_font()
    return faces


# Icons: Google's Material Icons (Apache-2.0), from Debian's fonts-material-design-icons-iconfont
# (setup.sh, systemd/install-runtime.sh). A glyph is named as in the font's codepoints list;
# only the names the screens use are listed, each one checked against the font by
# tests/ui/test_icons.py.
ICON_FONT = "KioskIcons"
ICON_FONT_FILE = Path(
    "/usr/share/fonts/truetype/material-design-icons-iconfont/MaterialIcons-Regular.ttf")
ICONS: dict[str, str] = {
    "apply": "\ue873",  # description
    "progress": "\ue8e1",  # track_changes
    "collect": "\ue7af",  # workspace_premium
    "pay": "\uef63",  # payments
    "appointment": "\ue878",  # event
    "evaluate": "\ue8dc",  # thumb_up
    "home": "\ue88a",
    "exit": "\ue9ba",  # logout
    "language": "\ue894",
    "call_staff": "\uf0e2",  # support_agent
    "repeat_voice": "\ue050",  # volume_up
    "check": "\ue5ca",
    "done": "\ue86c",  # check_circle
    "warning": "\ue002",
    "error": "\ue000",
    "timer": "\ue425",
    "schedule": "\ue8b5",
    "place": "\ue55f",
    "terminal": "\ue30a",  # computer
    "inbox": "\ue156",
    "elder": "\uf21a",  # elderly
    "contrast": "\ueb37",
    "search": "\ue8b6",
    "print": "\ue8ad",
    "delete": "\ue872",
    "next": "\ue5c8",  # arrow_forward
    "back": "\ue5c4",  # arrow_back
}


def register_icon_font() -> Path:
    """Register the icon font under ICON_FONT (markup: `[font=KioskIcons]…[/font]`)."""
    from kivy.core.text import LabelBase

    if not ICON_FONT_FILE.exists():
        raise FontMissing(f"{ICON_FONT_FILE} is missing: install fonts-material-design-icons-iconfont")
    LabelBase.register(ICON_FONT, str(ICON_FONT_FILE))
    return ICON_FONT_FILE
