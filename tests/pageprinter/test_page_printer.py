"""The A4 printer driver against CUPS's own IPP Everywhere printer (ippeveprinter): status,
faults, a job that counts only when completed with all its pages, and never a second copy."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from drivers.device import DeviceError, DeviceState, DeviceUnavailable, OutcomeUnknown
from drivers.pageprinter.cupsd import PrivateCupsd, cupsd_present
from drivers.pageprinter.emulator import read_back, tools_present
from drivers.pageprinter.printer import PagePrinter
from tests.pageprinter.conftest import certificate_pdf

pytestmark = pytest.mark.skipif(not tools_present(), reason="cups-ipp-utils not installed")


def test_a_three_page_certificate_counts_once_completed_with_three_impressions(a4, emulator):
    prn, events = a4
    before = len(emulator.printed())
    result = prn.print_pdf(certificate_pdf(3), "cert-3p").result(15)
    assert result.pages == 3 and not result.resumed
    assert events.kinds("cert-3p") == ["job_done"]
    (job,) = emulator.printed()[before:]
    assert job["outcome"] == "completed" and job["printed_pages"] == job["pages"] == 3
    page = read_back(emulator.spooled(result.job_id))
    assert page == {"pages": 3, "qr": ["http://platform.test/verify/A4TEST01"] * 3}


def test_the_same_action_id_prints_once_even_from_a_new_driver(a4, emulator):
    prn, _ = a4
    first = prn.print_pdf(certificate_pdf(1), "cert-once")
    assert prn.print_pdf(certificate_pdf(1), "cert-once") is first
    first.result(10)
    before = len(emulator.printed())
    # a restarted terminal (a new ledger) asks the printer for the job by name first
    again = PagePrinter("page_printer", emulator.uri, poll_interval_s=0.1)
    again.start()
    try:
        assert again.wait_for(lambda s: s.usable, 5)
        result = again.print_pdf(certificate_pdf(1), "cert-once").result(10)
    finally:
        again.stop()
    assert result.resumed and emulator.printed()[before:] == []


@pytest.mark.parametrize("fault, reason", [("paper_out", "paper_out"), ("jam", "paper_jam"),
                                           ("door_open", "cover_open")])
def test_a_fault_shows_in_the_status_and_refuses_a_job_before_any_page(a4, emulator, fault,
                                                                        reason):
    prn, events = a4
    before = len(emulator.printed())
    emulator.controls()[fault]()
    assert prn.wait_for(lambda s: s.reason == reason, 3), prn.status
    assert prn.status.state == DeviceState.USER_ERROR
    with pytest.raises(DeviceUnavailable) as refused:
        prn.print_pdf(certificate_pdf(1), f"refused-{fault}").result(10)
    assert refused.value.reason == reason
    emulator.fix()
    assert prn.wait_for(lambda s: s.usable, 3), prn.status
    assert emulator.printed()[before:] == []
    if fault == "paper_out":
        assert events.of("paper_out")


def test_paper_out_mid_job_is_told_and_after_reload_one_whole_copy_prints(a4, emulator):
    prn, events = a4
    before = len(emulator.printed())
    emulator.paper_after(1)
    with pytest.raises(DeviceError) as cut:
        prn.print_pdf(certificate_pdf(3), "cert-cut").result(15)
    assert cut.value.reason == "paper_out" and not isinstance(cut.value, OutcomeUnknown)
    assert "after 1 of 3 pages" in str(cut.value)
    assert prn.status.reason == "paper_out"
    emulator.fix()
    assert prn.wait_for(lambda s: s.usable, 3)
    result = prn.print_pdf(certificate_pdf(3), "cert-cut").result(15)  # the same action id
    assert result.pages == 3 and not result.resumed
    jobs = emulator.printed()[before:]
    # the cut-short job was cancelled where it stood: it never finishes after the reload
    assert [(j["outcome"], j["printed_pages"]) for j in jobs] == [("canceled", 1),
                                                                   ("completed", 3)]
    assert [str(e.kind) for e in events.items if e.action_id == "cert-cut"] == [
        "job_failed", "job_done"]


@pytest.mark.parametrize("fault, reason", [("jam", "paper_jam"), ("door_open", "cover_open")])
def test_a_jam_or_an_open_door_mid_job_cancels_it_and_says_so(a4, emulator, fault, reason):
    prn, _ = a4
    name = f"cert-{fault}"
    emulator.fault_after(2, fault)
    with pytest.raises(DeviceError) as stopped:
        prn.print_pdf(certificate_pdf(3), name).result(15)
    assert stopped.value.reason == reason and "after 2 of 3 pages" in str(stopped.value)
    (job,) = [j for j in emulator.printed() if j["job_name"] == name]
    assert job["outcome"] == "canceled" and job["printed_pages"] == 2


def test_a_printer_that_goes_silent_mid_job_leaves_the_outcome_unknown(a4, emulator):
    prn, events = a4
    emulator.set_page_seconds(0.5)
    try:
        future = prn.print_pdf(certificate_pdf(3), "cert-silent")
        assert prn.wait_for(lambda s: s.state == DeviceState.BUSY, 3)
        emulator.go_silent()
        with pytest.raises(OutcomeUnknown) as unknown:
            future.result(20)
        assert unknown.value.reason == "no_answer"
        # its id stays spent: a retry does not print
        with pytest.raises(OutcomeUnknown):
            prn.print_pdf(certificate_pdf(3), "cert-silent").result(1)
        assert prn.wait_for(lambda s: s.state == DeviceState.OFFLINE, 5), prn.status
    finally:
        emulator.wake()
        emulator.set_page_seconds(0.1)
    assert prn.wait_for(lambda s: s.usable, 5), prn.status


@pytest.mark.skipif(not cupsd_present(), reason="cups not installed")
def test_through_a_private_cupsd_queue_a_job_counts_once_completed_whole(emulator):
    """The terminal's usual set-up: a CUPS queue in front of the printer. The queue relays
    the printer's impressions, and a restarted driver finds its job there by name."""
    emulator.fix()
    home = tempfile.TemporaryDirectory()  # not under pytest's 0700 tree: cupsd's user reads it
    cups = PrivateCupsd(Path(home.name) / "cups")
    cups.start()
    try:
        uri = cups.add_queue("kiosk-a4", emulator.uri)
        before = len(emulator.printed())
        for attempt in range(2):  # the second: a new driver, as after a restart
            prn = PagePrinter("page_printer", uri, poll_interval_s=0.2, check_interval_s=0.05)
            prn.start()
            try:
                assert prn.wait_for(lambda s: s.usable, 5), prn.status
                result = prn.print_pdf(certificate_pdf(3), "via-cups").result(30)
            finally:
                prn.stop()
            assert result.pages == 3 and result.resumed == (attempt == 1)
        (job,) = [j for j in emulator.printed()[before:] if j["job_name"] == "via-cups"]
        assert job["outcome"] == "completed" and job["printed_pages"] == 3
    finally:
        cups.stop()
        home.cleanup()


def test_kiosk_print_test_prints_the_a4_test_page_and_says_how_it_knows(emulator, tmp_path):
    import json

    import tomli_w
    from click.testing import CliRunner

    from kiosk.cli import main
    from kiosk.cli.print_cmd import print_group
    if "print" not in main.commands:
        main.add_command(print_group)
    emulator.fix()
    site = tmp_path / "site.toml"
    site.write_text(tomli_w.dumps({"devices": {"page_printer": {
        "enabled": True, "uri": emulator.uri}}}), encoding="utf-8")
    before = len(emulator.printed())
    out = CliRunner().invoke(main, ["--config", str(site), "--json", "print", "test",
                                    "--device", "page_printer"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["printed"] and data["pages"] == 1 and data["confirmed_by"] == "impressions"
    (job,) = emulator.printed()[before:]
    assert job["outcome"] == "completed"
    emulator.paper_out()
    out = CliRunner().invoke(main, ["--config", str(site), "print", "test",
                                    "--device", "page_printer"])
    assert out.exit_code == 1 and "paper_out" in out.output
    out = CliRunner().invoke(main, ["--config", str(site), "print", "receipt",
                                    "--device", "page_printer"])
    assert out.exit_code == 1 and "only `kiosk print test`" in out.output
