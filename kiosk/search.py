"""Search the service catalogue the way citizens type: Chinese, pinyin, initials or English.

Citizens at a kiosk type what they remember: the Chinese name or a piece of it ("电梯"), its
usual short form ("社保" for 社会保险…), its pinyin without tones ("dianti", "hushi"), the
initials of its words ("hszc" for 护士执业注册: hu shi [zhi ye] zhu ce), or English words
("business"). `CatalogueIndex` scores every service by its best kind of match:

    100 name is the query · 95 name starts with it · 90 name contains it
     85 pinyin typed in full, contiguous ("dianti") · 80 initials or unfinished syllables,
        contiguous ("jyzz") · +3 for either when it starts at the name's first syllable,
        -2 per character read in another than its usual reading (typed in full only)
     75 English words, whole · 70 English word prefixes · 65 English text contains it
     60 - 5 per gap: Chinese characters or pinyin in order with words skipped ("社保", "hszc")
     30 department contains it

Ties keep catalogue order. Readings are pypinyin's, phrase-aware (行 in 通行证 is xing), taken
from the pinyin keyboard's prebuilt index (`PinyinIme.readings`) rather than from pypinyin
itself, whose import costs ~58 MB and 0.3 s on the kiosk (bench/ime_bench.py); each
character's other readings are also accepted, as a slightly worse match, when typed in full.
Matching is case-, space- and apostrophe-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kiosk.ime.pinyin import PinyinIme, default_ime

MAX_QUERY = 64  # characters; longer input matches nothing (it is not a service name)
_HAN = re.compile(r"[\u3400-\u9fff]")
_NOT_LETTER = re.compile(r"[^a-z]")
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Entry:
    position: int
    service: dict[str, Any]
    zh: str  # name, no spaces
    department_zh: str  # no spaces
    department_words: tuple[str, ...]  # English, lower case
    readings: tuple[tuple[str, ...], ...]  # per Han character: main reading first
    en: str  # English name, lower case
    en_words: tuple[str, ...]
    en_compact: str  # English name without spaces or punctuation


def _localized(value: Any, lang: str) -> str:
    return value.get(lang, "") if isinstance(value, Mapping) else ""


def _entry(position: int, service: dict[str, Any], ime: PinyinIme) -> _Entry:
    zh = _SPACE.sub("", _localized(service.get("name"), "zh-CN"))
    en = _localized(service.get("name"), "en").lower()
    dept = service.get("department")
    dept_zh = _SPACE.sub("", _localized(dept, "zh-CN"))
    dept_words = tuple(_WORD.findall(_localized(dept, "en").lower()))
    words = tuple(_WORD.findall(en))
    readings = tuple(r for r in ime.readings(zh) if r)
    return _Entry(position, service, zh, dept_zh, dept_words, readings, en, words,
                  "".join(words))


class CatalogueIndex:
    """An in-memory index of a catalogue (contract `Service` or `ServiceSummary` dicts)."""

    def __init__(self, services: Iterable[dict[str, Any]], ime: PinyinIme | None = None) -> None:
        ime = ime or default_ime()
        self._entries = [_entry(i, s, ime) for i, s in enumerate(services)]

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, audience: str | None = None) -> list[dict[str, Any]]:
        """Matching services, best first; an empty query lists the catalogue in its order."""
        entries = [e for e in self._entries
                   if audience is None or e.service.get("audience") == audience]
        query = (query or "").strip()
        if not query:
            return [e.service for e in entries]
        if len(query) > MAX_QUERY:
            return []
        scored = [(score, e.position, e) for e in entries if (score := self.score(e, query)) > 0]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [e.service for _, _, e in scored]

    # -- scoring ---------------------------------------------------------------------------

    @staticmethod
    def score(entry: _Entry, query: str) -> int:
        """How well one service matches (0 = not at all); see the module docstring."""
        best = 0
        compact = _SPACE.sub("", query).lower()
        if _HAN.search(compact):
            best = max(best, _chinese_score(entry, compact))
        else:
            letters = _NOT_LETTER.sub("", compact)
            if letters:
                best = max(best, _pinyin_score(entry.readings, letters))
            best = max(best, _english_score(entry, query.lower()))
        if best < 30 and _department_matches(entry, compact, query.lower()):
            best = 30
        return best


def _department_matches(entry: _Entry, compact: str, q: str) -> bool:
    """Chinese text inside the department's name, or English words that are its words."""
    if _HAN.search(compact):
        return bool(entry.department_zh) and compact in entry.department_zh
    words = _WORD.findall(q)
    return bool(words) and all(w in entry.department_words or _plural_of(w, entry.department_words)
                               for w in words)


