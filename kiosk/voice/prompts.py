"""What the terminal may say aloud: a closed catalogue of prompts, each a fixed sentence from the
gettext catalogues whose only parameters are small integers.

Why so strict: a voice carries across the hall. A prompt has no string parameter at all, so a
name, an ID number or a form value cannot be spoken even by mistake; integers are capped at
999 (a countdown), and a text with a run of more than three digits is refused outright.
"""

from __future__ import annotations

import re
from functools import cache
from dataclasses import dataclass
from types import MappingProxyType

from kiosk.i18n import DEFAULT_LANGUAGE, translations, translator
from kiosk.i18n.check import placeholders
from kiosk.i18n.messages import N_, PAGE_QUALITY, SESSION_COUNTDOWN

MAX_INT = 999  # the largest number a prompt may speak (seconds of a countdown)
_LONG_DIGIT_RUN = re.compile(r"\d{4,}")

# A message is a msgid, or a (singular, plural) pair chosen by the `n` parameter.
Message = str | tuple[str, str]


@dataclass(frozen=True, slots=True)
class Prompt:
    """One thing the terminal says: its sentences, spoken in order, and the names of the
    integer parameters they take (every placeholder must be a named `%(x)d`)."""

    id: str
    msgids: tuple[Message, ...]
    params: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        found: set[str] = set()
        for message in self.msgids:
            texts = message if isinstance(message, tuple) else (message,)
            if isinstance(message, tuple) and "n" not in self.params:
                raise ValueError(f"prompt {self.id!r}: a plural message needs the param 'n'")
            for text in texts:
                for item in placeholders(text):
                    name, conv = item.split(":")
                    if conv != "d" or not name:
                        raise ValueError(f"prompt {self.id!r}: only named %(x)d placeholders "
                                         f"are allowed, found {item!r}")
                    found.add(name)
        optional = {"n"} if self._plural() else set()  # a plural's count need not be shown
        if not found <= self.params or not (self.params - found) <= optional:
            raise ValueError(f"prompt {self.id!r}: params {sorted(self.params)} do not match "
                             f"placeholders {sorted(found)}")

    def _plural(self) -> bool:
        return any(isinstance(m, tuple) for m in self.msgids)


def _prompts(*prompts: Prompt) -> MappingProxyType[str, Prompt]:
    return MappingProxyType({p.id: p for p in prompts})


# Sentences shared with the screens are reused, so that the voice says what the screen shows.
PROMPTS = _prompts(
    Prompt("welcome", (N_("Please place your ID card on the reader, or scan your e-ID QR "
                          "code."),)),
    Prompt("session_ending", (SESSION_COUNTDOWN,), frozenset({"n"})),
    Prompt("session_ended", (N_("Your session has ended. Please take your ID card and "
                                "documents."),)),
    Prompt("fault", (N_("Sorry, something went wrong on this terminal. What you entered has "
                        "been cleared; please start again."),)),
    Prompt("take_id_card", (N_("Please take your ID card"),)),
    Prompt("holder_code", (N_("A code was sent to your mobile phone. Please type it."),)),
    Prompt("choose_service", (N_("Please choose a service."),)),
    Prompt("fill_form", (N_("Please fill in the form."),)),
    Prompt("place_page", (N_("Please place the document page flat in the marked area."),)),
    Prompt("page_taken", (N_("Page taken. Turn the page or place the next one."),)),
    Prompt("page_unclear", (PAGE_QUALITY["blurry"],)),
    *(Prompt(f"page_{code}", (msgid,)) for code, msgid in PAGE_QUALITY.items()),
    Prompt("review_submit", (N_("Please check your information, then touch Submit."),)),
    Prompt("submitted", (N_("Your application has been received."),
                         N_("Please take your receipt."))),
    Prompt("saved_offline", (N_("Your application was saved on this terminal and will be sent "
                                "as soon as the connection is back."),
                             N_("Please take your receipt."))),
    Prompt("printer_out_of_paper", (N_("The printer is out of paper. Please note the number "
                                       "shown on the screen."),)),
    Prompt("please_wait", (N_("Please wait…"),)),
    # 呼叫工作人员 (screens/help.py): what the dialog says, never the phone number's digits
    Prompt("help_sent", (N_("Staff have been told"),
                         N_("Please stay at this terminal: a member of staff will come to you."))),
    Prompt("help_coming", (N_("A member of staff is on the way. Please stay at this terminal."),)),
    Prompt("help_failed", (N_("Staff could not be told from this terminal right now. Please call "
                              "the number below or go to the counter."),)),
)


# "msg:<msgid>": any fixed sentence of the gettext catalogue, so that a screen's guidance and a
# problem's words are spoken as shown. Still closed: the msgid must be in the catalogue (a
# sentence written by us, reviewed in both .po files) and have no placeholder at all.
MESSAGE = "msg:"


def message(msgid: str) -> str:
    """The prompt id that speaks catalogue sentence `msgid`."""
    return MESSAGE + msgid


def _message_prompt(prompt_id: str) -> Prompt | None:
    msgid = prompt_id.removeprefix(MESSAGE)
    if msgid == prompt_id:
        return None
    if msgid not in _catalogue_msgids() or placeholders(msgid):
        raise ValueError(f"not a fixed sentence of the catalogue: {msgid[:40]!r}")
    return Prompt(prompt_id, (msgid,))


@cache
def _catalogue_msgids() -> frozenset[str]:
    return frozenset(k for k in translations(DEFAULT_LANGUAGE)._catalog if isinstance(k, str))


def check_args(prompt_id: str, ints: dict[str, object]) -> Prompt:
    """The prompt, if `ints` are exactly its parameters and each a small non-negative int.
    TypeError for a wrong name or type (a string can never get through), ValueError for an
    unknown prompt or an out-of-range number."""
    prompt = PROMPTS.get(prompt_id) or _message_prompt(prompt_id)
    if prompt is None:
        raise ValueError(f"unknown prompt {prompt_id!r}")
    if set(ints) != prompt.params:
        raise TypeError(f"prompt {prompt_id!r} takes {sorted(prompt.params)}, "
                        f"got {sorted(ints)}")
    for name, value in ints.items():
        if type(value) is not int:  # bool, str, float, int subclasses: refused
            raise TypeError(f"prompt {prompt_id!r}: {name} must be an int, "
                            f"got {type(value).__name__}")
        if not 0 <= value <= MAX_INT:
            raise ValueError(f"prompt {prompt_id!r}: {name} must be 0..{MAX_INT}")
    return prompt


def prompt_text(prompt_id: str, language: str, **ints: int) -> str:
    """The words of a prompt in a language, numbers filled in."""
    prompt = check_args(prompt_id, ints)
    t = translator(language)
    parts = [t.ngettext(m[0], m[1], ints["n"], **ints) if isinstance(m, tuple)
             else t.gettext(m, **ints) for m in prompt.msgids]
    text = " ".join(parts)
    if _LONG_DIGIT_RUN.search(text):  # only a catalogue edit could do this: refuse to speak it
        raise ValueError(f"prompt {prompt_id!r} in {language}: a run of more than 3 digits")
    return text
