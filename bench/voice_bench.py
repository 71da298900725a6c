"""Voice benchmark (run by hand: `.venv/bin/python bench/voice_bench.py`).

Per language, for the welcome prompt and the countdown: ms to render it the first time (our
engine: version key + espeak-ng + WAV check + rename) beside the floor, a bare
`espeak-ng -w` of the same text; ms when it is cached; and ms from `say()` to the end of a
player that does nothing (`true`), i.e. what the worker adds before sound could start.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.i18n import LANGUAGES
from kiosk.voice import VOICES, EspeakEngine, Voice, prompt_text

REPEAT = 7
CASES = (("welcome", {}), ("session_ending", {"n": 20}))


def median_ms(fn, repeat: int = REPEAT) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    print(f"{'prompt':<16}{'lang':<7}{'first ms':>10}{'bare espeak':>13}{'cached ms':>11}"
          f"{'say→played':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for prompt_id, ints in CASES:
            for language in LANGUAGES:
                text = prompt_text(prompt_id, language, **ints)
                runs = iter(range(1000))

                def first() -> None:
                    EspeakEngine(cache_dir=root / f"c{next(runs)}").wav(text, language)

                def bare() -> None:
                    subprocess.run(["espeak-ng", "-v", VOICES[language], "-w",
                                    str(root / "bare.wav"), text], check=True)

                warm = EspeakEngine(cache_dir=root / "warm")
                warm.wav(text, language)
                voice = Voice(cache_dir=root / "warm", player_command=("true",))

                def say() -> None:
                    voice.say(prompt_id, language, **ints)
                    voice.wait_idle(30)

                say()
                row = (median_ms(first), median_ms(bare),
                       median_ms(lambda: warm.wav(text, language), 200), median_ms(say))
                voice.stop()
                print(f"{prompt_id:<16}{language:<7}{row[0]:>10.1f}{row[1]:>13.1f}"
                      f"{row[2]:>11.3f}{row[3]:>12.1f}")


if __name__ == "__main__":
    main()
