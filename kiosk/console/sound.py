"""The help queue's chime, made here (no file to download or ship): two short sine tones."""

from __future__ import annotations

import functools
import io
import math
import struct
import wave

RATE = 16000


@functools.cache
def chime() -> bytes:
    """A WAV of about 0.4 s: 880 Hz then 660 Hz, with soft edges so it does not click."""
    frames = bytearray()
    for freq, seconds in ((880.0, 0.18), (660.0, 0.22)):
        count = int(RATE * seconds)
        for i in range(count):
            envelope = min(1.0, i / 400, (count - i) / 400)
            sample = 0.5 * envelope * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()
