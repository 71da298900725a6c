"""A CJK font with Simplified-Chinese glyph shapes as Kivy's default.

Kivy opens the first face of a .ttc; in Debian's NotoSansCJK-Regular.ttc that is the Japanese
face, so 直 骨 角 冷 come out in Japanese shapes. The SC face is extracted once with fontTools
into the Kivy home and registered under Kivy's default font name.
"""

from __future__ import annotations

import os
from pathlib import Path

from fontTools.ttLib import TTCollection

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
    for face in TTCollection(str(collection)).fonts:
        if face["name"].getDebugName(1) == SC_FAMILY:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(f".{os.getpid()}.tmp")  # apps starting at once share a cache
            face.save(str(tmp))
            tmp.replace(out)
            return out
    raise FontMissing(f"{collection} has no {SC_FAMILY} face")


def register_default_font(cache_dir: Path) -> dict[str, Path]:
    """Make the SC faces Kivy's default font (Roboto's name, so every widget uses them)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    faces = {style: extract_sc_face(ttc, cache_dir / f"NotoSansCJKsc-{style}.otf")
             for style, ttc in COLLECTIONS.items()}
    LabelBase.register(DEFAULT_FONT, str(faces["Regular"]), fn_bold=str(faces["Bold"]))
    return faces
