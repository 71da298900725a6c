"""The catalogues stay complete: same msgids in every language, nothing empty or fuzzy, the
same placeholders, and every string the code marks for translation is in them."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from drivers.device import EventKind
from kiosk.client.errors import (
    PlatformError,
    PlatformUnreachable,
    RequestRefused,
    ResponseMalformed,
    ServerFault,
)
from kiosk.i18n import DOMAINS, LANGUAGES, LOCALE_DIR, Translator, mo_path, po_path
from kiosk.i18n.compile import compiled
from kiosk.i18n import messages
from kiosk.i18n.check import (
    catalogue_problems,
    extracted,
    placeholders,
    untranslated,
    unused,
)
from kiosk.outbox.errors import DiskFull, QueueFull, QueueRefused, StorageFailed

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_catalogues_are_consistent() -> None:
    assert catalogue_problems() == []


def test_each_compiled_catalogue_is_what_its_po_compiles_to() -> None:
    """The app loads the .mo: one left behind by an edit of its .po would show old words."""
    for domain in DOMAINS:
        for lang in LANGUAGES:
            assert po_path(lang, domain).is_file()
            assert mo_path(lang, domain).read_bytes() == compiled(lang, domain), (
                f"{mo_path(lang, domain)} is stale: run `python -m kiosk.i18n.compile`")
    assert len(list(LOCALE_DIR.rglob("*.mo"))) == len(DOMAINS) * len(LANGUAGES)


def test_every_marked_string_in_kiosk_and_screens_is_translated() -> None:
    for lang in LANGUAGES:
        missing = untranslated([ROOT / "kiosk", ROOT / "screens"], lang)
        assert missing == {}, f"{lang} lacks {missing}: add them to both kiosk.po files"


def test_the_scan_sees_calls_in_python_and_kv(tmp_path: Path) -> None:
    (tmp_path / "screen.py").write_text(
        'from x import t\n'
        '_ = t.gettext\n'
        'a = _("Exit")\n'
        'b = t.gettext("Not in any catalogue")\n'
        'c = t.ngettext("%(n)d new thing", "%(n)d new things", 2)\n'
        'd = N_("Marked for later")\n'
        'e = _(variable)\n', encoding="utf-8")
    (tmp_path / "screen.kv").write_text(
        "<Home>:\n    Label:\n        text: _('Kv only string')\n"
        '    Button:\n        text: app.t._("Back")\n', encoding="utf-8")
    assert set(extracted([tmp_path])) == {
        "Exit", "Not in any catalogue", "%(n)d new thing", "%(n)d new things",
        "Marked for later", "Kv only string", "Back"}
    assert set(untranslated([tmp_path])) == {
        "Not in any catalogue", "%(n)d new thing", "%(n)d new things", "Marked for later",
        "Kv only string"}


def _catalog(locale: str, entries: dict) -> Catalog:
    cat = Catalog(locale=locale, domain="kiosk")
    for msgid, string in entries.items():
        flags = ["fuzzy"] if isinstance(string, str) and string.startswith("FUZZY ") else []
        cat.add(msgid, string.removeprefix("FUZZY ") if flags else string, flags=flags)
    return cat


def test_the_consistency_check_reports_each_kind_of_fault() -> None:
    zh = _catalog("zh_CN", {
        "Exit": "退出",
        "Only in Chinese": "仅中文",
        "Empty": "",
        "Guessed": "FUZZY 猜的",
        "Fee: %(amount)s": "收费",
        ("%(n)d second", "%(n)d seconds"): ("%(n)d 秒",),
    })
    en = _catalog("en", {
        "Exit": "Exit",
        "Empty": "Empty",
        "Guessed": "Guessed",
        "Fee: %(amount)s": "Fee: %(amount)s",
        ("%(n)d second", "%(n)d seconds"): ("%(n)d second", "%(count)d seconds"),
        "Only in English": "Only in English",
    })
    problems = "\n".join(catalogue_problems({"zh-CN": zh, "en": en}))
    assert "en: missing 'Only in Chinese'" in problems
    assert "en: extra 'Only in English'" in problems
    assert "zh-CN: empty or incomplete translation of 'Empty'" in problems
    assert "zh-CN: fuzzy 'Guessed'" in problems
    assert "placeholders of '收费' differ" in problems
    assert "placeholders of '%(count)d seconds' differ" in problems
    assert "Exit" not in problems


def test_placeholders_are_named_python_format() -> None:
    assert placeholders("%(n)d 秒后，%(amount)s 元 100%%") == ["amount:s", "n:d"]
    assert placeholders("no placeholder") == []


def test_every_outbox_refusal_reason_has_words() -> None:
    for cls in (QueueRefused, QueueFull, DiskFull, StorageFailed):
        assert cls.reason in messages.OUTBOX_REFUSALS
    assert messages.outbox_refusal("a_reason_added_later") == messages.OUTBOX_REFUSALS["refused"]


@pytest.mark.parametrize(("error", "kind"), [
    (PlatformUnreachable("x"), "unreachable"), (RequestRefused("x"), "refused"),
    (ServerFault("x"), "server_fault"), (ResponseMalformed("x"), "malformed"),
    (PlatformError("x"), "unreachable"), (ValueError("x"), "malformed"),
])
def test_platform_errors_map_to_the_four_kinds(error: Exception, kind: str) -> None:
    assert messages.platform_error_kind(error) == kind
    assert set(messages.PLATFORM_ERRORS) == {"unreachable", "refused", "server_fault", "malformed"}


def test_code_tables_are_translated_in_chinese() -> None:
    zh = Translator("zh-CN")
    assert zh.gettext(messages.PRINTER[EventKind.PAPER_OUT.value]) == "打印机缺纸，请联系工作人员。"
    assert zh.gettext(messages.outbox_refusal("disk_full")).startswith("本机存储空间不足")
    assert zh.gettext(messages.validation("required")) == "此项为必填项。"
    assert zh.gettext(messages.validation("minimum"), minimum=18) == "不能小于 18。"
    singular, plural = messages.VALIDATION_LENGTH["too_long"]
    assert zh.ngettext(singular, plural, 40) == "最多 40 个字。"
    assert [zh.gettext(m) for m in messages.HOME_TILES.values()] == [
        "办事申请", "进度查询", "证照打印", "缴费", "预约", "评价"]
    for table in (messages.OUTBOX_REFUSALS, messages.PLATFORM_ERRORS, messages.PRINTER,
                  messages.VALIDATION, messages.HOME_TILES):
        for msgid in table.values():
            assert zh.gettext(msgid) != msgid, f"no Chinese for {msgid!r}"


def test_no_catalogue_entry_is_left_unused() -> None:
    assert unused([ROOT / "kiosk", ROOT / "screens"]) == []


def test_the_documented_pybabel_extraction_matches_the_catalogue(tmp_path: Path) -> None:
    """The commands in kiosk/i18n's docstring produce exactly the catalogue's msgids."""
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    pot = tmp_path / "kiosk.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "kiosk/locale/babel.cfg"), "-k", "NP_:1,2",
        "-w", "100", "--no-location", "--omit-header", "-o", str(pot),
        str(ROOT / "kiosk"), str(ROOT / "screens")])
    with pot.open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    for lang in LANGUAGES:
        with po_path(lang).open("rb") as f:
            assert {m.id for m in read_po(f) if m.id} == template
