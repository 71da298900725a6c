"""Spoken guidance from an offline engine (espeak-ng) that never speaks personal data.

`prompts` is the closed catalogue of what may be said (fixed sentences from the gettext
catalogues, integer parameters only); `engine` renders text to cached WAV files; `service.Voice`
speaks on its own thread so that the UI never waits for it.
"""

from kiosk.voice.engine import VOICES, EngineMissing, EspeakEngine, RenderFailed
from kiosk.voice.prompts import MAX_INT, PROMPTS, Prompt, check_args, prompt_text
from kiosk.voice.service import Voice

__all__ = ["MAX_INT", "PROMPTS", "VOICES", "EngineMissing", "EspeakEngine", "Prompt",
           "RenderFailed", "Voice", "check_args", "prompt_text"]
