"""The evaluation journey (好差评) against the real reference platform and outbox: a recent
application rated 1–5 with a comment, once, by the overall score alone or by all four
indicators; rating right after applying while the application still waits in the outbox; what
is refused; and the comment never in a log."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest

from kiosk.audit import AuditTrail
from kiosk.audit.recorder import AuditRecorder
from kiosk.journeys.evaluation import EvaluationJourney
from kiosk.journeys.problems import JourneyProblem
from tests.journeys.conftest import APPLICANT, NAME, Terminal, fill_in
from tests.support import wait_until

COMMENT = "窗口指引很清楚，办理很快"


def evaluations(terminal: Terminal) -> list[dict[str, Any]]:
    conn = sqlite3.connect(terminal.platform_db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM evaluations ORDER BY created_at")]
    finally:
        conn.close()


def delivered(terminal: Terminal, kind: str) -> bool:
    items = [i for i in terminal.outbox.items() if i.kind == kind]
    return bool(items) and all(i.state == "delivered" for i in items)


def evaluate(terminal: Terminal, session=None) -> EvaluationJourney:
    return EvaluationJourney(session or terminal.session(), terminal.client, terminal.outbox)


def test_a_recent_application_is_rated_once_with_a_comment(
        running: Terminal, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    session = running.session()
    apply = running.journey(session)
    fill_in(apply)
    receipt = apply.submit()
    apply.finish()

    journey = evaluate(running, session)
    (target,) = journey.recent()
    assert (target.reference, target.kind) == (receipt.receipt_no, "receipt_no")
    assert target.service_name["zh-CN"] == "护士执业注册"
    rated = journey.rate(target, 5, f"  {COMMENT}  ")
    assert rated.score == 5 and rated.outbox_reference.startswith("K")
    assert wait_until(lambda: delivered(running, "evaluation"), timeout=10, interval=0.05)
    (row,) = evaluations(running)
    assert (row["receipt_no"], row["score"], row["comment"]) == (receipt.receipt_no, 5, COMMENT)

    with pytest.raises(JourneyProblem) as twice:
        journey.rate(target, 1)
    assert twice.value.code == "journey.evaluation.rated"
    assert journey.is_rated(target) and journey.recent() == []  # not offered again
    assert len(evaluations(running)) == 1
    logs = caplog.text
    assert COMMENT not in logs and APPLICANT not in logs and NAME not in logs
    assert [r.event_fields for r in caplog.records
            if getattr(r, "event_id", "") == "rating_given"] == [
        {"service": "nurse-practice-registration", "overall": "5"}]  # no receipt, no comment


def test_an_application_rated_on_an_earlier_visit_is_not_offered_again(running: Terminal) -> None:
    session = running.session()
    apply = running.journey(session)
    fill_in(apply)
    receipt = apply.submit()
    apply.finish()
    (target,) = evaluate(running, session).recent()
    evaluate(running, session).rate(target, 4)
    assert wait_until(lambda: delivered(running, "evaluation"), timeout=10, interval=0.05)
    session.end("finished")

    later = running.session()  # another visit: this session has rated nothing
    assert running.citizen_view().get_application(receipt.receipt_no).evaluated is True
    assert evaluate(running, later).recent() == []


def test_rated_right_after_applying_offline_and_sent_after_the_application(
        running: Terminal) -> None:
    session = running.session()
    apply = running.journey(session, final_wait_s=0.1)
    fill_in(apply)
    running.platform_down()
    receipt = apply.submit()
    assert not receipt.final

    journey = evaluate(running, session)
    target = journey.offer(receipt.reference, {"zh-CN": receipt.service_name}, receipt.submitted_at)
    assert target.kind == "outbox_reference"
    journey.rate(target, 4)
    running.platform_up()
    assert wait_until(lambda: delivered(running, "evaluation"), timeout=15, interval=0.1)
    (filed,) = running.applications()
    (row,) = evaluations(running)
    assert (row["receipt_no"], row["score"], row["comment"]) == (filed["receipt_no"], 4, "")
    assert journey.recent() == []  # rated by its outbox reference: not offered again


def test_what_a_rating_may_not_be(running: Terminal) -> None:
    journey = evaluate(running)
    target = journey.offer("SL-20261123-000001", {"zh-CN": "x"})
    for score in (0, 6, 3.5):
        with pytest.raises(ValueError):
            journey.rate(target, score)  # type: ignore[arg-type]
    with pytest.raises(JourneyProblem) as long:
        journey.rate(target, 3, "长" * 501)
    assert long.value.code == "journey.evaluation.comment_too_long"
    assert "长" not in str(long.value)
    with pytest.raises(ValueError):
        journey.offer("not a reference!", {"zh-CN": "x"})
    assert [i for i in running.outbox.items() if i.kind == "evaluation"] == []


def test_recent_needs_the_card_and_says_when_the_platform_is_down(running: Terminal) -> None:
    with pytest.raises(JourneyProblem) as anonymous:
        evaluate(running, running.sessions.start()).recent()
    assert anonymous.value.code == "identity.required"
    running.platform_down()
    with pytest.raises(JourneyProblem) as down:
        evaluate(running).recent()
    assert down.value.code == "platform.unreachable"


def test_a_rating_by_all_four_indicators_is_queued_sent_logged_and_audited(
        running: Terminal, tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    trail = AuditTrail(tmp_path / "audit.sqlite3", key=bytes(range(32)))
    session = running.session()
    apply = running.journey(session)
    fill_in(apply)
    receipt = apply.submit()
    apply.finish()
    journey = EvaluationJourney(session, running.client, running.outbox,
                                audit=AuditRecorder(trail))
    (target,) = journey.recent()
    rated = journey.rate(target, 4, COMMENT, indicators={"attitude": 2, "efficiency": 5,
                                                         "competence": 3})
    assert dict(rated.indicators) == {"efficiency": 5, "competence": 3, "attitude": 2}

    (item,) = [i for i in running.outbox.items() if i.kind == "evaluation"]
    body = running.outbox.open_body(item)
    assert {k: body[k] for k in ("score", "efficiency", "competence", "attitude")} == {
        "score": 4, "efficiency": 5, "competence": 3, "attitude": 2}
    assert wait_until(lambda: delivered(running, "evaluation"), timeout=10, interval=0.05)
    (row,) = evaluations(running)
    assert (row["receipt_no"], row["score"], row["efficiency"], row["competence"],
            row["attitude"]) == (receipt.receipt_no, 4, 5, 3, 2)

    assert [r.event_fields for r in caplog.records
            if getattr(r, "event_id", "") == "rating_given"] == [
        {"service": "nurse-practice-registration", "overall": "4", "efficiency": "5",
         "competence": "3", "attitude": "2"}]
    (queued,) = [e for e in trail.entries() if e.action == "evaluation.queued"]
    assert queued.details["score"] == 4
    assert (queued.details["efficiency"], queued.details["competence"],
            queued.details["attitude"]) == (5, 3, 2)
    assert queued.details["comment"] is True and COMMENT not in str(queued.details)
    trail.close()


def test_only_the_indicators_answered_are_sent(running: Terminal,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    journey = evaluate(running)
    rated = journey.rate(journey.offer("SL-20261123-000001", {"zh-CN": "x"}), 5,
                         indicators={"competence": 4})
    assert dict(rated.indicators) == {"competence": 4}
    (item,) = [i for i in running.outbox.items() if i.kind == "evaluation"]
    body = running.outbox.open_body(item)
    assert body["score"] == 5 and body["competence"] == 4
    assert "efficiency" not in body and "attitude" not in body
    (fields,) = [r.event_fields for r in caplog.records
                 if getattr(r, "event_id", "") == "rating_given"]
    assert fields == {"overall": "5", "competence": "4"}


@pytest.mark.parametrize("indicators,says", [
    ({"efficiency": 0}, "efficiency must be one of (1, 2, 3, 4, 5)"),
    ({"attitude": 6}, "attitude must be one of"),
    ({"competence": "5"}, "competence must be one of"),
    ({"competence": 4.0}, "competence must be one of"),
    ({"efficiency": True}, "efficiency must be one of"),
    ({"overall": 5}, "unknown indicator(s) ['overall']"),
    ({"speed": 3, "efficiency": 4}, "unknown indicator(s) ['speed']"),
])
def test_garbage_indicators_are_refused_before_anything_is_queued(
        running: Terminal, indicators: dict, says: str) -> None:
    journey = evaluate(running)
    target = journey.offer("SL-20261123-000001", {"zh-CN": "x"})
    with pytest.raises(ValueError) as refused:
        journey.rate(target, 4, indicators=indicators)
    assert says in str(refused.value)
    assert [i for i in running.outbox.items() if i.kind == "evaluation"] == []
    assert not journey.is_rated(target)
    journey.rate(target, 4, indicators={"efficiency": 4})  # what was refused did not count
    assert journey.is_rated(target)
