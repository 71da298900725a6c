"""What the apply journey tells the operations console's usage report: a journey begun when the
citizen chooses a service, completed when the application is durable, abandoned at the step the
citizen was at when the session ended (catalogued events, no personal data)."""

from __future__ import annotations

import logging

import pytest

from kiosk.session import EndReason
from tests.journeys.conftest import SERVICE_ID, fill_in


def journey_events(caplog: pytest.LogCaptureFixture) -> list[tuple]:
    return [(r.event_id, r.disposition, {k: v for k, v in r.event_fields.items()
                                         if k != "session"})
            for r in caplog.records
            if getattr(r, "event_id", "") in ("journey_init", "journey_complete")]


def test_a_journey_completed_and_one_abandoned(running, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.events")
    session = running.session()
    journey = running.journey(session)
    fill_in(journey)
    journey.submit()
    journey.submit()  # a double tap completes nothing twice
    journey.finish()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(caplog) == [
        ("journey_init", None, {"journey": "apply", "service": SERVICE_ID}),
        ("journey_complete", "success", {"journey": "apply", "service": SERVICE_ID,
                                         "step": "submitted"})]

    caplog.clear()
    left = running.journey(running.session())
    left.choose(SERVICE_ID)
    left.start_form()
    running.sessions.end(EndReason.TIMEOUT)
    assert journey_events(caplog) == [
        ("journey_init", None, {"journey": "apply", "service": SERVICE_ID}),
        ("journey_complete", "cancelled", {"journey": "apply", "service": SERVICE_ID,
                                           "step": "form", "reason": "timeout"})]
