"""What a citizen sees while typing on the keyboard: pinyin, letters and digits into a field."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.forms.fields import form_fields
from kiosk.ime.composer import MAX_COMPOSING, Composer, ImeLoader
from kiosk.ime.pinyin import PinyinIme, default_ime


@pytest.fixture(scope="module")
def ime() -> PinyinIme:
    return default_ime()


def composer(ime: PinyinIme, *modes: str, **kwargs) -> Composer:  # type: ignore[no-untyped-def]
    return Composer(modes or ("pinyin", "letters", "digits"), ime=lambda: ime, **kwargs)


def type_(c: Composer, keys: str) -> None:
    for ch in keys:
        assert c.press(ch), (ch, c)


def words(c: Composer) -> list[str]:
    return [cand.word for cand in c.candidates]


def test_nihao_offers_nihao_first_and_choosing_it_commits(ime: PinyinIme) -> None:
    c = composer(ime)
    type_(c, "nihao")
    assert c.composing == "nihao" and c.text == ""
    assert words(c)[0] == "你好"
    assert c.choose(0)
    assert c.text == "你好" and c.composing == "" and c.candidates == []


def test_choosing_a_leading_word_keeps_the_rest_composing(ime: PinyinIme) -> None:
    c = composer(ime)
    type_(c, "beijingshi")
    i = words(c).index("北京")
    assert c.choose(i)
    assert c.text == "北京" and c.composing == "shi"
    assert "市" in words(c)
    assert c.choose(words(c).index("市"))
    assert c.text == "北京市" and c.composing == ""


def test_separator_leads_to_two_syllables_and_is_dropped_after_a_choice(ime: PinyinIme) -> None:
    c = composer(ime)
    assert not c.press("'"), "a separator cannot start a composition"
    type_(c, "xi'")
    assert not c.press("'"), "one separator at a time"
    type_(c, "an")
    assert words(c)[0] == "西安"
    c2 = composer(ime)
    type_(c2, "xi'an")
    c2.choose(words(c2).index("西"))
    assert c2.composing == "an"


def test_space_commits_the_first_candidate_or_the_letters_when_there_is_none(
        ime: PinyinIme) -> None:
    c = composer(ime)
    type_(c, "nihao")
    assert c.space()
    assert c.composing == "" and c.text == "你好"
    type_(c, "vvv")  # not pinyin: no candidates
    assert c.candidates == []
    assert c.space()
    assert c.text == "你好vvv"
    assert c.space() and c.text == "你好vvv "


def test_backspace_removes_the_composition_first_then_the_text(ime: PinyinIme) -> None:
    c = composer(ime, text="办事")
    type_(c, "ni")
    assert c.backspace() and (c.text, c.composing) == ("办事", "n")
    assert c.backspace() and (c.text, c.composing) == ("办事", "")
    assert c.backspace() and (c.text, c.composing) == ("办", "")
    assert c.backspace() and c.text == ""
    assert not c.backspace()


def test_max_length_is_never_exceeded(ime: PinyinIme) -> None:
    c = composer(ime, max_length=3)
    type_(c, "beijing")
    assert c.choose(words(c).index("北京"))
    type_(c, "shi")
    assert c.choose(words(c).index("市"))
    assert c.text == "北京市" and c.full
    assert not c.press("a"), "nothing can be composed into a full field"
    c = composer(ime, max_length=2)
    type_(c, "ni")
    c.choose(0)
    type_(c, "beijing")
    assert not c.choose(words(c).index("北京")), "a word that does not fit is refused"
    assert c.composing == "beijing" and len(c.text) == 1
    assert c.choose(words(c).index("北")), "one that fits is taken"
    assert (len(c.text), c.composing) == (2, "jing")
    c = composer(ime, max_length=3)
    type_(c, "zhangsan")
    c.set_mode("letters")  # the letters go in as far as they fit
    assert c.text == "zha"
    d = composer(ime, "digits", max_length=11)
    type_(d, "13800138000")
    assert not d.press("1") and d.text == "13800138000"


def test_digits_mode_refuses_letters_and_takes_only_the_fields_extras(ime: PinyinIme) -> None:
    mobile = composer(ime, "digits")
    assert mobile.modes == ("digits",) and not mobile.set_mode("pinyin")
    for ch in "aX-. '":
        assert not mobile.press(ch), ch
    assert not mobile.space()
    type_(mobile, "138")
    assert mobile.text == "138"
    id_number = composer(ime, "digits", extras="X")
    type_(id_number, "11010119900307123")
    assert id_number.press("x") and id_number.text.endswith("X")
    assert not id_number.press("-")
    with pytest.raises(ValueError):
        composer(ime, "digits", extras="@")


def test_letters_mode_with_caps_and_symbols(ime: PinyinIme) -> None:
    c = composer(ime, "letters", "digits")
    assert c.mode == "letters"
    type_(c, "a@b.cn")
    c.toggle_caps()
    c.press("q")
    assert c.text == "a@b.cnQ"
    assert not c.press("中")
    c.set_mode("digits")
    c.press("7")
    assert c.text == "a@b.cnQ7"


def test_switching_mode_keeps_pending_pinyin_as_letters(ime: PinyinIme) -> None:
    c = composer(ime)
    type_(c, "wang")
    assert c.set_mode("digits")
    assert (c.text, c.composing, c.mode) == ("wang", "", "digits")


def test_candidate_pages(ime: PinyinIme) -> None:
    c = composer(ime, page_size=5)
    type_(c, "shi")
    first = words(c)
    assert len(first) == 5 and not c.has_prev_page and c.has_next_page
    assert c.next_page()
    second = words(c)
    assert len(second) == 5 and not set(first) & set(second)
    assert c.choose(0)
    assert c.text == second[0]
    type_(c, "shi")
    assert c.page == 0, "a new composition starts on its first page"
    c.next_page()
    assert c.prev_page() and words(c) == first and not c.prev_page()
    c.page_size = 3
    assert words(c) == first[:3]


def test_clear_and_finish(ime: PinyinIme) -> None:
    c = composer(ime, text="张")
    type_(c, "san")
    assert c.finish() == "张san"
    c.clear()
    assert (c.text, c.composing) == ("", "")


def test_repr_never_shows_what_was_typed(ime: PinyinIme) -> None:
    c = composer(ime, text="110101199003071234")
    type_(c, "zhangsan")
    assert "1101" not in repr(c) and "zhang" not in repr(c)


def test_no_candidates_until_the_index_is_loaded_then_they_appear() -> None:
    gate = threading.Event()

    def slow_load() -> PinyinIme:
        gate.wait(5)
        return default_ime()

    loader = ImeLoader(slow_load)
    ready: list[PinyinIme] = []
    loader.when_ready(ready.append)
    c = Composer(ime=loader.get)
    type_(c, "nihao")
    started = time.perf_counter()
    assert c.candidates == []
    assert time.perf_counter() - started < 0.05, "looking while loading must not block"
    gate.set()
    assert loader.wait(5) is not None
    assert len(ready) == 1
    assert [x.word for x in c.candidates][0] == "你好"
    late: list[PinyinIme] = []
    loader.when_ready(late.append)
    assert late == ready, "a late subscriber is called at once"


def test_a_loader_that_fails_leaves_pinyin_without_candidates() -> None:
    def broken() -> PinyinIme:
        raise OSError("index missing")

    loader = ImeLoader(broken)
    assert loader.wait(5) is None and loader.failed
    c = Composer(ime=loader.get)
    type_(c, "ni")
    assert c.candidates == [] and c.space() and c.text == "ni"


def test_composers_for_the_catalogues_fields(ime: PinyinIme) -> None:
    schema = {"type": "object", "properties": {
        "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$", "maxLength": 18},
        "mobile": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
        "month": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
        "credit_code": {"type": "string", "pattern": "^[0-9A-Z]{8,24}$"},
        "name": {"type": "string", "maxLength": 20},
    }}
    by_name = {f.name: Composer.for_field(f, ime=lambda: ime) for f in form_fields(schema, "en")}
    assert (by_name["id_number"].modes, by_name["id_number"].extras,
            by_name["id_number"].max_length) == (("digits",), "X", 18)
    assert (by_name["mobile"].modes, by_name["mobile"].extras) == (("digits",), "")
    assert by_name["month"].extras == "-"
    code = by_name["credit_code"]
    assert code.modes == ("letters", "digits") and code.caps
    code.press("a")
    assert code.text == "A"
    for ch in "91310000":  # a code mixes digits and letters: both on the letters layout
        assert code.press(ch)
    assert code.mode == "letters" and code.text == "A91310000"
    assert code.max_length == 24  # from its pattern
    assert by_name["name"].modes == ("pinyin", "letters", "digits")


KEYS = st.sampled_from([*"abcdefghijklmnopqrstuvwxyz'0123456789X-.@_ 中A", "",
                        "<back>", "<space>", "<choose>", "<next>", "<prev>", "<clear>",
                        "<pinyin>", "<letters>", "<digits>", "<caps>", "<finish>"])


@settings(max_examples=150, deadline=None)
@given(st.lists(KEYS, max_size=80), st.sampled_from([None, 0, 1, 5, 18]),
       st.sampled_from(["pinyin letters digits", "digits", "letters digits"]),
       st.integers(min_value=0, max_value=8))
def test_no_sequence_of_presses_raises_or_breaks_the_limits(
        keys: list[str], max_length: int | None, modes: str, choice: int) -> None:
    c = Composer(modes.split(), extras="X" if modes == "digits" else "",
                 max_length=max_length, ime=default_ime, page_size=4)
    actions = {"<back>": c.backspace, "<space>": c.space, "<choose>": lambda: c.choose(choice),
               "<next>": c.next_page, "<prev>": c.prev_page, "<clear>": c.clear,
               "<pinyin>": lambda: c.set_mode("pinyin"), "<letters>": lambda: c.set_mode("letters"),
               "<digits>": lambda: c.set_mode("digits"), "<caps>": c.toggle_caps,
               "<finish>": c.finish}
    for key in keys:
        actions.get(key, lambda k=key: c.press(k))()
        assert max_length is None or len(c.text) <= max_length
        assert len(c.composing) <= MAX_COMPOSING
        assert not c.composing.startswith("'")
        assert c.mode in c.modes
        assert c.composing == "" or c.mode == "pinyin"
        assert len(c.candidates) <= c.page_size
        if c.mode == "digits":
            assert c.composing == ""


def test_the_composition_is_shown_cut_into_syllables(ime: PinyinIme) -> None:
    c = composer(ime)
    type_(c, "nihao")
    assert c.composing_shown == "ni'hao"
    type_(c, "zz")
    assert c.composing_shown == "ni'hao'z'z"
    assert Composer(ime=lambda: None, text="").composing_shown == ""
