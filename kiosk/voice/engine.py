"""Text to a WAV file with espeak-ng, cached on disk.

Why a cache: the terminal says the same few sentences all day, so each is rendered once per
(engine version, voice, rate, volume, text) and then only played; the key includes the engine's
version line (which names its data directory), so an upgrade re-renders rather than replays
stale audio. Files are written under a temporary name and renamed, so a crash never leaves a
half-written WAV that a later prompt would play.

Voices: Debian 12's espeak-ng 1.51 reads Chinese characters with the `cmn` voice as English
spelled pinyin ("ni three hao three"): its dictionary yields tone-numbered pinyin, which the
`cmn` voice ("latin as English") then reads as English. `cmn-latn-pinyin` speaks Mandarin.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

VOICES: Mapping[str, str] = {"zh-CN": "cmn-latn-pinyin", "en": "en"}
RENDER_TIMEOUT_S = 30.0


class EngineMissing(RuntimeError):
    """The speech engine's program is not installed (or not executable)."""


class RenderFailed(RuntimeError):
    """The engine ran but produced no usable WAV."""


class EspeakEngine:
    """Renders text with an espeak-ng compatible command line (`-v -s -a -w --stdin`)."""

    def __init__(self, command: str | Sequence[str] = "espeak-ng", *, cache_dir: Path,
                 rate_wpm: int = 150, volume: int = 100,
                 voices: Mapping[str, str] = VOICES) -> None:
        self.command = [command] if isinstance(command, str) else list(command)
        self.cache_dir = Path(cache_dir)
        self.rate_wpm = rate_wpm
        self.volume = volume
        self.voices = dict(voices)
        self.renders = 0  # engine runs that produced a file (the cache's misses)
        self._version: str | None = None
        self._lock = threading.Lock()

    def version(self) -> str:
        """The engine's `--version` line, asked once; EngineMissing if it cannot run."""
        if self._version is None:
            try:
                out = subprocess.run([*self.command, "--version"], capture_output=True,
                                     text=True, timeout=RENDER_TIMEOUT_S, check=True).stdout
            except (OSError, subprocess.SubprocessError) as e:
                raise EngineMissing(f"{self.command[0]}: {type(e).__name__}") from None
            self._version = out.strip().splitlines()[0] if out.strip() else "unknown"
        return self._version

    def cache_path(self, text: str, language: str, rate_wpm: int | None = None) -> Path:
        key = json.dumps([self.version(), self.voices[language], rate_wpm or self.rate_wpm,
                          self.volume, text], ensure_ascii=False)
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.wav"

    def wav(self, text: str, language: str, rate_wpm: int | None = None) -> Path:
        """The WAV of `text` in `language`'s voice (at `rate_wpm`, default the engine's rate),
        rendered now unless cached."""
        rate_wpm = rate_wpm or self.rate_wpm
        path = self.cache_path(text, language, rate_wpm)
        if path.is_file():
            return path
        with self._lock:  # two threads asking for the same prompt render it once
            if path.is_file():
                return path
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
            argv = [*self.command, "-v", self.voices[language], "-s", str(rate_wpm),
                    "-a", str(self.volume), "-w", str(tmp), "--stdin"]
            try:
                # The text goes through stdin, not argv: never visible in `ps`.
                done = subprocess.run(argv, input=text.encode(), capture_output=True,
                                      timeout=RENDER_TIMEOUT_S)
            except OSError as e:
                raise EngineMissing(f"{self.command[0]}: {type(e).__name__}") from None
            except subprocess.TimeoutExpired:
                tmp.unlink(missing_ok=True)
                raise RenderFailed(f"{self.command[0]} timed out") from None
            if done.returncode != 0 or not _is_wav(tmp):
                tmp.unlink(missing_ok=True)
                raise RenderFailed(f"{self.command[0]} exited {done.returncode} without a WAV")
            os.replace(tmp, path)
            self.renders += 1
            return path


def _is_wav(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(12)
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE" and path.stat().st_size > 44
    except OSError:
        return False
