"""The voice of the terminal: `say()` from the UI thread, speech on one worker thread.

Decisions:
- Latest wins. Spoken guidance is only useful for what is on screen now, so a new prompt
  kills the one playing and replaces any not yet started (a queue of stale sentences would talk
  over the citizen's next step).
- Never blocks the caller: `say()` checks its arguments (a wrong one raises at once: that is
  a bug, not a runtime condition), stores the prompt and returns; rendering and playing
  happen on the worker. The engine is first asked for its version on the worker too.
- Degrades to silence: disabled → no thread at all; engine missing → logged once, silent for
  good; player failing (a terminal without a sound card) → logged once, then only retried
  after `player_retry_s`, not on every prompt.
- Logs name the prompt id, never its words (they carry no personal data, but ids are what an
  engineer searches for).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import DEFAULT_LANGUAGE, LANGUAGES
from kiosk.voice.engine import VOICES, EngineMissing, EspeakEngine, RenderFailed
from kiosk.voice.prompts import check_args, prompt_text

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Item:
    prompt_id: str
    language: str
    ints: Mapping[str, int]
    slow: bool  # elder mode: the slower rate
    generation: int  # Voice._generation when asked; a later say()/silence() supersedes it


class Voice:
    """Spoken guidance. Plain arguments (not the config section) so that tests need no config."""

    def __init__(self, *, cache_dir: Path, enabled: bool = True,
                 engine_command: str | Sequence[str] = "espeak-ng",
                 player_command: Sequence[str] = ("aplay", "-q"), rate_wpm: int = 150,
                 slow_rate_wpm: int | None = None,
                 volume: int = 100, voices: Mapping[str, str] = VOICES,
                 player_retry_s: float = 300.0) -> None:
        self.enabled = enabled
        self.engine = EspeakEngine(engine_command, cache_dir=cache_dir, rate_wpm=rate_wpm,
                                   volume=volume, voices=voices)
        self.player_command = list(player_command)
        self.rate_wpm = rate_wpm
        self.slow_rate_wpm = slow_rate_wpm or max(80, round(rate_wpm * 0.75))
        self._last: _Item | None = None  # what 重听 / Repeat says again
        self.player_retry_s = player_retry_s
        self.played = 0  # prompts whose player ran to the end with status 0
        self._cond = threading.Condition()
        self._pending: _Item | None = None
        self._generation = 0
        self._working = False
        self._stopping = False
        self._engine_missing = False
        self._player: subprocess.Popen[bytes] | None = None
        self._interrupted = False
        self._player_down_until = 0.0  # monotonic; 0 = the player is believed to work
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
            self._thread.start()

    # -- called from the UI thread -------------------------------------------------------

    def say(self, prompt_id: str, language: str = DEFAULT_LANGUAGE, /, *, slow: bool = False,
            **ints: int) -> None:
        """Speak a prompt soon, interrupting whatever is being said; `slow` at the elder rate.
        Returns at once."""
        check_args(prompt_id, ints)
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        if not self.enabled or self._engine_missing:
            return
        with self._cond:
            if self._stopping:
                return
            self._generation += 1
            self._pending = self._last = _Item(prompt_id, language, dict(ints), slow,
                                               self._generation)
            self._kill_player()
            self._cond.notify_all()

    def repeat(self, language: str | None = None, *, slow: bool | None = None) -> bool:
        """Say the last prompt again (重听), in the citizen's language and rate now; False when
        nothing was said yet."""
        last = self._last
        if last is None:
            return False
        self.say(last.prompt_id, language or last.language,
                 slow=last.slow if slow is None else slow, **last.ints)
        return True

    def silence(self) -> None:
        """Stop speaking now (the citizen left, the screen changed to something silent)."""
        with self._cond:
            self._generation += 1
            self._pending = None
            self._kill_player()
            self._cond.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """Silence, end the worker and wait for it; say() is a no-op afterwards."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._kill_player()
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is pending or playing (tests, benchmarks, a clean shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._working,
                                       timeout)

    def render(self, prompt_id: str, language: str = DEFAULT_LANGUAGE, /, *, slow: bool = False,
               **ints: int) -> Path | None:
        """Render into the cache now, in the caller's thread (warm the cache at start-up from
        a background thread); None if the engine is missing or failed."""
        text = prompt_text(prompt_id, language, **ints)
        try:
            return self.engine.wav(text, language,
                                   self.slow_rate_wpm if slow else self.rate_wpm)
        except EngineMissing:
            self._note_engine_missing()
        except RenderFailed as e:
            log.warning("voice: prompt %s (%s) not rendered: %s", prompt_id, language, e)
        return None

    # -- the worker ----------------------------------------------------------------------

    def _kill_player(self) -> None:
        """Under the lock: end the running player's whole process group (a player script's
        children too)."""
        if self._player is not None and self._player.poll() is None:
            self._interrupted = True
            try:
                os.killpg(self._player.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass

    def _note_engine_missing(self) -> None:
        if not self._engine_missing:
            self._engine_missing = True
            log.warning("voice: speech engine %r is not available; the terminal stays silent",
                        self.engine.command[0])

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._stopping)
                if self._stopping:
                    return
                item, self._pending, self._working = self._pending, None, True
            try:
                self._speak(item)
            except Exception:  # the voice must never take the terminal down
                log.exception("voice: prompt %s failed", item.prompt_id)
            finally:
                with self._cond:
                    self._working = False
                    self._cond.notify_all()

    def _speak(self, item: _Item) -> None:
        if self._engine_missing or time.monotonic() < self._player_down_until:
            return
        path = self.render(item.prompt_id, item.language, slow=item.slow, **item.ints)
        if path is None:
            return
        argv = [*self.player_command, str(path)]
        with self._cond:
            if self._superseded(item):
                return  # superseded while rendering
            self._interrupted = False
        try:
            player = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            self._player_failed(f"{type(e).__name__}: {e.strerror}")
            return
        with self._cond:
            self._player = player
            if self._superseded(item):  # superseded while spawning
                self._kill_player()
        _, err = player.communicate()
        with self._cond:
            self._player = None
            interrupted = self._interrupted
        if interrupted:
            return
        if player.returncode != 0:
            tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
            self._player_failed(f"exit {player.returncode}: {tail[0][:200]}")
            return
        if self._player_down_until:
            log.info("voice: player %r works again", self.player_command[0])
            self._player_down_until = 0.0
        self.played += 1

    def _superseded(self, item: _Item) -> bool:
        return self._stopping or item.generation != self._generation

    def _player_failed(self, why: str) -> None:
        if not self._player_down_until:
            log.warning("voice: player %r failed (%s); silent, retried in %.0f s",
                        self.player_command[0], why, self.player_retry_s)
        self._player_down_until = time.monotonic() + self.player_retry_s
