"""What a citizen reads in each language: translated words, plurals, contract texts, dates, money."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

import kiosk.i18n as i18n
from kiosk.i18n.compile import compiled
from kiosk.i18n import (DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Translator, in_every_language,
                        translator)
from kiosk.refplatform.seed import load_services

COUNTDOWN = ("Your session ends in %(n)d second — touch to continue",
             "Your session ends in %(n)d seconds — touch to continue")


def test_chinese_is_the_default_and_english_the_other() -> None:
    assert LANGUAGES == ("zh-CN", "en") and DEFAULT_LANGUAGE == "zh-CN"
    assert Translator().language == "zh-CN"
    assert LANGUAGE_NAMES == {"zh-CN": "中文", "en": "English"}
    assert translator("en") is translator("en")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        Translator("fr")


def test_words_are_translated() -> None:
    zh, en = Translator("zh-CN"), Translator("en")
    assert zh.gettext("Elder mode") == "长辈模式"
    assert en.gettext("Elder mode") == "Elder mode"
    assert zh._("Exit") == "退出"
    assert zh.gettext("Please place your ID card on the reader") == "请将身份证放在读卡区"


def test_a_missing_msgid_reads_as_english() -> None:
    assert Translator("zh-CN").gettext("Not in the catalogue") == "Not in the catalogue"


def test_values_fill_the_placeholders() -> None:
    zh = Translator("zh-CN")
    assert zh.gettext("Fee: %(amount)s", amount=zh.format_fen(2000)) == "收费：¥20.00"
    assert zh.gettext("Application number: %(number)s", number="A1") == "申请编号：A1"


def test_countdown_plurals() -> None:
    zh, en = Translator("zh-CN"), Translator("en")
    assert en.ngettext(*COUNTDOWN, 1) == "Your session ends in 1 second — touch to continue"
    assert en.ngettext(*COUNTDOWN, 30) == "Your session ends in 30 seconds — touch to continue"
    assert zh.ngettext(*COUNTDOWN, 1) == "1 秒后将结束本次服务，触摸屏幕继续"
    assert zh.ngettext(*COUNTDOWN, 30) == "30 秒后将结束本次服务，触摸屏幕继续"


def test_pick_chooses_the_language_of_a_localized_text() -> None:
    name = load_services()[0]["name"]
    assert Translator("zh-CN").pick(name) == "护士执业注册"
    assert Translator("en").pick(name) == "Nurse practice registration"
    assert Translator("en").pick({"zh-CN": "仅中文"}) == "仅中文"
    assert Translator("en").pick({"zh-CN": "", "en": ""}) == ""
    assert Translator("zh-CN").pick({"en": "English only"}) == "English only"
    assert Translator("en").pick(None) == ""


def test_dates_read_naturally() -> None:
    d = date(2026, 11, 23)
    assert Translator("zh-CN").format_date(d) == "2026年11月23日（周一）"
    assert Translator("en").format_date(d) == "Mon 23 Nov 2026"
    assert Translator("en").format_date(datetime(2026, 1, 5, 23, 59)) == "Mon 5 Jan 2026"


@pytest.mark.parametrize(("fen", "text"), [
    (2000, "¥20.00"), (5, "¥0.05"), (0, "¥0.00"), (123456, "¥1,234.56"),
    (10**12 + 1, "¥10,000,000,000.01"), (-150, "-¥1.50"),
])
def test_money_is_exact_in_both_languages(fen: int, text: str) -> None:
    for lang in LANGUAGES:
        assert Translator(lang).format_fen(fen) == text


def test_money_must_be_whole_fen() -> None:
    with pytest.raises(TypeError):
        Translator().format_fen(20.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Translator().format_fen(True)  # type: ignore[arg-type]


def test_fuzzy_entries_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "kiosk.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Exit"\nmsgstr "退出"\n\n'
        '#, fuzzy\nmsgid "Back"\nmsgstr "猜的"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    (folder / "kiosk.mo").write_bytes(compiled("zh-CN", "kiosk"))
    i18n.translations.cache_clear()
    try:
        zh = Translator("zh-CN")
        assert zh.gettext("Exit") == "退出"
        assert zh.gettext("Back") == "Back"
    finally:
        i18n.translations.cache_clear()


def test_a_catalogue_sentence_in_every_language_and_staff_words_once() -> None:
    assert in_every_language("This terminal is under maintenance.") == [
        "本终端正在维护。", "This terminal is under maintenance."]
    assert in_every_language("Nearest counter: %(where)s", where="3号窗口") == [
        "最近的人工窗口：3号窗口", "Nearest counter: 3号窗口"]
    assert in_every_language("设备维护中，请到 3 号窗口办理") == ["设备维护中，请到 3 号窗口办理"]
