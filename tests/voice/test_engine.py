"""espeak-ng renders each sentence once into the cache; the cache key follows engine and voice."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.voice import PROMPTS, VOICES, EngineMissing, EspeakEngine, prompt_text


def _riff_wav(path: Path) -> bool:
    head = path.read_bytes()[:12]
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_prompt_renders_a_non_empty_wav(tmp_path: Path, language: str) -> None:
    engine = EspeakEngine(cache_dir=tmp_path)
    path = engine.wav(prompt_text("welcome", language), language)
    assert path.parent == tmp_path and path.suffix == ".wav"
    assert _riff_wav(path)
    assert path.stat().st_size > 20_000  # more than a second of 22 kHz 16-bit mono
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_second_time_comes_from_the_cache(tmp_path: Path) -> None:
    engine = EspeakEngine(cache_dir=tmp_path)
    text = prompt_text("please_wait", "zh-CN")
    first = engine.wav(text, "zh-CN")
    mtime = first.stat().st_mtime_ns
    again = EspeakEngine(cache_dir=tmp_path).wav(text, "zh-CN")  # a new process would do the same
    assert again == first and again.stat().st_mtime_ns == mtime
    assert engine.wav(text, "zh-CN") == first
    assert engine.renders == 1
    faster = EspeakEngine(cache_dir=tmp_path, rate_wpm=180)
    assert faster.wav(text, "zh-CN") != first and faster.renders == 1
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_chinese_is_spoken_as_mandarin_not_as_english_spelled_pinyin() -> None:
    """Debian 12's `cmn` voice says 你好 as "ni three hao three" (phonemes marked `(en)`);
    `cmn-latn-pinyin` reads Latin letters as pinyin, so a Chinese prompt must have none."""
    for prompt in PROMPTS.values():
        text = prompt_text(prompt.id, "zh-CN", **{p: 20 for p in prompt.params})
        assert not re.search("[A-Za-z]", text), (prompt.id, text)
        phonemes = subprocess.run(["espeak-ng", "-q", "-x", "-v", VOICES["zh-CN"], "--stdin"],
                                  input=text, capture_output=True, text=True, timeout=30,
                                  check=True).stdout
        assert phonemes.strip() and "(en)" not in phonemes, (prompt.id, phonemes)


def test_a_missing_engine_says_so(tmp_path: Path) -> None:
    engine = EspeakEngine(str(tmp_path / "no-such-espeak"), cache_dir=tmp_path)
    with pytest.raises(EngineMissing):
        engine.wav("Please wait.", "en")
