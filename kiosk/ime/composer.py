"""What the on-screen keyboard edits: the field's text and the pinyin still being composed.

Pure logic, no Kivy, so every key sequence is tested (and fuzzed) without a screen. The
keyboard screen calls `press()`, `backspace()`, `space()`, `choose()`... and redraws from
`text`, `composing` and `candidates`.

Modes: "pinyin" (letters compose pinyin, candidates are chosen into the text), "letters"
(a-z with caps, a row of digits, plus @ . - _ for e-mail and codes such as the unified social
credit code, which mixes both), "digits" (0-9 plus the few extra
characters a field admits, e.g. X in an ID number). A field may allow only some modes.

Choosing a candidate that stands for only the leading part of the pinyin keeps the rest
composing ("beijingshi", choose 北京 -> "shi" still composing), as desktop IMEs do.

The pinyin index takes ~0.2 s to load: `SHARED_IME` loads it once per process on a thread of
its own; until then a composer offers no candidates (the screen refreshes when it is ready).
"""

from __future__ import annotations

import logging
import string
import threading
from collections.abc import Callable, Iterable
from typing import Any, Literal

from kiosk.ime.pinyin import Candidate, PinyinIme, default_ime
from kiosk.ime.vocabulary import SHARED_VOCABULARY, Vocabulary

log = logging.getLogger(__name__)

Mode = Literal["pinyin", "letters", "digits"]
MODES: tuple[Mode, ...] = ("pinyin", "letters", "digits")
LETTERS = string.ascii_lowercase
DIGITS = string.digits
LETTER_SYMBOLS = "@.-_"  # e-mail addresses and codes; more belongs on a symbols page
DIGIT_EXTRAS = "X-."  # what a digits field may admit besides digits (ID number, date, decimal)
SEPARATOR = "'"  # between pinyin syllables: xi'an
MAX_COMPOSING = 32  # letters of pinyin at a time; lookups stay around a millisecond
LOOKUP_LIMIT = 96  # candidates kept per composition (pages of `page_size`)
DEFAULT_PAGE_SIZE = 6


class ImeLoader:
    """Loads the pinyin index once, on a background thread, and says when it is ready.

    `get()` never blocks (the UI thread may call it): it starts the load and returns None
    until the index is there. `when_ready(callback)` calls back on the loader thread (or at
    once if already loaded); a UI hands that over to its main loop itself.
    """

    def __init__(self, load: Callable[[], PinyinIme] = default_ime) -> None:
        self._load = load
        self._ime: PinyinIme | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._callbacks: list[Callable[[PinyinIme], None]] = []
        self._done = threading.Event()
        self.failed = False

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pinyin-index",
                                                daemon=True)
                self._thread.start()

    def get(self) -> PinyinIme | None:
        self.start()
        return self._ime

    def when_ready(self, callback: Callable[[PinyinIme], None]) -> None:
        with self._lock:
            ime = self._ime
            if ime is None:
                self._callbacks.append(callback)
        if ime is not None:
            callback(ime)
        else:
            self.start()

    def wait(self, timeout: float | None = None) -> PinyinIme | None:
        """For tests and command-line tools: the index, once loaded (None on timeout/failure)."""
        self.start()
        self._done.wait(timeout)
        return self._ime

    def _run(self) -> None:
        try:
            ime = self._load()
        except Exception:
            log.exception("the pinyin index could not be loaded; pinyin offers no candidates")
            self.failed = True
            self._done.set()
            return
        with self._lock:
            self._ime = ime
            callbacks, self._callbacks = self._callbacks, []
        self._done.set()
        for callback in callbacks:
            try:
                callback(ime)
            except Exception:
                log.exception("an IME-ready callback failed")


def load_with_vocabulary() -> PinyinIme:
    """The shared index, and the service vocabulary built from it on the same thread."""
    ime = default_ime()
    SHARED_VOCABULARY.prepare(ime)
    return ime


SHARED_IME = ImeLoader(load_with_vocabulary)


