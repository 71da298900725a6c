"""The words of this terminal's business, ranked first among the pinyin candidates.

A citizen at a government terminal who types "hushi" means 护士 far more often than 忽视, and
"yiyuan" 医院 rather than 亿元, although jieba's general frequencies say otherwise. The service
catalogue knows the words that matter here: service and department names (and, once a service
is chosen, its guide, materials and form titles), and `service_words.txt` ships the words of
public services any hall's citizens type (医院, 社保, 户口...). `Vocabulary.from_texts` cuts those texts into
the index's words (two characters or more) and adds each whole name as a word of its own, so
"jzzbl" also offers 居住证补领.

`SHARED_VOCABULARY` holds the live one: the catalogue cache sets the catalogue's words when it
fetches the catalogue, the apply journey the chosen service's words. Both are public texts of
the platform, never anything a citizen typed. A `Vocabulary` is immutable; the holder swaps
references, so the keyboard thread reads it without a lock.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.ime.pinyin import ByInitials, Exact, PinyinIme

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
SERVICE_WORDS_PATH = Path(__file__).with_name("service_words.txt")
MIN_WORD = 2  # single characters are everyone's words: boosting them would reorder everything
MEMO_RUNS = 20_000  # runs of text remembered at most (a catalogue and its services: ~2,000)


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    exact: Exact  # reading key -> [(frequency, word)], as in the pinyin index
    by_initials: ByInitials

    @classmethod
    def from_texts(cls, ime: PinyinIme, texts: Iterable[str],
                   memo: dict[str, RunWords] | None = None) -> Vocabulary:
        """The indexed words found in `texts`, and each run of Chinese characters whose every
        character has a reading (a service or department name) as a word of its own. `memo`
        keeps each run's words between calls: segmenting is most of the time (the shipped
        words alone took 11 ms), and a rebuild for a chosen service repeats all the others."""
        found: dict[str, tuple[str, int]] = {}  # word -> (reading key, frequency)
        for text in texts:
            for run in _HAN_RUN.findall(text or ""):
                words = memo.get(run) if memo is not None else None
                if words is None:
                    words = _run_words(ime, run)
                    if memo is not None:
                        memo[run] = words
                for word, key, frequency in words:
                    found.setdefault(word, (key, frequency))
        exact: Exact = {}
        by_initials: ByInitials = {}
        for word, (key, frequency) in found.items():
            if key not in exact:
                parts = tuple(key.split("'"))
                by_initials.setdefault("".join(p[0] for p in parts), []).append((parts, key))
            exact.setdefault(key, []).append((frequency, word))
        return cls(frozenset(found), exact, by_initials)


RunWords = tuple[tuple[str, str, int], ...]  # (word, reading key, frequency) of one run


def _run_words(ime: PinyinIme, run: str) -> RunWords:
    """The words a run of Chinese characters gives the vocabulary, in order: the index's words
    in it, then the run itself when every character has a reading."""
    pieces = ime.segment(run)
    keys = [(word, key) for word, key in pieces if key is not None and len(word) >= MIN_WORD]
    whole = [key for _word, key in pieces]
    if len(pieces) > 1 and all(k is not None for k in whole) and len(run) <= ime.max_syllables:
        keys.append((run, "'".join(k for k in whole if k is not None)))
    return tuple((word, key, ime.frequency(word)) for word, key in keys)


@functools.cache
def service_words() -> tuple[str, ...]:
    """The shipped words of public services (`service_words.txt`), read once."""
    lines = SERVICE_WORDS_PATH.read_text(encoding="utf-8").splitlines()
    return tuple(w for line in lines if not line.startswith("#") for w in line.split())


class VocabularyHolder:
    """The terminal's current vocabulary: the shipped service words, the catalogue's words and
    the chosen service's. Built off the UI thread (by the pinyin loader, the catalogue fetch,
    the choice of a service); `get()` only reads a reference."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catalogue: tuple[str, ...] = ()
        self._service: tuple[str, ...] = ()
        self._current: Vocabulary | None = None
        # each run's words, kept while the same IME is used: choosing a service segments
        # only that service's new texts (a citizen waits on the guide meanwhile)
        self._memo: dict[str, RunWords] = {}
        self._memo_ime: PinyinIme | None = None

    def get(self) -> Vocabulary | None:
        return self._current

    def prepare(self, ime: PinyinIme) -> None:
        """The shipped words at least (the pinyin loader calls this once the index is in)."""
        with self._lock:
            if self._current is None:
                self._rebuild(ime)

    def set_catalogue(self, ime: PinyinIme, texts: Iterable[str]) -> None:
        with self._lock:
            self._catalogue = tuple(texts)
            self._rebuild(ime)

    def set_service(self, ime: PinyinIme, texts: Iterable[str]) -> None:
        with self._lock:
            self._service = tuple(texts)
            self._rebuild(ime)

    def _rebuild(self, ime: PinyinIme) -> None:
        if ime is not self._memo_ime or len(self._memo) > MEMO_RUNS:
            self._memo, self._memo_ime = {}, ime
        self._current = Vocabulary.from_texts(
            ime, [*service_words(), *self._catalogue, *self._service], self._memo)


SHARED_VOCABULARY = VocabularyHolder()


def _zh(value: object) -> str:
    return value.get("zh-CN", "") if isinstance(value, dict) else ""


def catalogue_texts(services: Iterable[dict]) -> list[str]:
    """Service and department names of a catalogue (contract `ServiceSummary` dicts)."""
    return [t for s in services for t in (_zh(s.get("name")), _zh(s.get("department"))) if t]


def service_texts(service: dict) -> list[str]:
    """A chosen service's public words (contract `Service` dict): its names, guide, materials
    and form titles and choices ("分娩医院" makes "yiyuan" offer 医院 first)."""
    texts = catalogue_texts([service]) + [_zh(service.get("description"))]
    texts += [_zh(m.get("name")) for m in service.get("materials") or []]
    schema = service.get("form_schema") or {}
    for prop in (schema.get("properties") or {}).values():
        if isinstance(prop, dict):
            texts += [str(prop.get("title") or ""), str(prop.get("description") or "")]
            items = prop.get("items") if isinstance(prop.get("items"), dict) else prop
            texts += [str(v) for v in items.get("enum") or [] if isinstance(v, str)]
    return [t for t in texts if t]
