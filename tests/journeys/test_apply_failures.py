"""What the citizen is told when something is not there: the platform, room in the outbox,
paper in the printer, the fleet's QR key. And what the logs never hold."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.journeys import CatalogueCache, JourneyProblem
from kiosk.outbox import Outbox, load_or_create_key
from kiosk.receipts import parse
from kiosk.session import EndReason, SessionEnded
from tests.journeys.conftest import (APPLICANT, MOBILE, NAME, SERVICE_ID, fill_in,
                                     sessions_left)
from tests.support import wait_until


def test_platform_down_at_submit_gives_a_will_be_sent_receipt_then_it_is_delivered(terminal):
    terminal.platform_up()
    terminal.start_sender()
    journey = terminal.journey(terminal.session(), final_wait_s=0.5)
    fill_in(journey)
    terminal.platform_down()

    receipt = journey.submit()
    assert not receipt.final and receipt.receipt_no is None
    assert receipt.reference == receipt.outbox_reference and receipt.promised_date is None
    assert parse(receipt.qr_text).kind == "outbox_reference"
    printed = journey.print_receipt()
    assert printed.outcome == "printed" and not printed.receipt.final
    lines = terminal.printed_lines()
    assert any("待发送" in line for line in lines)
    assert any(receipt.outbox_reference in line for line in lines)
    assert terminal.outbox.find(receipt.outbox_reference).state == "pending"

    terminal.platform_up()
    assert wait_until(lambda: terminal.outbox.find(receipt.outbox_reference).state
                      == "delivered", 10)
    later = journey.receipt()
    assert later.final and later.outbox_reference == receipt.outbox_reference
    filed = [a for a in terminal.applications()
             if a["client_reference"] == receipt.outbox_reference]
    assert len(filed) == 1 and filed[0]["receipt_no"] == later.receipt_no


def test_the_catalogue_falls_back_to_the_last_one_seen_or_says_it_cannot(terminal):
    terminal.platform_up()
    first = terminal.journey(terminal.session())
    assert not first.catalogue().stale
    terminal.platform_down()

    second = terminal.journey(terminal.session())
    view = second.catalogue("护士")
    assert view.stale and view.problem.code == "platform.unreachable"
    assert view.services[0]["service_id"] == SERVICE_ID
    with pytest.raises(JourneyProblem) as err:
        second.choose(SERVICE_ID)
    assert err.value.code == "platform.unreachable"
    assert err.value.text("zh-CN") != err.value.text("en")

    fresh = terminal.journey(terminal.session(), catalogue_cache=CatalogueCache())
    with pytest.raises(JourneyProblem) as err:
        fresh.catalogue()
    assert err.value.code == "journey.no_catalogue"


def test_platform_down_at_the_form_prefills_from_the_card_alone(terminal):
    terminal.platform_up()
    journey = terminal.journey(terminal.session())
    journey.choose(SERVICE_ID)
    terminal.platform_down()
    form = journey.start_form()
    assert form.lookup_problem.code == "platform.unreachable"
    assert form.elicences == [] and "mobile" not in form.values  # the card has no mobile
    with pytest.raises(JourneyProblem) as err:
        journey.use_elicence("resident_id")
    assert err.value.code == "journey.no_elicence"


def test_a_full_outbox_refuses_before_the_citizen_starts_and_stores_nothing(terminal):
    config = terminal.config
    key = load_or_create_key(Path(config.outbox.key_file), Path(config.terminal.data_dir))
    with Outbox(terminal.root / "small.sqlite3", key, max_items=1, min_free_mb=1) as small:
        small.enqueue("application", {"waiting": True})
        with pytest.raises(JourneyProblem) as err:
            terminal.journey(terminal.session(), outbox=small)
        assert err.value.code == "outbox.queue_full"
        assert err.value.text("zh-CN") != err.value.text("en")
        assert "try again later" in err.value.text("en")
        assert small.depth() == 1


def test_out_of_paper_is_told_and_the_reference_stays_on_screen(running):
    journey = running.journey(running.session())
    fill_in(journey)
    receipt = journey.submit()
    running.emulator.paper_out()
    outcome = journey.print_receipt()
    assert (outcome.outcome, outcome.reason) == ("paper_out", "paper_out")
    assert outcome.msgid == "The printer is out of paper. Please ask staff for help."
    assert outcome.receipt.reference == receipt.reference and receipt.final
    assert running.emulator.jobs() == []

    running.emulator.reload_paper()
    assert running.printer.wait_for(lambda s: s.usable, 3.0)
    retry = journey.print_receipt()  # same action id: nothing printed before, so it prints now
    assert retry.outcome == "printed" and retry.action_id == outcome.action_id
    assert len(running.emulator.jobs()) == 1


def test_nothing_personal_reaches_the_logs(running, caplog):
    caplog.set_level(logging.DEBUG)
    session = running.session()
    journey = running.journey(session)
    journey.catalogue("hszc")
    fill_in(journey)
    journey.set_value("mobile", "12345")  # a wrong value, logged nowhere
    journey.set_value("mobile", MOBILE)
    journey.submit()
    journey.print_receipt()
    running.sessions.end(EndReason.FINISHED, session.session_id)
    text = caplog.text
    assert "apply" in text and session.session_id in text  # the journey did log
    for secret in (APPLICANT, NAME, MOBILE, "201331100123", "上海示范医院",
                   "12310000425000000X"):
        assert secret not in text, secret


def test_a_full_outbox_at_submit_refuses_then_a_retry_queues_once(running):
    config = running.config
    key = load_or_create_key(Path(config.outbox.key_file), Path(config.terminal.data_dir))
    with Outbox(running.root / "small.sqlite3", key, max_items=1, min_free_mb=1) as small:
        journey = running.journey(running.session(), outbox=small, final_wait_s=0)
        fill_in(journey)
        other = small.enqueue("application", {"another": "citizen"})  # took the last place
        with pytest.raises(JourneyProblem) as err:
            journey.submit()
        assert err.value.code == "outbox.queue_full" and small.depth() == 1
        small.discard(other.id, "test: staff made room")
        receipt = journey.submit()
        assert journey.submit().outbox_reference == receipt.outbox_reference
        assert [i.reference for i in small.items(["pending"])] == [receipt.outbox_reference]


def test_a_journey_outliving_its_session_can_do_nothing(running):
    session = running.session()
    journey = running.journey(session)
    journey.choose(SERVICE_ID)
    journey.start_form()
    running.sessions.end(EndReason.TIMEOUT, session.session_id)
    with pytest.raises(SessionEnded):
        journey.set_value("mobile", MOBILE)
    assert sessions_left(running) == []
