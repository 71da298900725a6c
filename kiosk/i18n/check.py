"""Catalogue checks run by tests/i18n: a string cannot reach a screen untranslated.

- `catalogue_problems()`: every language has exactly the same msgids, no empty or fuzzy
  translation, and the same placeholders in msgid and msgstr (a missing `%(n)d` would show
  the wrong number; an extra one would raise at run time).
- `untranslated(paths)`: the literals in `_()`, `gettext()`, `ngettext()`, `N_()`, `NP_()`
  calls of Python sources (extracted with Babel, exactly as pybabel does) and of `.kv` files
  that the catalogue lacks; `unused(paths)`: the catalogue's msgids no code marks.

Each check takes a catalogue `domain`: "kiosk" (the citizen app: kiosk/ and screens/ minus the
console) or "console" (kiosk/console: its Python and its Jinja templates, `{{ _("...") }}` and
`{% trans %}`); `CONSOLE_DIR` is left out of the kiosk domain's scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from kiosk.i18n import _LOCALES, DOMAIN, LANGUAGES, po_path

CONSOLE_DIR = Path(__file__).resolve().parents[1] / "console"
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}

_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")
# _("..."), _('...') and the other keywords inside kv rules (Kivy's kv language is not Python).
# pybabel's default keywords (_, gettext, ngettext, N_, ...) and kiosk.i18n.messages.NP_.
KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": (1, 2)}
_KV_CALL = re.compile(r"""\b(?:_|gettext|N_)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")

MsgId = str | tuple[str, ...]


def read_catalogue(language: str, domain: str = DOMAIN) -> Catalog:
    with po_path(language, domain).open("rb") as f:
        return read_po(f, locale=_LOCALES[language][0], domain=domain)


def placeholders(text: str) -> list[str]:
    """The `%` placeholders of a python-format string, sorted (`%%` is not one)."""
    return sorted(f"{name}:{conv}" for name, conv in _PLACEHOLDER.findall(text) if conv != "%")


def _ids(message_id: MsgId) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def catalogue_problems(catalogues: Mapping[str, Catalog] | None = None,
                       domain: str = DOMAIN) -> list[str]:
    """Every inconsistency between and inside the catalogues (by default the shipped ones of
    `domain`, first language as reference), as readable lines; [] means fine."""
    problems: list[str] = []
    if catalogues is None:
        catalogues = {lang: read_catalogue(lang, domain) for lang in LANGUAGES}
    ids = {lang: {m.id for m in cat if m.id} for lang, cat in catalogues.items()}
    first, *others = list(catalogues)
    reference = ids[first]
    for lang in others:
        for msgid in sorted(reference - ids[lang], key=str):
            problems.append(f"{lang}: missing {msgid!r} (present in {first})")
        for msgid in sorted(ids[lang] - reference, key=str):
            problems.append(f"{lang}: extra {msgid!r} (absent from {first})")
    for lang, cat in catalogues.items():
        for m in cat:
            if not m.id:
                continue
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            if m.fuzzy:
                problems.append(f"{lang}: fuzzy {m.id!r}")
            if not all(strings) or len(strings) != (cat.num_plurals if m.pluralizable else 1):
                problems.append(f"{lang}: empty or incomplete translation of {m.id!r}")
            expected = placeholders(_ids(m.id)[0])
            if any(placeholders(i) != expected for i in _ids(m.id)):
                problems.append(f"{lang}: singular and plural of {m.id!r} differ in placeholders")
            for text in strings:
                if text and placeholders(text) != expected:
                    problems.append(f"{lang}: placeholders of {text!r} differ from {m.id!r}")
    return problems


def extracted(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> dict[str, list[str]]:
    """msgid -> places ("file:line") for every translatable literal under the given paths
    (.py, .kv and Jinja .html), leaving out those under `exclude`."""
    found: dict[str, list[str]] = {}
    excluded = tuple(exclude)
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if any(path.is_relative_to(e) for e in excluded):
                continue
            if path.suffix in (".py", ".html"):
                method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
                for lineno, message, _comments, _context in extract_from_file(
                        method, str(path), keywords=KEYWORDS,
                        options=_JINJA_OPTIONS if path.suffix == ".html" else None):
                    for msgid in _ids(message):
                        if msgid:
                            found.setdefault(msgid, []).append(f"{path}:{lineno}")
            elif path.suffix == ".kv":
                text = path.read_text(encoding="utf-8")
                for match in _KV_CALL.finditer(text):
                    msgid = (match.group(1) if match.group(1) is not None else match.group(2))
                    msgid = msgid.encode().decode("unicode_escape") if "\\" in msgid else msgid
                    lineno = text.count("\n", 0, match.start()) + 1
                    found.setdefault(msgid, []).append(f"{path}:{lineno}")
    return found


def _scan(paths: Iterable[Path] | None, domain: str) -> dict[str, list[str]]:
    if domain != DOMAIN:
        return extracted(paths or [CONSOLE_DIR])
    return extracted(paths or [], exclude=[CONSOLE_DIR])


def untranslated(paths: Iterable[Path] | None, language: str = LANGUAGES[0],
                 domain: str = DOMAIN) -> dict[str, list[str]]:
    """The literals used in code that the language's catalogue does not hold (paths None:
    the console's folder for the console domain)."""
    known = {i for m in read_catalogue(language, domain) if m.id for i in _ids(m.id)}
    return {msgid: where for msgid, where in _scan(paths, domain).items() if msgid not in known}


def unused(paths: Iterable[Path] | None, language: str = LANGUAGES[0],
           domain: str = DOMAIN) -> list[str]:
    """Catalogue msgids no code marks any more (pybabel update would make them obsolete)."""
    used = set(_scan(paths, domain))
    return sorted(i for m in read_catalogue(language, domain) if m.id for i in _ids(m.id)
                  if i not in used)
