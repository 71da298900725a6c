"""A timeline note in the citizen's language.

The platform words its own notes in Chinese; since contract 1.6 it also sends a stable code and
its parameters, which are worded here through the catalogue. An officer's note (code
`officer`) is a person's own words: shown as written, never machine-translated, and labelled as
the officer's. A note without a code (a platform before 1.6) or with a code this terminal does
not know is shown as the platform sent it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.api import models as m
from kiosk.i18n import Translator
from kiosk.i18n.messages import N_

OFFICER = "officer"

NOTE_WORDS = {
    "submitted": N_("Submitted, waiting for the authority to accept it"),
    "accepted": N_("The authority accepted your application"),
    "accepted_with_promise": N_("Accepted; please hand in by the promised date: %(materials)s"),
    "in_review": N_("The authority is reviewing your application"),
    "supplement_received": N_("Your corrected documents were received; the review goes on"),
    "promised_received": N_("The documents you promised were received"),
    "approved": N_("Your application was approved"),
    "certificate_issued": N_("Your certificate is ready to print at a self-service terminal"),
    "collected": N_("The certificate was collected at a self-service terminal"),
}
OFFICER_WORDS = N_("The officer wrote: “%(note)s”")
LIST_SEPARATOR = N_(", ")  # between the names of a list in a sentence


@dataclass(frozen=True)
class Note:
    words: str  # what the citizen reads
    officer: bool  # the officer's own words, as written (`words` carries the label)
    text: str  # the note alone: the officer's words unlabelled, else `words`


def note_of(entry: m.TimelineEntry, t: Translator,
            material_names: Mapping[str, str]) -> Note | None:
    """The note of `entry` for a reader of `t`'s language; material ids named by
    `material_names` (the service's materials in that language)."""
    code, params = entry.note_code, entry.note_params or {}
    if code == OFFICER and entry.note:
        return Note(t.gettext(OFFICER_WORDS, note=entry.note), True, entry.note)
    if code in NOTE_WORDS:
        values = dict(params)
        if code == "accepted_with_promise":
            ids = [i for i in params.get("materials", "").split(",") if i]
            values["materials"] = t.gettext(LIST_SEPARATOR).join(material_names.get(i, i)
                                                               for i in ids)
        try:
            words = t.gettext(NOTE_WORDS[code], **values)
        except (KeyError, TypeError, ValueError):  # a value missing: the platform's own text
            words = entry.note or ""
        return Note(words, False, words) if words else None
    return Note(entry.note, False, entry.note) if entry.note else None
