"""The IPP encoding, without a printer: what goes on the wire and what comes back."""

from __future__ import annotations

import struct

from drivers.pageprinter import ipp
from drivers.pageprinter.printer import device_status, pdf_pages
from drivers.device import DeviceState


def _attr(tag: int, name: str, value: bytes) -> bytes:
    return struct.pack(">bh", tag, len(name)) + name.encode() + struct.pack(">h", len(value)) \
        + value


def test_a_request_starts_with_charset_language_then_the_callers_attributes():
    data = ipp.encode_request(ipp.GET_JOBS, 7, [(ipp.KEYWORD, "which-jobs", "all")])
    assert data[:8] == bytes([2, 0, 0, 0x0A, 0, 0, 0, 7])
    assert data[8] == ipp.OPERATION and data[-1] == ipp.END
    body = data[9:-1]
    assert body.startswith(_attr(ipp.CHARSET, "attributes-charset", b"utf-8"))
    assert _attr(ipp.KEYWORD, "which-jobs", b"all") in body


def test_a_response_decodes_enums_by_name_and_repeated_values_as_lists():
    reply = (struct.pack(">bbhi", 2, 0, 0, 3) + bytes([ipp.OPERATION])
             + _attr(ipp.CHARSET, "attributes-charset", b"utf-8")
             + bytes([ipp.JOB])
             + _attr(ipp.INTEGER, "job-id", struct.pack(">i", 12))
             + _attr(ipp.ENUM, "job-state", struct.pack(">i", 9))
             + _attr(ipp.KEYWORD, "job-state-reasons", b"job-completed-successfully")
             + _attr(ipp.KEYWORD, "", b"job-printing")
             + bytes([ipp.END]))
    response = ipp.decode_response(reply)
    assert response.status == 0 and response.request_id == 3
    job = response.group(ipp.JOB)
    assert job["job-id"] == 12 and ipp.job_state(job) == "completed"
    assert job["job-state-reasons"] == ["job-completed-successfully", "job-printing"]


def test_printer_reasons_become_the_device_vocabulary_whatever_their_suffix():
    def state(reasons, printer_state="idle"):
        s = device_status({"printer-state": printer_state, "printer-state-reasons": reasons})
        return s.state, s.reason
    assert state("none") == (DeviceState.ONLINE, None)
    assert state("media-empty-report") == (DeviceState.USER_ERROR, "paper_out")
    assert state(["media-empty-warning", "media-needed-warning"]) == (
        DeviceState.USER_ERROR, "paper_out")
    assert state("media-jam-error") == (DeviceState.USER_ERROR, "paper_jam")
    assert state("door-open-error") == (DeviceState.USER_ERROR, "cover_open")
    assert state("cover-open-report") == (DeviceState.USER_ERROR, "cover_open")
    assert state("toner-low-report") == (DeviceState.ONLINE, "toner_low")
    assert state("media-low-warning") == (DeviceState.ONLINE, "paper_near_end")
    assert state("offline-report") == (DeviceState.USER_ERROR, "offline")
    assert state("other-error", "stopped") == (DeviceState.HARDWARE_ERROR, "stopped")


def test_pages_of_a_pdf_are_counted_from_its_page_objects():
    assert pdf_pages(b"<< /Type /Pages /Kids [1 0 R 2 0 R] >> << /Type /Page >> "
                     b"<</Type/Page>>") == 2