class Composer:
    """The text of one field being typed, and the pinyin composition on top of it."""

    def __init__(self, modes: Iterable[Mode] = MODES, *, extras: str = "",
                 max_length: int | None = None, text: str = "", caps: bool = False,
                 ime: Callable[[], PinyinIme | None] = SHARED_IME.get,
                 vocabulary: Callable[[], Vocabulary | None] = SHARED_VOCABULARY.get,
                 page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.modes: tuple[Mode, ...] = tuple(m for m in MODES if m in set(modes))
        if not self.modes:
            raise ValueError(f"no known mode in {modes!r}; expected some of {MODES}")
        unknown = set(extras) - set(DIGIT_EXTRAS)
        if unknown:
            raise ValueError(f"extras {sorted(unknown)} not supported; expected some of "
                             f"{DIGIT_EXTRAS!r}")
        self.extras = "".join(c for c in DIGIT_EXTRAS if c in extras)
        self.max_length = max_length
        self.mode: Mode = self.modes[0]
        self.caps = caps
        self._ime = ime
        self._vocabulary = vocabulary
        self._page_size = max(1, page_size)
        self._text = text[:max_length] if max_length is not None else text
        self._composing = ""
        # (composing, the vocabulary ranked with, all candidates)
        self._found: tuple[str, Vocabulary | None, list[Candidate]] | None = None
        self._page = 0

    @classmethod
    def for_field(cls, field: Any, **kwargs: Any) -> Composer:
        """The composer a form field (`kiosk.forms.fields.Field`) needs: its keyboard, its
        extra characters (X in an ID number, - in a date), its maximum length."""
        from kiosk.forms.fields import _pattern_chars, pattern_max_length

        chars = _pattern_chars(field.pattern) if field.pattern else None
        if field.keyboard == "digits":
            modes: tuple[Mode, ...] = ("digits",)
            extras = {"date": "-", "number": "-.", "integer": "-"}.get(field.kind, "")
            if chars is not None:
                extras += "".join(c for c in DIGIT_EXTRAS if c in chars)
        elif field.keyboard == "letters":
            modes, extras = ("letters", "digits"), ""
        else:
            modes, extras = MODES, ""
        caps = (chars is not None and any(c.isupper() for c in chars)
                and not any(c.islower() for c in chars))
        kwargs.setdefault("max_length", field.max_length or pattern_max_length(field.pattern))
        return cls(modes, extras=extras, caps=caps, **kwargs)

    # -- state ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._text

    @property
    def composing(self) -> str:
        return self._composing

    @property
    def composing_shown(self) -> str:
        """The composition as an IME shows it, cut into syllables ("ni'hao"), once the index
        is loaded; as typed before that or when it is not pinyin."""
        ime = self._ime() if self._composing else None
        pieces = ime.split(self._composing) if ime is not None else []
        return SEPARATOR.join(pieces) if pieces else self._composing

    @property
    def page_size(self) -> int:
        return self._page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        self._page_size = max(1, value)
        self._page = 0

    @property
    def page(self) -> int:
        return self._page

    @property
    def candidates(self) -> list[Candidate]:
        """The current page of candidates ([] when not composing or the index is not loaded)."""
        found = self._all_candidates()
        start = self._page * self._page_size
        return found[start:start + self._page_size]

    @property
    def has_next_page(self) -> bool:
        return (self._page + 1) * self._page_size < len(self._all_candidates())

    @property
    def has_prev_page(self) -> bool:
        return self._page > 0

    @property
    def full(self) -> bool:
        return self.max_length is not None and len(self._text) >= self.max_length

    def keys(self) -> tuple[str, ...]:
        """The characters the current mode's keys type (lower case for letters)."""
        if self.mode == "pinyin":
            return (*LETTERS, SEPARATOR)
        if self.mode == "letters":
            return (*DIGITS, *LETTERS, *LETTER_SYMBOLS)
        return (*DIGITS, *self.extras)

    def __repr__(self) -> str:  # never the citizen's text
        return (f"Composer(mode={self.mode!r}, modes={self.modes}, text_len={len(self._text)}, "
                f"composing_len={len(self._composing)})")

    # -- editing -------------------------------------------------------------------------------

    def press(self, ch: str) -> bool:
        """One key of the current mode; False (and nothing changes) if it is not allowed here."""
        if len(ch) != 1:
            return False
        if self.mode == "pinyin":
            return self._press_pinyin(ch)
        if self.full:
            return False
        if self.mode == "letters":
            if ch.lower() in LETTERS:
                return self._insert(ch.upper() if self.caps else ch)
            return self._insert(ch) if ch in LETTER_SYMBOLS or ch in DIGITS else False
        if ch in DIGITS:
            return self._insert(ch)
        extra = next((e for e in self.extras if e == ch.upper()), None)
        return self._insert(extra) if extra is not None else False

    def _press_pinyin(self, ch: str) -> bool:
        if self.full or len(self._composing) >= MAX_COMPOSING:
            return False
        if ch == SEPARATOR:
            if not self._composing or self._composing.endswith(SEPARATOR):
                return False
        elif ch.lower() not in LETTERS:
            return False
        self._set_composing(self._composing + ch.lower())
        return True

    def backspace(self) -> bool:
        """Removes from the composition first, then from the text."""
        if self._composing:
            self._set_composing(self._composing[:-1])
            return True
        if self._text:
            self._text = self._text[:-1]
            return True
        return False

    def space(self) -> bool:
        """While composing: the first candidate (or the letters, when there is none); else a
        space, except in digits mode."""
        if self._composing:
            return self.choose(0) or self.commit_letters()
        if self.mode == "digits":
            return False
        return self._insert(" ")

    def choose(self, i: int) -> bool:
        """Commits candidate `i` of the current page; the pinyin it did not use stays composing.
        False if there is no such candidate or it would not fit into `max_length`."""
        page = self.candidates
        if not 0 <= i < len(page):
            return False
        chosen = page[i]
        if not self._fits(chosen.word):
            return False
        # `consumed` counts the normalized input, which is the composition itself: it never
        # starts with a separator and holds only lower-case letters and separators.
        rest = self._composing[chosen.consumed:].lstrip(SEPARATOR)
        self._text += chosen.word
        self._set_composing(rest)
        return True

    def commit_letters(self) -> bool:
        """The composition as typed letters (what Enter does in desktop IMEs)."""
        letters = self._composing.replace(SEPARATOR, "")
        if not letters:
            self._set_composing("")
            return False
        if self.max_length is not None:
            letters = letters[:max(0, self.max_length - len(self._text))]
        self._text += letters
        self._set_composing("")
        return bool(letters)

    def finish(self) -> str:
        """The field is done: any pending pinyin goes in as letters; returns the text."""
        if self._composing:
            self.commit_letters()
        return self._text

    def clear(self) -> None:
        self._text = ""
        self._set_composing("")

    def set_text(self, text: str) -> None:
        """Start from an existing value (e.g. a prefilled field); the composition is dropped."""
        self._text = text[:self.max_length] if self.max_length is not None else text
        self._set_composing("")

    def set_mode(self, mode: Mode) -> bool:
        """Switch modes; pending pinyin is kept as typed letters. False if not allowed."""
        if mode not in self.modes:
            return False
        if mode != self.mode and self._composing:
            self.commit_letters()
        self.mode = mode
        return True

    def toggle_caps(self) -> None:
        self.caps = not self.caps

    def next_page(self) -> bool:
        if not self.has_next_page:
            return False
        self._page += 1
        return True

    def prev_page(self) -> bool:
        if not self.has_prev_page:
            return False
        self._page -= 1
        return True

    # -- internals -----------------------------------------------------------------------------

    def _insert(self, s: str) -> bool:
        if not self._fits(s):
            return False
        self._text += s
        return True

    def _fits(self, s: str) -> bool:
        return self.max_length is None or len(self._text) + len(s) <= self.max_length

    def _set_composing(self, value: str) -> None:
        self._composing = value
        self._page = 0

    def _all_candidates(self) -> list[Candidate]:
        if not self._composing:
            return []
        vocabulary = self._vocabulary()
        if (self._found is not None and self._found[0] == self._composing
                and self._found[1] is vocabulary):
            return self._found[2]
        ime = self._ime()
        if ime is None:
            return []  # not loaded yet: not cached, so the next look after loading finds them
        found = ime.lookup(self._composing, LOOKUP_LIMIT, vocabulary)
        self._found = (self._composing, vocabulary, found)
        return found
