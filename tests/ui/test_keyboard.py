"""The on-screen keyboard as a citizen uses it: typed by taps under a real X server.

Each test runs `tests/ui/keyboard_app.py` (just the keyboard and its field) under the session's
Xvfb and taps keys through the project's UI driver, as a finger would.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from screens.keyboard import key_row_px
from screens.theme import MIN_TARGET_PX
from tests.ui.harness import ROOT, KioskUi, Xvfb

APP = Path(__file__).with_name("keyboard_app.py")
TOUCHABLE = ("key_", "cand_", "kb_mode_")


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keyboard-fonts")  # the CJK face is extracted once


def start_keyboard(xvfb: Xvfb, run_dir: Path, fonts: Path, *args: str) -> KioskUi:
    ui = KioskUi(run_dir, xvfb)
    run_dir.mkdir(parents=True, exist_ok=True)
    ui.log = (run_dir / "app.log").open("wb")
    ui.proc = subprocess.Popen(
        [sys.executable, str(APP), "--port", str(ui.port), "--kivy-home", str(run_dir / "kivy"),
         "--fonts", str(fonts), *args],
        cwd=ROOT, env={"DISPLAY": f":{xvfb.display}", "PATH": "/usr/bin:/bin"},
        stdout=ui.log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        if ui.proc.poll() is not None:
            raise RuntimeError(f"the keyboard app exited:\n{ui.app_log()}")
        try:
            if "key_done" in ui.state().get("kids", []):
                return ui
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            ui.stop()
            raise RuntimeError(f"the keyboard app did not come up:\n{ui.app_log()}")
        time.sleep(0.1)


@pytest.fixture
def launch(xvfb: Xvfb, tmp_path: Path, fonts: Path):
    started: list[KioskUi] = []

    def run(*args: str) -> KioskUi:
        ui = start_keyboard(xvfb, tmp_path / f"kb{len(started)}", fonts, *args)
        started.append(ui)
        return ui

    yield run
    for ui in started:
        ui.stop()


def field(state: dict[str, Any]) -> str:
    return next(t for t in state["texts"] if t.startswith("TEXT:")).removeprefix("TEXT:")


def tap_until(ui: KioskUi, kid: str, predicate) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ui.tap(kid)
    return ui.wait_for(predicate, timeout_s=5)


def tap_keys(ui: KioskUi, keys: str, predicate) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Taps at a brisk typist's pace (each finger lifts 0.1 s after it lands)."""
    for ch in keys:
        ui.tap(f"key_{ch.lower()}")
        time.sleep(0.05)
    return ui.wait_for(predicate, timeout_s=5)


def type_pinyin(ui: KioskUi, letters: str) -> dict[str, Any]:
    typed = ui.state()["labels"]["kb_composing"].replace("'", "") + letters
    return tap_keys(ui, letters, lambda s: s["labels"]["kb_composing"].replace("'", "") == typed)


def cand_kid(state: dict[str, Any], word: str) -> str:
    return next(k for k, text in state["labels"].items()
                if k.startswith("cand_") and text == word)


def test_pinyin_letters_digits_and_delete_by_taps(launch) -> None:  # type: ignore[no-untyped-def]
    """The brief's walk: 你好 by taps, a leading word, delete order, digits, letters, done."""
    ui = launch()
    state = ui.state()
    assert {f"key_{c}" for c in "abcdefghijklmnopqrstuvwxyz"} <= set(state["kids"])
    assert {"kb_mode_pinyin", "kb_mode_letters", "kb_mode_digits", "key_back", "key_space",
            "key_clear", "key_done", "cand_less", "cand_more"} <= set(state["kids"])
    assert {"拼音", "空格", "删除", "完成"} <= set(state["texts"])
    for kid, (w, h) in state["sizes"].items():
        if kid.startswith(TOUCHABLE):
            assert w >= MIN_TARGET_PX and h >= MIN_TARGET_PX, (kid, w, h)

    state = type_pinyin(ui, "nihao")
    assert state["labels"]["kb_composing"] == "ni'hao"
    state = ui.wait_for(lambda s: s["labels"].get("cand_0") == "你好")
    state = tap_until(ui, "cand_0", lambda s: field(s) == "你好")
    assert state["labels"]["kb_composing"] == "" and "cand_0" not in state["kids"]

    state = type_pinyin(ui, "beijingshi")
    state = tap_until(ui, cand_kid(state, "北京"), lambda s: field(s) == "你好北京")
    assert state["labels"]["kb_composing"] == "shi", "the rest of the pinyin stays composing"
    state = tap_until(ui, cand_kid(state, "市"), lambda s: field(s) == "你好北京市")

    type_pinyin(ui, "a")
    tap_until(ui, "key_back", lambda s: s["labels"]["kb_composing"] == "")
    tap_until(ui, "key_back", lambda s: field(s) == "你好北京")  # composition first, then text

    state = tap_until(ui, "kb_mode_digits", lambda s: "key_0" in s["kids"])
    assert {f"key_{d}" for d in range(10)} <= set(state["kids"])
    assert not {"key_a", "key_space", "key_x", "cand_0"} & set(state["kids"])
    tap_until(ui, "key_1", lambda s: field(s) == "你好北京1")
    tap_until(ui, "key_2", lambda s: field(s) == "你好北京12")
    tap_until(ui, "key_back", lambda s: field(s) == "你好北京1")

    state = tap_until(ui, "kb_mode_letters", lambda s: "key_caps" in s["kids"])
    tap_until(ui, "key_caps", lambda s: s["labels"]["key_a"] == "A")
    tap_until(ui, "key_a", lambda s: field(s) == "你好北京1A")
    tap_until(ui, "key_done", lambda s: "DONE:你好北京1A" in s["texts"])
    tap_until(ui, "key_clear", lambda s: field(s) == "")


def test_id_number_field_in_elder_mode(launch) -> None:  # type: ignore[no-untyped-def]
    ui = launch("--modes", "digits", "--extras", "X", "--max-length", "18", "--elder")
    state = ui.state()
    kids = set(state["kids"])
    assert {f"key_{d}" for d in range(10)} | {"key_x", "key_back", "key_done"} <= kids
    assert not {k for k in kids if k.startswith("kb_mode_")}, "one mode: no switches"
    assert "key_a" not in kids and "cand_0" not in kids
    # keys a finger hits easily, in a sheet that leaves the screen above it free
    for kid, (w, h) in state["sizes"].items():
        if kid.startswith("key_"):
            assert h >= key_row_px(True) >= MIN_TARGET_PX and w >= 2 * MIN_TARGET_PX, (kid, h)
    assert state["labels"]["kb_length"] == "0/18"
    number = "11010119900307123"
    tap_keys(ui, number + "X", lambda s: field(s) == number + "X")
    ui.tap("key_9")  # the 19th character does not fit
    time.sleep(0.3)
    assert field(ui.state()) == number + "X"


def test_candidates_appear_by_themselves_once_the_index_has_loaded(
        launch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gate = tmp_path / "load-the-index-now"
    ui = launch("--ime-gate", str(gate), "--elder")
    state = type_pinyin(ui, "nihao")
    assert "cand_0" not in state["kids"], "no candidates before the index is there"
    assert "kb_composing" in state["kids"] and state["labels"]["kb_composing"] == "nihao"
    gate.touch()  # no tap after this: the keyboard must refresh by itself
    state = ui.wait_for(lambda s: s["labels"].get("cand_0") == "你好", timeout_s=10)
    assert state["labels"]["kb_composing"] == "ni'hao"
    assert "cand_3" in state["kids"] and "cand_4" not in state["kids"], "4 per page for elders"
