"""What may be spoken: fixed, translated sentences whose only parameters are small integers."""

from __future__ import annotations

import re

import pytest

from kiosk.i18n import LANGUAGES, translator
from kiosk.i18n.check import read_catalogue
from kiosk.i18n.messages import PAGE_QUALITY
from kiosk.voice import MAX_INT, PROMPTS, Prompt, Voice, check_args, prompt_text

ID_NUMBER = "11010119900307803X"


def _args(prompt: Prompt, n: int) -> dict[str, int]:
    return {name: n for name in prompt.params}


def test_the_app_s_prompts_exist() -> None:
    assert {"welcome", "session_ending", "session_ended", "choose_service", "fill_form",
            "place_page", "page_taken", "page_unclear", "review_submit", "submitted",
            "printer_out_of_paper", "please_wait"} <= set(PROMPTS)
    assert {f"page_{code}" for code in PAGE_QUALITY} <= set(PROMPTS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_in_the_catalogue_and_translated(language: str) -> None:
    known = {i for m in read_catalogue(language) if m.id
             for i in (m.id if isinstance(m.id, tuple) else (m.id,))}
    for prompt in PROMPTS.values():
        for message in prompt.msgids:
            for msgid in message if isinstance(message, tuple) else (message,):
                assert msgid in known, f"{prompt.id}: {msgid!r} missing from {language}"
    zh = translator("zh-CN")
    assert prompt_text("place_page", "zh-CN") == zh.gettext(
        "Please place the document page flat in the marked area.")
    assert re.search(r"[\u4e00-\u9fff]", prompt_text("welcome", "zh-CN"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_prompt_can_contain_more_than_three_digits_in_a_row(language: str) -> None:
    for prompt in PROMPTS.values():
        for n in (0, 1, 2, 9, 10, 99, 100, 999) if prompt.params else (0,):
            text = prompt_text(prompt.id, language, **_args(prompt, n))
            assert not re.search(r"\d{4,}", text), (prompt.id, text)


def test_the_countdown_speaks_its_number() -> None:
    assert prompt_text("session_ending", "en", n=1) == (
        "Your session ends in 1 second — touch to continue")
    assert prompt_text("session_ending", "zh-CN", n=20).startswith("20 秒后")


@pytest.mark.parametrize(("ints", "error"), [
    ({"n": ID_NUMBER}, TypeError),           # a string never gets through
    ({"n": "5"}, TypeError),
    ({"n": 5.0}, TypeError),
    ({"n": True}, TypeError),                # bool is an int subclass: refused too
    ({"n": 1000}, ValueError),               # four digits would be an ID fragment
    ({"n": -1}, ValueError),
    ({}, TypeError),                         # missing
    ({"n": 5, "name": 1}, TypeError),        # a parameter the prompt does not take
])
def test_the_public_api_refuses_anything_but_a_small_int(tmp_path, ints, error) -> None:
    voice = Voice(cache_dir=tmp_path, enabled=False)
    with pytest.raises(error):
        voice.say("session_ending", "zh-CN", **ints)
    with pytest.raises(error):
        prompt_text("session_ending", "en", **ints)
    with pytest.raises(TypeError):
        voice.say("welcome", "en", name=ID_NUMBER)  # type: ignore[arg-type]


def test_unknown_prompt_or_language_is_refused(tmp_path) -> None:
    voice = Voice(cache_dir=tmp_path, enabled=False)
    with pytest.raises(ValueError):
        voice.say("hello_citizen", "en")
    with pytest.raises(ValueError):
        voice.say("welcome", "fr")
    assert check_args("session_ending", {"n": MAX_INT}).id == "session_ending"


def test_a_prompt_with_a_string_placeholder_cannot_even_be_defined() -> None:
    with pytest.raises(ValueError):
        Prompt("greet", ("Hello, %(name)s",), frozenset({"name"}))
    with pytest.raises(ValueError):
        Prompt("bare", ("%d seconds",))
    with pytest.raises(ValueError):  # declared params must match the placeholders
        Prompt("wait", ("Please wait.",), frozenset({"n"}))
    assert Prompt("ok", ("%(n)d left",), frozenset({"n"})).params == {"n"}
