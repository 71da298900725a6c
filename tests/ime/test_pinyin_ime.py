"""The pinyin keyboard: typed letters give the Chinese a citizen means, from the shipped index."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ime.build_index import INDEX_PATH, build, gb2312_level1, read_frequencies
from kiosk.ime.pinyin import MAX_INPUT, PinyinIme, default_ime, normalize


@pytest.fixture(scope="module")
def ime() -> PinyinIme:
    return default_ime()


def test_the_shipped_index_is_small_and_loads_quickly() -> None:
    assert INDEX_PATH.stat().st_size < 3_000_000
    started = time.perf_counter()
    ime = PinyinIme()
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"loading took {elapsed:.2f} s (about 0.2 s expected)"
    header = INDEX_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# pinyin candidate index") and "jieba" in header
    assert len(ime.syllables) > 380


def test_every_common_character_can_be_typed(ime: PinyinIme) -> None:
    reading: dict[str, str] = {}
    for line in INDEX_PATH.read_text(encoding="utf-8").splitlines()[1:]:
        word, _freq, key = line.split("\t")
        if len(word) == 1:
            reading.setdefault(word, key)
    assert [ch for ch in gb2312_level1() if ch not in reading] == []
    for ch in gb2312_level1()[::50]:
        assert ch in ime.candidates(reading[ch], 500), (ch, reading[ch])


@pytest.mark.parametrize(("typed", "word", "within"), [
    ("zhong", "中", 3),
    ("beijing", "北京", 1),
    ("shenfenzheng", "身份证", 1),
    ("nihao", "你好", 1),
    ("women", "我们", 1),
    ("fangan", "方案", 1),          # fang'an, not fan'gan
    ("xi'an", "西安", 1),           # the apostrophe separates syllables
    ("xian", "先", 3),
    ("shebao", "社保", 1),
    ("gongjijin", "公积金", 1),
    ("yinhang", "银行", 1),         # 行 read hang in this word
    ("lv", "绿", 3),                # ü typed as v
    ("lüse", "绿色", 1),
    ("lue", "略", 1),               # and lue for lüe
    ("NiHao", "你好", 1),
    ("ni hao", "你好", 1),
])
def test_full_pinyin(ime: PinyinIme, typed: str, word: str, within: int) -> None:
    found = ime.candidates(typed)
    assert word in found[:within], f"{typed!r} -> {found[:10]}"


@pytest.mark.parametrize(("typed", "word", "within"), [
    ("nh", "你好", 10),       # initials
    ("bj", "北京", 3),
    ("sfz", "身份证", 3),
    ("beij", "北京", 1),      # last syllable still being typed
    ("zhongg", "中国", 1),
    ("shenfenz", "身份证", 1),
])
def test_abbreviated_pinyin(ime: PinyinIme, typed: str, word: str, within: int) -> None:
    found = ime.candidates(typed)
    assert word in found[:within], f"{typed!r} -> {found[:10]}"


def test_full_spellings_rank_before_abbreviations(ime: PinyinIme) -> None:
    # "zhong" is one full syllable: 中 before any word that only starts with z…h…
    found = ime.candidates("zhong", 50)
    assert found.index("中") < 3
    assert len(found[0]) == 1


def test_a_phrase_offers_its_leading_word(ime: PinyinIme) -> None:
    found = ime.lookup("nihaoshijie")
    assert found and found[0].word == "你好"
    assert found[0].consumed == len("nihao") and found[0].syllables == ("ni", "hao")
    whole = ime.lookup("beijing")[0]
    assert (whole.word, whole.consumed) == ("北京", 7)


def test_candidates_are_ranked_by_frequency_and_unique(ime: PinyinIme) -> None:
    found = ime.candidates("shi", 100)
    assert found[0] == "是"
    assert len(found) == len(set(found)) >= 50  # every character read shi
    assert ime.candidates("shi", 5) == found[:5]


@pytest.mark.parametrize("typed", ["xyzq", "", "   ", "'''", "a" * 200, "nihao" * 40,
                                   "hello!", "北京", "123", "ni3hao3", "iiii", "v"])
def test_invalid_input_gives_nothing(ime: PinyinIme, typed: str) -> None:
    assert ime.candidates(typed) == []


def test_limit(ime: PinyinIme) -> None:
    assert ime.candidates("ni", 0) == []
    assert len(ime.candidates("ni", 3)) == 3


@pytest.mark.parametrize(("typed", "syllables"), [
    ("nihao", ["ni", "hao"]),
    ("xian", ["xian"]),
    ("xi'an", ["xi", "an"]),
    ("fangan", ["fang", "an"]),
    ("shenfenzheng", ["shen", "fen", "zheng"]),
    ("beij", ["bei", "j"]),
    ("hszc", ["h", "s", "z", "c"]),
    ("zhongguoren", ["zhong", "guo", "ren"]),
    ("lue", ["lve"]),
    ("", []),
    ("xyz!", []),
    ("a" * 200, []),
])
def test_split(ime: PinyinIme, typed: str, syllables: list[str]) -> None:
    assert ime.split(typed) == syllables


def test_long_input_stays_fast(ime: PinyinIme) -> None:
    started = time.perf_counter()
    for typed in ("a" * MAX_INPUT, "xian" * 12, "zhangsanlisiwangwuzhaoliuqianqisunba",
                  "shishishishishishishishishishishi", "an" * 24, "ana" * 16, "an" * 7):
        ime.candidates(typed)
        ime.split(typed)
    assert time.perf_counter() - started < 2.0


def test_normalize() -> None:
    assert normalize(" Ni'Hao ") == "ni'hao"
    assert normalize("lüe") == "lve"
    assert normalize("a" * (MAX_INPUT + 1)) == ""


def test_build_index_from_a_dictionary(tmp_path: Path) -> None:
    source = tmp_path / "dict.txt"
    source.write_text("北京 34488 ns\n背景 3342 n\n北京市 100 ns\n龍門 50 n\nAT&T 3 nz\n"
                      "银行 5000 n\n不存在的行 x n\n", encoding="utf-8")
    out = tmp_path / "index.tsv"
    rows = build(out, words=10, source=source)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and len(lines) == rows + 1
    assert len({line.split("\t")[0] for line in lines[1:]}) >= len(gb2312_level1())
    ime = PinyinIme(out)
    assert ime.candidates("beijing")[:2] == ["北京", "背景"]
    assert ime.candidates("yinhang")[0] == "银行"
    assert "龍門" not in out.read_text(encoding="utf-8")  # traditional characters are left out
    assert ime.candidates("beijingshi")[0] == "北京市"


def test_read_frequencies_keeps_simplified_chinese_words() -> None:
    assert read_frequencies(["中国 100 ns", "中国 7 n", "C++ 3 nz", "龍 5 n", "坏行", "数 x"]) == {
        "中国": 100}


@pytest.mark.parametrize(("text", "expected_first"), [
    ("银行开户", ["yin", "hang", "kai", "hu"]),        # 行 in context
    ("步行街", ["bu", "xing", "jie"]),
    ("往来港澳通行证签注", ["wang", "lai", "gang", "ao", "tong", "xing", "zheng", "qian", "zhu"]),
    ("重庆", ["chong", "qing"]),
    ("A 鄞州 1", ["yin", "zhou"]),                     # GB2312 level 2; non-Chinese skipped
])
def test_readings_in_context(ime: PinyinIme, text: str, expected_first: list[str]) -> None:
    readings = ime.readings(text)
    assert [r[0] for r in readings] == expected_first
    assert all(len(set(r)) == len(r) for r in readings)


def test_readings_list_the_other_pronunciations_too(ime: PinyinIme) -> None:
    assert set(ime.readings("行")[0]) >= {"xing", "hang"}
    assert ime.readings("龘") == [()]  # outside GB2312: no reading known


@settings(max_examples=300, deadline=500)
@given(st.text(alphabet="aeiouvnghszcxjqlwybdm'", max_size=MAX_INPUT))
def test_any_letters_answer_quickly_and_consistently(typed: str) -> None:
    ime = default_ime()
    found = ime.lookup(typed, 10)
    assert len({c.word for c in found}) == len(found) <= 10
    text = normalize(typed)
    for c in found:
        assert 0 < c.consumed <= len(text) and len(c.word) == len(c.syllables)
    pieces = ime.split(typed)
    if pieces:
        assert sum(map(len, pieces)) == len(text.replace("'", ""))
