"""Timeline notes in the citizen's language (contract 1.6): the platform's own notes come as a
code the terminal words through its catalogue, an officer's words are shown as written and
labelled as the officer's, and a note without a code (a platform before 1.6) or with a code
this terminal does not know is shown as the platform sent it."""

from __future__ import annotations

import datetime as dt
import re

from kiosk.api import models as m
from kiosk.i18n import translator
from kiosk.journeys.progress_notes import note_of
from kiosk.refplatform import operator
from kiosk.refplatform.store import Store
from tests.journeys.conftest import Terminal
from tests.journeys.test_progress_journey import apply_for_nurse, progress

CJK = re.compile(r"[\u4e00-\u9fff]")
REASON = "单位证明缺少公章，请重新提交"


def test_the_platforms_notes_are_in_the_screens_language_and_the_officers_words_as_written(
        running: Terminal) -> None:
    receipt = apply_for_nurse(running)  # the health exam is promised
    store = Store(running.platform_db)
    for action in ("accept", "review"):
        operator.advance(store, receipt.receipt_no, action)
    operator.advance(store, receipt.receipt_no, "correct", reason=REASON)

    journey = progress(running)
    (zh,) = journey.applications()
    notes = [s.note for s in zh.steps]
    assert notes[0] == "申请已提交，等待受理"
    assert "申请前6个月内的健康体检证明" in notes[1] and "health_exam" not in notes[1]
    assert notes[2] == "审查中"
    assert zh.steps[3].note_by_officer and REASON in notes[3] and "工作人员" in notes[3]
    assert not any(s.note_by_officer for s in zh.steps[:3])
    assert any(REASON in line for line in zh.to_do)

    journey._session.language = "en"
    en = journey.view(receipt.receipt_no)
    notes = [s.note for s in en.steps]
    assert notes[0] == "Submitted, waiting for the authority to accept it"
    assert "Health examination report (last 6 months)" in notes[1]
    assert notes[2] == "The authority is reviewing your application"
    for note in notes[:3]:  # the platform's own notes: no Chinese left
        assert note and not CJK.search(note), note
    # the officer's words as written (never machine-translated), and said to be theirs
    assert notes[3] == f"The officer wrote: “{REASON}”" and en.steps[3].note_by_officer
    assert any(line.startswith("Please correct your application.") and REASON in line
               for line in en.to_do), en.to_do


def entry(**fields) -> m.TimelineEntry:
    return m.TimelineEntry.model_validate(
        {"status": "accepted", "at": dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc),
         **fields})


def test_a_note_without_a_code_or_with_an_unknown_one_is_shown_as_sent() -> None:
    en = translator("en")
    old = note_of(entry(note="已受理"), en, {})  # a platform before 1.6
    assert old is not None and old.words == "已受理" and not old.officer
    newer = note_of(entry(note="已转交上级部门", note_code="forwarded"), en, {})
    assert newer is not None and newer.words == "已转交上级部门"
    assert note_of(entry(), en, {}) is None
    # a coded note whose values are missing falls back to the platform's text, not a crash
    cut = note_of(entry(note="已容缺受理", note_code="accepted_with_promise"), en, {})
    assert cut is not None and cut.words.startswith("Accepted; please hand in")
    broken = note_of(entry(note="原文", note_code="collected", note_params={"x": "1"}), en, {})
    assert broken is not None and not CJK.search(broken.words)


def test_material_ids_are_named_in_each_language() -> None:
    coded = entry(note="已容缺受理，请按承诺时间补交材料：照片、体检",
                  note_code="accepted_with_promise",
                  note_params={"materials": "photo,health_exam"})
    zh = note_of(coded, translator("zh-CN"), {"photo": "照片", "health_exam": "体检证明"})
    en = note_of(coded, translator("en"), {"photo": "Photo", "health_exam": "Health report"})
    assert zh is not None and zh.words == "已容缺受理，请按承诺时间补交材料：照片、体检证明"
    assert en is not None and en.words == (
        "Accepted; please hand in by the promised date: Photo, Health report")
