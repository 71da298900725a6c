"""Languages of the citizen app: Simplified Chinese by default, English on request, every
word through a gettext catalogue.

Decisions:
- msgids are stable English sentences (`_("Exit")`); each language has its own catalogue,
  `kiosk/locale/<zh_CN|en>/LC_MESSAGES/kiosk.po`, so English wording can be edited in en.po
  without touching code, and a missing translation falls back to readable English.
- Each .po is compiled into the .mo beside it, kept in git, which the app loads with the
  stdlib's gettext (`python -m kiosk.i18n.compile`; parsing the .po at start took 87 ms of the
  first frame). Fuzzy entries are left out (a fuzzy guess is not a translation), and
  `tests/i18n` rejects them and any .mo that is not what its .po compiles to.
- Data from the platform is already bilingual (contract `Localized`): `pick()` chooses the
  language's text, falling back to zh-CN.
- `kiosk.i18n.messages` holds the words for the core's stable codes (outbox refusal
  reasons, platform error kinds, printer reasons, validation keywords).

Adding or changing strings: mark them in code (`_()`, `gettext()`, `ngettext()`, or `N_()` /
`NP_()` from `kiosk.i18n.messages` for words used later), then with Babel's pybabel:

    .venv/bin/pybabel extract -F kiosk/locale/babel.cfg -k NP_:1,2 -w 100 --no-location \
        --omit-header -o /tmp/kiosk.pot kiosk screens
    .venv/bin/pybabel update -i /tmp/kiosk.pot -d kiosk/locale -D kiosk -w 100 --ignore-obsolete
    # translate the new (empty) entries in both kiosk.po files (en: usually the msgid
    # itself), remove any "#, fuzzy" that pybabel guessed, then
    .venv/bin/python -m kiosk.i18n.compile
    .venv/bin/python -m pytest tests/i18n -q

(.kv files are not extracted by pybabel; tests/i18n scans them, so a kv string missing from
the catalogue fails the tests and is then added to both .po files by hand.)

Placeholders are Python named placeholders (`%(n)d`); pass values as keywords:
`t.gettext("Fee: %(amount)s", amount=t.format_fen(2000))`.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any


LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
# Endonyms for the language switch: each language is named in itself, never translated.
LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}
DOMAIN = "kiosk"  # the citizen app; the operations console has its own, kiosk.console.lang
DOMAINS = (DOMAIN, "console")
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

# contract language tag -> (catalogue folder, Babel locale for dates and numbers).
# English dates follow en_GB ("23 Nov 2026"): day-month-year reads unambiguously.
_LOCALES = {"zh-CN": ("zh_CN", "zh_Hans_CN"), "en": ("en", "en_GB")}
# One date format on every screen, with the weekday (a citizen plans by it):
# 2026年11月23日（周一） / Mon 23 Nov 2026.
_DATE_FORMAT = {"zh-CN": "y年M月d日（EEE）", "en": "EEE d MMM y"}
_DAY_FORMAT = {"zh-CN": "M月d日（EEE）", "en": "EEE d MMM"}  # a day of the coming weeks


def po_path(language: str, domain: str = DOMAIN) -> Path:
    """Where a language's catalogue of a domain lives."""
    return LOCALE_DIR / _LOCALES[language][0] / "LC_MESSAGES" / f"{domain}.po"


def mo_path(language: str, domain: str = DOMAIN) -> Path:
    """The compiled catalogue beside the .po (kiosk.i18n.compile)."""
    return po_path(language, domain).with_suffix(".mo")


@cache
def translations(language: str, domain: str = DOMAIN) -> _gettext.GNUTranslations:
    """The language's catalogue of a domain, read once (stdlib gettext, which brings plural
    rules from the catalogue's Plural-Forms header)."""
    with mo_path(language, domain).open("rb") as f:
        return _gettext.GNUTranslations(f)


class Translator:
    """Everything language-dependent that a screen shows, for one language."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, domain: str = DOMAIN) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
        self.language = language
        self.domain = domain
        self.locale = _LOCALES[language][1]
        self._t = translations(language, domain)

    def __repr__(self) -> str:
        return f"Translator({self.language!r}, {self.domain!r})"

    def gettext(self, msgid: str, /, **values: Any) -> str:
        """The translation of `msgid` (the msgid itself if missing), `%`-formatted with values."""
        text = self._t.gettext(msgid)
        return text % values if values else text

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The plural form for `n`; `%(n)d` and any other values are filled in."""
        return self._t.ngettext(singular, plural, n) % {"n": n, **values}

    def pick(self, localized: Mapping[str, str] | None) -> str:
        """This language's text of a contract `Localized` ({"zh-CN": ..., "en": ...}),
        falling back to zh-CN, then to any text it has, then to ""."""
        if not localized:
            return ""
        for lang in (self.language, DEFAULT_LANGUAGE):
            text = localized.get(lang)
            if text:
                return text
        return next((t for t in localized.values() if t), "")

    def format_date(self, d: date | datetime) -> str:
        """A calendar date as people write it: 2026年11月23日（周一） / Mon 23 Nov 2026."""
        from babel.dates import format_date  # 20 ms with its locale data: not at first frame

        return format_date(d, _DATE_FORMAT[self.language], locale=self.locale)

    def format_day(self, d: date | datetime) -> str:
        """A day of the next weeks, where the year goes without saying (a booking's day
        buttons): 12月7日（周一） / Mon 7 Dec."""
        from babel.dates import format_date

        return format_date(d, _DAY_FORMAT[self.language], locale=self.locale)

    def format_fen(self, fen: int) -> str:
        """An amount in fen (1/100 yuan) as ¥20.00 (exact: no float on the way)."""
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise TypeError(f"fen must be an int, got {type(fen).__name__}")
        from babel.numbers import format_decimal

        sign = "-" if fen < 0 else ""
        amount = Decimal(abs(fen)).scaleb(-2)
        return f"{sign}¥{format_decimal(amount, '#,##0.00', locale=self.locale)}"


@cache
def translator(language: str = DEFAULT_LANGUAGE, domain: str = DOMAIN) -> Translator:
    """The shared Translator of a language (screens switch by asking for the other one)."""
    return Translator(language, domain)


def in_every_language(msgid: str, /, **values: Any) -> list[str]:
    """`msgid` in each language, Chinese first, for screens nobody has chosen a language on
    yet (the attract loop); one line when it is not a catalogue sentence (staff's own words
    read the same in every language)."""
    lines = [translator(language).gettext(msgid, **values) for language in LANGUAGES]
    return lines if len(set(lines)) > 1 else lines[:1]
