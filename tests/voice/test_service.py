"""Voice: say() never waits, the player (a real process) gets the cached file, a newer prompt
cuts the current one off, and a terminal without engine or sound card stays quietly usable."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

import pytest

from kiosk.voice import Voice
from tests.support import process_state, wait_until
from tests.voice.conftest import Recorder


def _script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def voices():
    made: list[Voice] = []

    def make(**kwargs) -> Voice:
        made.append(Voice(**kwargs))
        return made[-1]
    yield make
    for v in made:
        v.stop()


def test_the_player_receives_the_rendered_file(tmp_path: Path, recorder: Recorder, voices) -> None:
    voice = voices(cache_dir=tmp_path / "cache", player_command=recorder.command)
    voice.say("welcome", "zh-CN")
    assert voice.wait_idle(20)
    [played] = recorder.files()
    [cached] = (tmp_path / "cache").glob("*.wav")
    assert played.read_bytes() == cached.read_bytes()
    assert played.read_bytes()[:4] == b"RIFF"
    assert voice.played == 1 and voice.engine.renders == 1

    voice.say("welcome", "zh-CN")  # cached: played again, not rendered again
    assert voice.wait_idle(20)
    assert len(recorder.files()) == 2 and voice.engine.renders == 1


def test_say_returns_at_once_even_while_the_engine_is_slow(tmp_path: Path, recorder: Recorder,
                                                          voices) -> None:
    slow = _script(tmp_path / "slow-espeak", 'sleep 1\nexec espeak-ng "$@"\n')
    voice = voices(cache_dir=tmp_path / "cache", engine_command=slow,
                   player_command=recorder.command)
    started = time.perf_counter()
    voice.say("please_wait", "en")
    voice.say("session_ending", "en", n=10)
    took = time.perf_counter() - started
    assert took < 0.05, f"say() took {took:.3f} s"
    assert voice.wait_idle(20)
    assert len(recorder.files()) == 1  # the first was superseded before it was played


def test_a_newer_prompt_interrupts_the_one_playing(tmp_path: Path, recorder: Recorder,
                                                   voices) -> None:
    voice = voices(cache_dir=tmp_path / "cache", player_command=recorder.command)
    recorder.hold(True)  # the player keeps "playing" until the hold file goes
    voice.say("session_ending", "en", n=20)
    assert wait_until(lambda: recorder.log()[:1], timeout=20)
    first_pid = int(recorder.log()[0].split()[2])

    voice.say("session_ending", "en", n=10)
    assert wait_until(lambda: len(recorder.log()) >= 2, timeout=20)
    assert wait_until(lambda: not _alive(first_pid), timeout=2), "the first player was not killed"
    recorder.hold(False)
    assert voice.wait_idle(10)
    assert recorder.log()[0].startswith("start 0") and recorder.log()[1].startswith("start 1")
    assert recorder.log()[2:] == ["end 1"]  # the first never finished
    first, second = recorder.files()
    assert first.read_bytes() != second.read_bytes()
    assert voice.played == 1


def test_stop_ends_the_player_and_the_worker(tmp_path: Path, recorder: Recorder,
                                             voices) -> None:
    voice = voices(cache_dir=tmp_path / "cache", player_command=recorder.command)
    recorder.hold(True)
    voice.say("please_wait", "en")
    assert wait_until(lambda: recorder.log()[:1], timeout=20)
    pid = int(recorder.log()[0].split()[2])
    started = time.perf_counter()
    voice.stop()
    assert time.perf_counter() - started < 2
    assert voice._thread is not None and not voice._thread.is_alive()
    assert wait_until(lambda: not _alive(pid), timeout=2)
    voice.say("please_wait", "en")  # harmless after stop
    recorder.hold(False)


def test_a_missing_engine_leaves_say_harmless(tmp_path: Path, recorder: Recorder, voices,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.voice")
    voice = voices(cache_dir=tmp_path / "cache", engine_command=str(tmp_path / "no-espeak"),
                   player_command=recorder.command)
    for _ in range(3):
        voice.say("welcome", "en")
        assert voice.wait_idle(10)
    assert recorder.files() == [] and voice.played == 0
    warnings = [r for r in caplog.records if "not available" in r.getMessage()]
    assert len(warnings) == 1


def test_a_failing_player_is_logged_once_and_not_retried_every_prompt(
        tmp_path: Path, voices, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.voice")
    runs = tmp_path / "runs"
    no_card = _script(tmp_path / "no-card",
                      f'echo run >> {runs}\necho "audio open error: no card" >&2\nexit 1\n')
    voice = voices(cache_dir=tmp_path / "cache", player_command=(no_card,))
    for prompt in ("welcome", "choose_service", "fill_form"):
        voice.say(prompt, "en")
        assert voice.wait_idle(20)
    assert runs.read_text().splitlines() == ["run"]
    [warning] = [r for r in caplog.records
                 if r.name.startswith("kiosk.voice") and "failed" in r.getMessage()]
    assert "audio open error" in warning.getMessage()
    assert voice.engine.renders == 1  # nothing rendered for a player known to be down


def test_the_failing_player_is_tried_again_after_the_retry_interval(tmp_path: Path,
                                                                     recorder: Recorder,
                                                                     voices) -> None:
    flag = tmp_path / "card-plugged"
    player = _script(tmp_path / "sometimes",
                     f'[ -e {flag} ] || exit 1\nexec {recorder.script} {recorder.dir} "$1"\n')
    voice = voices(cache_dir=tmp_path / "cache", player_command=(player,), player_retry_s=0.2)
    voice.say("please_wait", "en")
    assert voice.wait_idle(20) and voice.played == 0
    flag.touch()
    time.sleep(0.25)
    voice.say("please_wait", "en")
    assert voice.wait_idle(20) and voice.played == 1


def test_disabled_voice_is_a_no_op(tmp_path: Path, recorder: Recorder) -> None:
    voice = Voice(cache_dir=tmp_path / "cache", enabled=False, player_command=recorder.command)
    voice.say("welcome", "zh-CN")
    assert voice.wait_idle(0.1)
    assert voice._thread is None and recorder.files() == []
    assert not (tmp_path / "cache").exists()
    voice.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        return process_state(pid) != "Z"
    except FileNotFoundError:
        return False
