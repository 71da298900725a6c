"""The operations console's own catalogue (domain "console") is held to the same rules as the
citizen app's: the same msgids in both languages, nothing empty or fuzzy, every string its
Python and Jinja templates mark is translated, nothing stale; and the two domains stay apart."""

from __future__ import annotations

from pathlib import Path

from kiosk.console.lang import DOMAIN
from kiosk.i18n import LANGUAGES, Translator, po_path
from kiosk.i18n.check import CONSOLE_DIR, catalogue_problems, extracted, untranslated, unused

ROOT = Path(__file__).resolve().parents[2]


def test_console_catalogues_are_consistent() -> None:
    for lang in LANGUAGES:
        assert po_path(lang, DOMAIN).is_file()
    assert catalogue_problems(domain=DOMAIN) == []


def test_every_marked_console_string_is_translated() -> None:
    for lang in LANGUAGES:
        missing = untranslated(None, lang, domain=DOMAIN)
        assert missing == {}, f"{lang} lacks {missing}: add them to both console.po files"


def test_no_console_catalogue_entry_is_left_unused() -> None:
    assert unused(None, domain=DOMAIN) == []


def test_the_scan_reads_jinja_templates(tmp_path: Path) -> None:
    """A template string missing from the catalogue is found (so the check can fail)."""
    (tmp_path / "page.html").write_text(
        '<h1>{{ _("Board") }}</h1><p>{{ _("Not in any console catalogue %(n)d", n=3) }}</p>\n'
        '{% trans %}Block sentence{% endtrans %}', encoding="utf-8")
    assert set(extracted([tmp_path])) == {
        "Board", "Not in any console catalogue %(n)d", "Block sentence"}
    assert set(untranslated([tmp_path], "zh-CN", domain=DOMAIN)) == {
        "Not in any console catalogue %(n)d", "Block sentence"}


def test_the_domains_stay_apart() -> None:
    """The console's words are not in the citizen catalogue's scan, and vice versa."""
    citizen = extracted([ROOT / "kiosk", ROOT / "screens"], exclude=[CONSOLE_DIR])
    assert "Operations console" not in citizen
    assert "Operations console" in extracted([CONSOLE_DIR])
    assert Translator("zh-CN", DOMAIN).gettext("Operations console") == "运维控制台"
    assert Translator("zh-CN").gettext("Operations console") == "Operations console"


def test_the_documented_console_extraction_matches_the_catalogue(tmp_path: Path) -> None:
    """The pybabel command in kiosk/console/lang.py's docstring yields the catalogue's msgids."""
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    pot = tmp_path / "console.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "kiosk/locale/console-babel.cfg"),
        "-w", "100", "--no-location", "--omit-header", "-o", str(pot),
        str(ROOT / "kiosk/console")])
    with pot.open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    for lang in LANGUAGES:
        with po_path(lang, DOMAIN).open("rb") as f:
            assert {m.id for m in read_po(f) if m.id} == template
