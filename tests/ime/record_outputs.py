"""Records what the pinyin IME answers today, so a rewrite of its index can be held to it.

Run once by hand before changing `kiosk/ime/pinyin.py` (the fixture is committed):

    .venv/bin/python -m tests.ime.record_outputs

`test_pinyin_outputs.py` compares the current code's answers to `pinyin_outputs.json.gz`.
The vocabulary's texts are stored in the fixture, so a later catalogue change cannot move it.
"""

from __future__ import annotations

import gzip
import json
import string
from pathlib import Path

from kiosk.ime.pinyin import PinyinIme
from kiosk.ime.vocabulary import Vocabulary, catalogue_texts, service_words
from kiosk.refplatform.seed import load_services

FIXTURE = Path(__file__).with_name("pinyin_outputs.json.gz")
LIMIT = 20

SPECIAL = [
    "", " ", "'", "''", "123", "zhong1", "hello!", "a" * 48, "a" * 49, "an" * 24,
    "anananananananan", "xi'an", "x'i'a'n", "xian", "fangan", "lue", "nue", "lve", "lüe",
    "lüse", "lv", "NiHao", "ni hao", "Zhong Guo", "beij", "beiji", "beijin", "beijing", "bj",
    "hs", "hszc", "zhq", "nh", "sfz", "jzzbl", "zh", "ch", "sh", "zhzh", "nihao", "nihaoshijie",
    "shenfenzheng", "shenfenz", "shenfenzhengm", "zhangsanlisiwangwu", "hushi", "yiyuan",
    "gongjijin", "shebao", "yinhang", "women", "zhonghuarenmingongheguo",
    "woyaobanlishenfenzheng", "huzhaoqianzhu", "jiashizheng", "hukou", "juzhuzheng",
    "shebaokabuban", "yibao", "gjj", "gongj", "zhongg", "zg", "zgr", "zhongguoren",
    "xianzaikaishi", "qingshurumima", "wyblsfz", "ng", "n", "m", "hm", "er", "a'a'a", "xi''an",
]
TEXTS = ["银行", "行", "龘", "护士执业注册", "北京市公安局出入境管理局", "身份证补领",
         "我要办理居住证", "abc 中文 123", "", "重庆长城", "行长在银行", "乐乐音乐"]


def inputs(ime: PinyinIme) -> list[str]:
    pairs = [a + b for a in string.ascii_lowercase for b in string.ascii_lowercase]
    return [*sorted(ime.syllables), *string.ascii_lowercase, *pairs, *SPECIAL]


def vocabulary_texts() -> list[str]:
    return [*service_words(), *catalogue_texts(load_services())]


def answers(ime: PinyinIme, texts: list[str], typed: list[str]) -> dict:
    """Everything a caller can see, in a JSON-friendly form."""
    vocabulary = Vocabulary.from_texts(ime, texts)

    def found(t: str, vocab: Vocabulary | None) -> list[str]:
        return [f"{c.word}|{c.consumed}|{' '.join(c.syllables)}"
                for c in ime.lookup(t, LIMIT, vocab)]

    words = sorted({w for t in TEXTS + texts for w, _ in ime.segment(t)})
    return {
        "max_syllables": ime.max_syllables,
        "syllables": sorted(ime.syllables),
        "vocabulary": {"words": sorted(vocabulary.words),
                       "exact": {k: v for k, v in sorted(vocabulary.exact.items())}},
        "lookup": {t: found(t, None) for t in typed},
        "lookup_vocabulary": {t: found(t, vocabulary) for t in typed},
        "candidates_5": {t: ime.candidates(t, 5) for t in typed[::7]},
        "split": {t: ime.split(t) for t in typed},
        "segment": {t: ime.segment(t) for t in TEXTS + texts},
        "readings": {t: ime.readings(t) for t in TEXTS + texts},
        "frequency": {w: ime.frequency(w) for w in [*words, "不存在的词", "x"]},
    }


def main() -> None:
    ime = PinyinIme()
    texts = vocabulary_texts()
    record = {"texts": texts, "inputs": inputs(ime), "limit": LIMIT}
    record["answers"] = answers(ime, texts, record["inputs"])
    with gzip.open(FIXTURE, "wt", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, sort_keys=True)
    print(f"{FIXTURE}: {len(record['inputs'])} inputs, {FIXTURE.stat().st_size} bytes")


if __name__ == "__main__":
    main()