def _chinese_score(entry: _Entry, q: str) -> int:
    name = entry.zh
    if not name:
        return 0
    if q == name:
        return 100
    if name.startswith(q):
        return 95
    if q in name:
        return 90
    gaps = _subsequence_gaps(q, name)
    return max(40, 60 - 5 * gaps) if gaps is not None else 0


def _subsequence_gaps(q: str, text: str) -> int | None:
    """Fewest breaks with which q's characters appear in text in order (None: they don't)."""
    n, m = len(text), len(q)
    inf = m + n + 1
    # walk(i, j, adjacent): fewest breaks placing q[i:] in text[j:]; `adjacent` says whether
    # text[j] directly follows the character placed last.
    memo: dict[tuple[int, int, bool], int] = {}

    def walk(i: int, j: int, adjacent: bool) -> int:
        if i == m:
            return 0
        if j == n:
            return inf
        key = (i, j, adjacent)
        if key not in memo:
            skip = walk(i, j + 1, False)
            take = inf
            if text[j] == q[i]:
                take = walk(i + 1, j + 1, True) + (0 if adjacent or i == 0 else 1)
            memo[key] = min(skip, take)
        return memo[key]

    result = walk(0, 0, False)
    return result if result < inf else None


Match = tuple[int, int, int, int]


@lru_cache(maxsize=4096)
def _pinyin_match(q: str, readings: tuple[tuple[str, ...], ...]) -> Match | None:
    """(gaps, other readings used, unfinished syllables, start) of the best way to spell q
    through the syllables in order, each typed whole or by a prefix (its initial); None if q
    cannot be spelled so."""
    n, m = len(readings), len(q)
    memo: dict[tuple[int, int, int], Match | None] = {}

    def walk(i: int, j: int, state: int) -> Match | None:
        # state 0: nothing matched yet; 1: previous syllable matched; 2: a gap since.
        if i == m:
            return (0, 0, 0, 0)
        if j == n:
            return None
        key = (i, j, state)
        if key in memo:
            return memo[key]
        options = []
        skipped = walk(i, j + 1, 0 if state == 0 else 2)
        if skipped is not None:
            options.append(skipped)
        for rank, syllable in enumerate(readings[j]):
            for length in range(min(len(syllable), m - i), 0, -1):
                if q[i:i + length] != syllable[:length] or (rank and length < len(syllable)):
                    continue  # another reading counts only when typed in full
                rest = walk(i + length, j + 1, 1)
                if rest is None:
                    continue
                start = j if state == 0 else rest[3]
                options.append((rest[0] + (state == 2), rest[1] + (rank > 0),
                                rest[2] + (length < len(syllable)), start))
        memo[key] = min(options) if options else None
        return memo[key]

    return walk(0, 0, 0)


def _pinyin_score(readings: tuple[tuple[str, ...], ...], letters: str) -> int:
    if not readings:
        return 0
    match = _pinyin_match(letters, readings)
    if match is None:
        return 0
    gaps, others, unfinished, start = match
    if gaps:
        return max(40, 60 - 5 * gaps - 2 * others)
    exact = 85 if others == unfinished == 0 else 80 - 2 * min(others, 5)
    return exact + (3 if start == 0 else 0)


def _english_score(entry: _Entry, q: str) -> int:
    words = _WORD.findall(q)
    if not words or not entry.en_words:
        return 0
    if all(w in entry.en_words or _plural_of(w, entry.en_words) for w in words):
        return 75
    if all(any(n.startswith(w) for n in entry.en_words) for w in words):
        return 70
    if "".join(words) in entry.en_compact:
        return 65
    return 0


def _plural_of(word: str, name_words: tuple[str, ...]) -> bool:
    """'licences' finds 'licence', 'lifts' finds 'lift' (English plurals, roughly)."""
    return any(len(n) >= 3 and word in (n + "s", n + "es") for n in name_words)
