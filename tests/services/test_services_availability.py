"""Which journeys a home screen can offer, from the real drivers' statuses (printer emulator on a
pty, ID card reader on a pty) and opening hours."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.services import JOURNEYS, REASONS, Availability, OpeningHours, needs_documents
from tests.support import wait_until


@pytest.fixture
def running(printer, id_reader, started):
    for device in (printer, id_reader):
        started(device)
        assert device.wait_for(lambda s: s.usable, 3), device.status
    return printer, id_reader


def test_printer_out_of_paper_makes_apply_unavailable_until_reloaded(running, printer_emulator,
                                                                     config):
    printer, id_reader = running
    availability = Availability([printer, id_reader], config)
    changes = []
    availability.subscribe(changes.append)
    assert availability.snapshot() == {j: None for j in JOURNEYS}
    printer_emulator.paper_out()
    assert wait_until(lambda: availability.why_not("apply") == "printer_paper_out", 3)
    assert availability.why_not("collect") == availability.why_not("pay") == "printer_paper_out"
    assert availability.why_not("appointment") is None  # needs no printer
    assert availability.why_not("progress") is None and availability.why_not("evaluate") is None
    assert wait_until(lambda: changes and changes[-1].reasons["apply"] == "printer_paper_out", 3)
    printer_emulator.reload_paper()
    assert wait_until(lambda: availability.why_not("apply") is None, 3)
    assert wait_until(lambda: changes[-1].reasons["apply"] is None, 3)
    availability.close()


def test_cover_open_and_an_unplugged_printer_each_say_why(running, printer_emulator, config):
    printer, id_reader = running
    availability = Availability([printer, id_reader], config)
    printer_emulator.cover_open(True)
    assert wait_until(lambda: availability.why_not("apply") == "printer_cover_open", 3)
    printer_emulator.cover_open(False)
    assert wait_until(lambda: availability.why_not("apply") is None, 3)
    printer_emulator.silent(True)
    assert wait_until(lambda: availability.why_not("pay") == "printer_offline", 4)
    printer_emulator.silent(False)
    assert wait_until(lambda: availability.why_not("pay") is None, 4)


def test_identity_and_documents_needs(running, id_emulator, config):
    printer, id_reader = running
    availability = Availability([printer, id_reader], config)
    assert availability.why_not("apply", documents=True) == "documents_missing"
    assert availability.why_not("apply") is None
    no_reader = Availability([printer], config)
    assert no_reader.why_not("apply") == "identity_missing"
    assert no_reader.why_not("pay") is None
    id_emulator.unplug()
    assert wait_until(lambda: availability.why_not("collect") == "identity_offline", 4)
    id_emulator.replug()
    assert wait_until(lambda: availability.why_not("collect") is None, 4)


def test_a_bad_card_on_the_reader_does_not_close_the_journeys(running, id_emulator, config):
    printer, id_reader = running
    availability = Availability([printer, id_reader], config)
    id_emulator.corrupt_checksum(True, command="READ_BASE")
    id_emulator.place_card(path="resident")
    assert id_reader.wait_for(lambda s: s.reason == "card_unreadable", 3)
    assert availability.why_not("apply") is None


def test_opening_hours_close_a_journey_outside_its_windows(running, config):
    printer, id_reader = running
    now = [dt.datetime(2026, 11, 23, 12, 0)]  # a Monday
    hours = {"pay": {"days": [1, 2, 3, 4, 5], "open": "08:30", "close": "17:30"},
             "closed_dates": ["2026-10-01"]}
    availability = Availability([printer, id_reader], config, opening_hours=hours,
                                now=lambda: now[0])
    assert availability.why_not("pay") is None
    now[0] = dt.datetime(2026, 11, 23, 18, 0)
    assert availability.why_not("pay") == "outside_hours"
    assert availability.why_not("apply") is None  # no window: around the clock
    now[0] = dt.datetime(2026, 11, 22, 12, 0)  # Sunday
    assert availability.why_not("pay") == "outside_hours"
    now[0] = dt.datetime(2026, 10, 1, 12, 0)  # a holiday
    assert availability.why_not("pay") == "outside_hours"


@pytest.mark.parametrize("bad", [{"shop": {"open": "08:00", "close": "09:00"}},
                                 {"pay": {"open": "8:00", "close": "09:00"}},
                                 {"pay": {"open": "10:00", "close": "09:00"}},
                                 {"pay": {"days": [0], "open": "08:00", "close": "09:00"}},
                                 {"pay": {"open": "08:00", "close": "09:00", "x": 1}},
                                 {"closed_dates": ["tomorrow"]}])
def test_a_bad_opening_hours_mapping_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="opening_hours"):
        OpeningHours.parse(bad)


def test_qr_scanners_identify_only_with_the_eid_key(qr_scanner, started, config, tmp_path):
    started(qr_scanner)
    assert qr_scanner.wait_for(lambda s: s.usable, 3)
    assert Availability([qr_scanner], config).why_not("appointment") == "identity_missing"
    keyed = config.model_copy(update={"session": config.session.model_copy(
        update={"eid_public_key_file": str(tmp_path / "eid.key")})})
    assert Availability([qr_scanner], keyed).why_not("appointment") is None


def test_reason_codes_are_a_closed_list_and_unknown_journeys_are_refused(config):
    availability = Availability([], config)
    assert set(availability.snapshot().values()) <= set(REASONS) | {None}
    assert len(set(REASONS)) == len(REASONS)
    with pytest.raises(ValueError):
        availability.why_not("shopping")


def test_which_services_need_a_camera_or_scanner():
    paper = {"required": True, "elicence_kind": None, "may_promise": False}
    assert needs_documents([paper])
    assert not needs_documents([{**paper, "elicence_kind": "marriage"}])
    assert not needs_documents([{**paper, "may_promise": True}, {**paper, "required": False}])
    assert not needs_documents([])


def test_opening_hours_come_from_the_configuration(tmp_path) -> None:
    """[opening_hours] in a site layer closes a journey outside its window, and a bad window
    is refused when the configuration loads, naming the key."""
    site = tmp_path / "site.toml"
    site.write_text('[opening_hours]\nappointment = [{ days = [1, 2, 3, 4, 5], open = "08:30", '
                    'close = "17:30" }]\nclosed_dates = ["2026-10-01"]\n', encoding="utf-8")
    config = load_config(site)
    monday_night = dt.datetime(2026, 11, 23, 22, 0)
    availability = Availability([], config, now=lambda: monday_night)
    assert availability.why_not("appointment") == "outside_hours"
    assert availability.why_not("progress") is None  # open around the clock
    availability.close()
    site.write_text('[opening_hours]\nappointment = [{ open = "18:00", close = "08:00" }]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="opening_hours"):
        load_config(site)


def test_with_a_page_printer_collect_follows_it_and_not_the_receipt_roll(running, config,
                                                                          printer_emulator,
                                                                          tmp_path):
    """Certificates go to the A4 printer where there is one: its paper decides collect, the
    roll decides the receipts."""
    from drivers.pageprinter.emulator import PagePrinterEmulator, tools_present
    from drivers.pageprinter.printer import PagePrinter
    if not tools_present():
        pytest.skip("cups-ipp-utils not installed")
    printer, id_reader = running
    a4_emulator = PagePrinterEmulator(tmp_path)
    a4_emulator.start()
    a4 = PagePrinter("page_printer", a4_emulator.uri, poll_interval_s=0.1)
    a4.start()
    try:
        assert a4.wait_for(lambda s: s.usable, 5)
        availability = Availability([printer, id_reader, a4], config)
        a4_emulator.paper_out()
        assert wait_until(lambda: availability.why_not("collect") == "printer_paper_out", 3)
        assert availability.why_not("apply") is None and availability.why_not("pay") is None
        a4_emulator.fix()
        assert wait_until(lambda: availability.why_not("collect") is None, 3)
        printer_emulator.paper_out()
        assert wait_until(lambda: availability.why_not("apply") == "printer_paper_out", 3)
        assert availability.why_not("collect") is None  # the certificate still has its paper
        printer_emulator.reload_paper()
        availability.close()
    finally:
        a4.stop()
        a4_emulator.stop()
