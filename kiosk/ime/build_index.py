"""Generate `pinyin_index.tsv`, the shipped candidate index of the on-screen pinyin keyboard.

Why a generated file: reading every word's pinyin through pypinyin takes ~1.5 s for 50k
words, too slow for the kiosk's start-up; the generated file loads in a fraction of that and
needs neither jieba nor pypinyin at run time.

Sources (both well-kept PyPI packages, pinned by the versions written in the file's header):
- jieba's `dict.txt`: ~350k words with corpus frequencies (the ranking);
- pypinyin: each word's reading, phrase-aware (银行 is yin'hang, 行走 is xing'zou); for single
  characters every reading (heteronyms), the less common ones down-weighted.

Kept: the `--words` most frequent words made only of GB2312 characters (simplified Chinese,
no Latin letters or digits), plus every GB2312 character (level 1: the 3,755 common ones;
level 2: 3,008 rarer ones, which cost ~60 kB) whatever its frequency, so any character can
be typed one syllable at a time and `kiosk.search` finds a reading for every character of a
service name without importing pypinyin (whose import costs ~58 MB and 0.3 s).

Run once after upgrading jieba or pypinyin, and commit the result:

    .venv/bin/python -m kiosk.ime.build_index            # writes kiosk/ime/pinyin_index.tsv
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

INDEX_PATH = Path(__file__).with_name("pinyin_index.tsv")
DEFAULT_WORDS = 50_000

# Readings pypinyin gives that no one types as a syllable on a pinyin keyboard (嗯 n, 哼 hng).
UNTYPEABLE = frozenset({"m", "n", "ng", "hm", "hng", "ê", "r"})
# A character's second and further readings rank as if it were this many times rarer (的 is
# rarely wanted when typing "di").
ALTERNATIVE_READING_PENALTY = 50

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_SYLLABLE = re.compile(r"^[a-z]+$")


def gb2312_level1() -> list[str]:
    """The 3,755 most common characters (GB2312 rows 16-55), the floor every IME covers."""
    return _gb2312_rows(0xB0, 0xD8)


def gb2312_all() -> list[str]:
    """All 6,763 characters of GB2312 (level 2 adds 3,008 rarer ones, e.g. in place names)."""
    return _gb2312_rows(0xB0, 0xF8)


def _gb2312_rows(first: int, end: int) -> list[str]:
    chars = []
    for hi in range(first, end):
        for lo in range(0xA1, 0xFF):
            if hi == 0xD7 and lo > 0xF9:  # the end of level 1 is not full
                break
            chars.append(bytes((hi, lo)).decode("gb2312"))
    return chars


def jieba_dict_path() -> Path:
    """jieba's dict.txt, found without importing jieba (its import is slow and chatty)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("jieba is not installed: .venv/bin/pip install jieba")
    return Path(list(spec.submodule_search_locations)[0]) / "dict.txt"


def read_frequencies(lines: Iterable[str]) -> dict[str, int]:
    """word -> frequency for simplified-Chinese words (jieba lines are `word freq [tag]`)."""
    freq: dict[str, int] = {}
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or not _HAN.match(parts[0]):
            continue
        try:
            parts[0].encode("gb2312")
            n = int(parts[1])
        except (UnicodeEncodeError, ValueError):
            continue
        freq[parts[0]] = max(n, freq.get(parts[0], 0))
    return freq


def _typeable(reading: list[str]) -> bool:
    return bool(reading) and all(_SYLLABLE.match(s) and s not in UNTYPEABLE for s in reading)


def entries(freq: dict[str, int], words: int) -> Iterator[tuple[str, int, str]]:
    """(word, score, "syl'syl") rows: top words with their reading, all readings of characters."""
    from pypinyin import Style, lazy_pinyin, pinyin

    ranked = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:words]
    chosen = dict(ranked)
    for ch in gb2312_all():
        chosen.setdefault(ch, freq.get(ch, 1))
    for word, n in chosen.items():
        if len(word) == 1:
            readings = pinyin(word, style=Style.NORMAL, heteronym=True)[0]
            seen: set[str] = set()
            for i, syllable in enumerate(readings):
                if syllable in seen or not _typeable([syllable]):
                    continue
                seen.add(syllable)
                score = n if i == 0 else max(1, n // ALTERNATIVE_READING_PENALTY)
                yield word, score, syllable
        else:
            reading = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
            if len(reading) == len(word) and _typeable(reading):
                yield word, n, "'".join(reading)


def build(out: Path = INDEX_PATH, words: int = DEFAULT_WORDS, source: Path | None = None) -> int:
    """Write the index; returns the number of rows."""
    source = source or jieba_dict_path()
    with source.open(encoding="utf-8") as f:
        freq = read_frequencies(f)
    rows = sorted(entries(freq, words), key=lambda r: (-r[1], r[2], r[0]))
    versions = ", ".join(f"{p} {_version(p)}" for p in ("jieba", "pypinyin"))
    header = (f"# pinyin candidate index: word<TAB>frequency<TAB>syllables; generated by "
              f"python -m kiosk.ime.build_index --words {words} from {versions}\n")
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.write(header)
        f.writelines(f"{w}\t{n}\t{p}\n" for w, n, p in rows)
    tmp.replace(out)
    return len(rows)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=INDEX_PATH)
    ap.add_argument("--words", type=int, default=DEFAULT_WORDS, help="most frequent words kept")
    ap.add_argument("--source", type=Path, default=None, help="a jieba-format dict.txt")
    args = ap.parse_args(argv)
    n = build(args.out, args.words, args.source)
    print(f"{args.out}: {n} rows, {args.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
