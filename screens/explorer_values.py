"""What the explorer types into a form field: a value the field takes, as a citizen who knows
their details types it, or random keys, as one who does not (pure logic, no Kivy).

A right value is built from the field itself (its pattern, kind and limits, as the service's
schema declares them) and only from characters the field's own keyboard has, then held to the
form's own check (`kiosk.forms.validate_field`): a value the form would refuse is never
called right. Free text is typed as pinyin letters, which go in as letters on Done.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from kiosk.forms import Field
from kiosk.forms.validate import validate_field

# pinyin of everyday words, for free text (addresses, names, units): letters every keyboard has
WORDS = ("beijing", "zhongshan", "renmin", "jianshe", "heping", "xinhua", "dongfang",
         "lu", "jie", "hao", "lou", "shi", "qu", "wang", "li", "zhang", "chen")
TRIES = 40  # random draws before giving up on a pattern the generator reads wrongly
SPARE_REPEATS = 3  # above a pattern's minimum count, when its maximum is larger


def _from_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string `pattern` matches, drawn at random; None for constructs this does not know."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None

    def one_of(items: Any) -> str | None:
        chars: list[str] = []
        for op, arg in items:
            if op is sre.LITERAL:
                chars.append(chr(arg))
            elif op is sre.RANGE:
                chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
            elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
                chars.extend("0123456789")
            else:
                return None
        return rng.choice(chars) if chars else None

    def build(items: Any) -> str | None:
        out: list[str] = []
        for op, arg in items:
            if op is sre.LITERAL:
                piece: str | None = chr(arg)
            elif op is sre.IN:
                piece = one_of(arg)
            elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
                piece = rng.choice("0123456789")
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                low, high, sub = arg
                high = low + SPARE_REPEATS if high is sre.MAXREPEAT else high
                parts = [build(sub) for _ in range(rng.randint(low, min(high, low + SPARE_REPEATS)))]
                piece = None if None in parts else "".join(p for p in parts if p is not None)
            elif op is sre.SUBPATTERN:
                piece = build(arg[-1])
            elif op is sre.BRANCH:
                piece = build(rng.choice(arg[1]))
            elif op is sre.AT:
                piece = ""
            else:
                return None
            if piece is None:
                return None
            out.append(piece)
        return "".join(out)

    return build(parsed)


def _words(rng: random.Random, low: int, high: int) -> str:
    text = ""
    while len(text) < low:
        text += rng.choice(WORDS)
    return text[:high]


def _draft(field: Field, rng: random.Random, today: dt.date) -> str | None:
    if field.pattern is not None:
        return _from_pattern(field.pattern, rng)
    if field.kind == "phone":
        return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    if field.kind in ("integer", "number"):
        low = field.minimum if field.minimum is not None else 1
        high = field.maximum if field.maximum is not None else low + 100
        return str(rng.randint(int(low), int(min(high, low + 20))))
    if field.kind == "date":
        return (today + dt.timedelta(days=rng.randint(1, 300))).isoformat()
    if field.kind == "email":
        return _words(rng, 3, 12) + "@" + _words(rng, 2, 8) + ".cn"
    low = field.min_length or 2
    high = field.max_length or max(low, 20)
    return _words(rng, low, min(high, max(low, 12)))


def right_value(field: Field, rng: random.Random, today: dt.date | None = None) -> str | None:
    """A value `field` takes, typed as text (None when none was found in `TRIES` draws)."""
    today = today or dt.date.today()
    for _ in range(TRIES):
        text = _draft(field, rng, today)
        if text is None:
            return None
        if validate_field(field, text, "en")[1] is None:
            return text
    return None


def random_keys(rng: random.Random, keys: list[str], most: int = 8) -> list[str]:
    """A few of `keys` at random: a value as likely wrong as right."""
    return [rng.choice(keys) for _ in range(rng.randint(1, most))] if keys else []
