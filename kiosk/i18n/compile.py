"""`python -m kiosk.i18n.compile`: the catalogues' .po files compiled into the .mo files the
app loads.

The .mo files are kept in git beside their .po: parsing a .po with Babel took 87 ms of the
app's first frame (both languages are on the attract loop), loading a .mo takes about 1 ms.
`tests/i18n/test_compiled.py` fails while a .mo is not what its .po compiles to, so one cannot
be edited without the other. Fuzzy entries are left out (a fuzzy guess is not a translation).
"""

from __future__ import annotations

import io

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.i18n import _LOCALES, DOMAINS, LANGUAGES, mo_path, po_path


def compiled(language: str, domain: str) -> bytes:
    """What the language's .po of `domain` compiles to."""
    with po_path(language, domain).open("rb") as f:
        catalog = read_po(f, locale=_LOCALES[language][0], domain=domain)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main() -> int:
    for domain in DOMAINS:
        for language in LANGUAGES:
            mo_path(language, domain).write_bytes(compiled(language, domain))
            print(f"compiled {mo_path(language, domain)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
