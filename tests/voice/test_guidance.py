"""Voice on every screen: each citizen screen either has its spoken guidance
(screens.guidance.SPOKEN) or speaks its own prompt; a problem is spoken in the words shown;
重听 repeats; elder mode is slower. Catalogue sentences only: nothing with a value in it."""

from __future__ import annotations

import ast
import wave
from pathlib import Path

import pytest

from kiosk.journeys.problems import JourneyProblem, spoken_msgid
from kiosk.voice import Voice
from kiosk.voice.prompts import message, prompt_text
from screens.guidance import SPEAK_FOR_THEMSELVES, SPOKEN
from tests.voice.conftest import Recorder

ROOT = Path(__file__).resolve().parents[2]
STAFF_SCREENS = {"admin", "admin_pin"}


def citizen_screens() -> set[str]:
    """Every screen name the app registers (the journeys' `(name, Screen)` tables and the
    app's own), read from the sources so that a new screen cannot be forgotten."""
    names: set[str] = set()
    for path in (ROOT / "screens").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple) and len(node.elts) == 2 \
                    and isinstance(node.elts[0], ast.Constant) \
                    and isinstance(node.elts[0].value, str) \
                    and isinstance(node.elts[1], ast.Name) \
                    and node.elts[1].id.endswith("Screen"):
                names.add(node.elts[0].value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id.endswith("Screen"):  # AttractScreen(self, name="attract")
                names.update(k.value.value for k in node.keywords if k.arg == "name"
                             and isinstance(k.value, ast.Constant)
                             and isinstance(k.value.value, str))
    return names - STAFF_SCREENS


def test_every_citizen_screen_speaks() -> None:
    screens = citizen_screens()
    assert {"home", "guide", "collect_list", "pay_due", "appt_slots", "evaluate_rate"} <= screens
    silent = screens - set(SPOKEN) - SPEAK_FOR_THEMSELVES
    assert not silent, f"screens that say nothing as they open: {sorted(silent)}"


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_guidance_is_catalogue_sentences(language: str) -> None:
    for screen, msgid in SPOKEN.items():
        text = prompt_text(message(msgid), language)
        assert text and "%(" not in text, screen
        if language == "zh-CN":
            assert text != msgid, f"{screen}: not translated"


def test_only_fixed_catalogue_sentences_can_be_spoken_as_messages() -> None:
    with pytest.raises(ValueError):
        prompt_text(message("张三 110101199003071234"), "zh-CN")  # not in the catalogue
    with pytest.raises(ValueError):
        prompt_text(message("Hello, %(name)s"), "zh-CN")  # a value would be spoken
    with pytest.raises(TypeError):
        prompt_text(message("Please choose a day, then a time."), "zh-CN", n=3)


def test_a_problem_is_spoken_in_the_words_shown() -> None:
    problem = JourneyProblem("holder.wrong_code")
    msgid = spoken_msgid(problem)
    assert msgid is not None and prompt_text(message(msgid), "zh-CN") == problem.text("zh-CN")
    assert spoken_msgid(JourneyProblem("journey.next.promised")) is None  # has a date in it
    assert spoken_msgid(RuntimeError("x")) is None


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_repeat_says_it_again_and_elder_mode_is_slower(tmp_path: Path,
                                                      recorder: Recorder) -> None:
    voice = Voice(cache_dir=tmp_path / "cache", player_command=recorder.command,
                  rate_wpm=150, slow_rate_wpm=110)
    try:
        assert not voice.repeat()  # nothing said yet
        voice.say(message(SPOKEN["home"]), "zh-CN")
        assert voice.wait_idle(20)
        assert voice.repeat(slow=True)
        assert voice.wait_idle(20)
        first, again = recorder.files()
        assert _seconds(again) > _seconds(first) * 1.2, (_seconds(first), _seconds(again))
        assert voice.played == 2
    finally:
        voice.stop()
